"""The whole report page (:func:`render_html`): the title, the business case (a staffing search), the KPIs with
their 95% intervals and definitions, the figures, the setups' assumptions (key numbers, cited or assumed) and how
the numbers were obtained (seeds, replications, days, version, config hashes).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from sim.experiments.results import Results
from sim.kpis import fmt_interval, kpi_info, norms_note
from sim.presentation import figures as F
from sim.presentation.report.business import business_section
from sim.presentation.report.choose import BUSINESS_FIGURES, FIRST_SCREEN, NamedFigure, figures_for, pct_text
from sim.presentation.report.html import CSS, esc, figure_html, html_table, nowrap
from sim.presentation.report.load import difference_summary, kpi_summary, result_norm, short_setting, significant
from sim.presentation.report.sources import assumption_rows
from sim.version import __version__

#: With more units than this, the KPI table turns: one row per unit, the headline KPIs as columns.
MAX_COLUMNS = 6
HEADLINE_KPIS = ("reachability", "calls_abandoned", "replaceability", "coverage", "utilisation",
                 "service_level.email", "fte")


def _title(res: Results) -> str:
    setups = res.setups
    if res.kind == "run":
        return f"Simulation run: {setups[0]}"
    if res.kind == "compare":
        return "Comparison: " + " vs ".join(setups)
    if res.kind == "sweep":
        swept = ", ".join(short_setting(c) for c in res.settings) or "settings"
        return f"Sweep of {swept}: {', '.join(setups)}"
    return f"Staffing: {', '.join(setups)}"


def _kpi_section(res: Results, baseline: str | None = None) -> str:
    labels, rows = kpi_summary(res)
    n_rep = len({r.get("replication") for r in res.kpis})
    parts = ["<h2>Key figures</h2>"]
    if n_rep > 1:
        parts.append(f'<p class="note">Mean over {n_rep} replications with the 95% confidence interval in '
                     "brackets: on the logit scale for shares and the log scale for waits, lead times and "
                     "rates, so it never leaves what is possible (see <i>How the numbers were obtained</i>). "
                     "↑ higher is better, ↓ lower is better; the definitions and norms are below the table."
                     "</p>")
    else:
        parts.append('<p class="note">One replication: no confidence interval can be given. Use <code>sim '
                     "compare</code> with several replications for intervals.</p>")
    def show(kpi: str, cell: Mapping[str, Any]) -> str:
        return nowrap(fmt_interval(kpi, cell, missing="–")) if cell else "–"

    if len(labels) <= MAX_COLUMNS:
        body = [[esc(F.kpi_label(r["kpi"])) + _arrow(r["kpi"])] + [show(r["kpi"], c) for c in r["cells"]]
                for r in rows]
        parts.append(html_table(["KPI", *labels], body, numbers=True))
    else:  # many settings: one row each, the headline KPIs only
        shown = [r for r in rows if r["kpi"] in HEADLINE_KPIS]
        body = [[esc(label)] + [show(r["kpi"], r["cells"][i]) for r in shown]
                for i, label in enumerate(labels)]
        parts.append(html_table(["setting", *[F.kpi_label(r["kpi"]) + _arrow(r["kpi"], html_=False) for r in shown]],
                            body, numbers=True))
        parts.append('<p class="note">The headline KPIs only; every KPI of every setting is in '
                     "<code>summary.csv</code> beside this page.</p>")
    if res.kind == "compare" and len(res.setups) > 1:
        baseline, others, diff_rows = difference_summary(res, baseline)
        parts.append(f"<h3>Paired differences from {esc(baseline)}</h3>")
        parts.append('<p class="note">Per replication both setups saw the same demand (common random '
                     "numbers); the mean difference and its 95% interval. Shares in percentage points (pp); "
                     "<b>bold</b>: the interval excludes 0, a real difference.</p>")
        def cell(kpi: str, c: Mapping[str, Any]) -> str:
            text = nowrap(fmt_interval(kpi, c, diff=True, missing="–")) if c else "–"
            return f"<b>{text}</b>" if c and significant(c) else text

        body = [[esc(F.kpi_label(r["kpi"]))] + [cell(r["kpi"], c) for c in r["cells"]] for r in diff_rows]
        parts.append(html_table(["KPI", *[f"{o} − {baseline}" for o in others]], body, numbers=True))
    parts.append(_definitions([r["kpi"] for r in rows], res))
    return "\n".join(parts)


def _arrow(kpi: str, html_: bool = True) -> str:
    """↑ (higher is better) or ↓ (lower is better) after a KPI's name, nothing where neither is."""
    better = kpi_info(kpi).better
    arrow = {"higher": "↑", "lower": "↓"}.get(better, "")
    if not arrow:
        return ""
    return f' <span title="{better} is better">{arrow}</span>' if html_ else f" {arrow}"


def _definitions(kpis: Sequence[str], res: Results | None = None) -> str:
    """What each KPI on the page means, its norm (this result's own: :func:`result_norm`) and which way is
    better: the page stands alone."""
    rows = []
    for kpi in kpis:
        info = kpi_info(kpi)
        norm = result_norm(res, kpi)
        text = "" if norm is None else f"{norm[0]} {pct_text(norm[1])}"
        rows.append([esc(F.kpi_label(kpi)), esc(info.definition),
                     f'<span class="nb">{esc(text)}</span>' if text else "–",
                     esc(info.better_text) or "neither"])
    table = html_table(["KPI", "definition", "norm", "better"], rows, text_cols=(1, 2, 3))
    return ("<h3>What the KPIs mean</h3>" + table.replace("<table>", '<table class="defs">', 1) +
            '<p class="note">Shares count only requests arriving after the warm-up. '
            + "The norm column gives the norms this result was judged on (a staffing search's own targets, else the "
            "config's norms section). " + esc(norms_note()).replace("`sim staff`", "<code>sim staff</code>")
            + " Lead times are given in wall-clock and in working hours; a mean lead time can lie above its 90th "
            "percentile when a few requests wait overnight, over a weekend or for a secretary back from leave: a "
            "long tail pulls the mean up while 90% are done sooner.</p>")


def _assumption_section(res: Results) -> str:
    parts = ["<h2>Assumptions</h2>",
             '<p class="note">Key inputs of each setup. <span class="cited">Cited</span> numbers lie '
             'within what a public source supports; <span class="assumed">assumed</span> numbers come from '
             "no public source and should be varied (<code>sim sweep</code>). Rows where the setups differ "
             "are highlighted. The last column is the uncertainty each input carries in the configs' "
             "<code>uncertainty:</code> sections (its range, x for a factor of the value, and where the range "
             "comes from), which <code>sim uncertainty</code> propagates into the saving's interval.</p>"]
    for name, note in res.config_notes.items():
        parts.append(f'<p class="warn">{esc(name)}: {esc(note)}</p>')
    if res.settings and res.kind == "sweep":
        def values(column: str) -> str:
            return ", ".join(str(v) for v in dict.fromkeys(r.get(column) for r in res.kpis))

        varied = "; ".join(f"<code>{esc(c)}</code> = {esc(values(c))}" for c in res.settings)
        # the folder keeps each setup's resolved config as its first setting ran it (configs/<name>.yaml);
        # an older folder without it: the config file as it is, before the sweep's values
        shown = "its first setting" if (res.folder / "configs").is_dir() else "the config before the sweep"
        parts.append(f"<p>Varied in this sweep (the table shows {shown}): {varied}.</p>")
    if not res.configs:
        return "\n".join(parts)
    names = list(res.configs)
    rows, classes = [], []
    for row in assumption_rows(res.configs):
        status = row["status"]
        klass = "cited" if status.startswith("cited") else "assumed" if "assumed" in status else ""
        unit = f' <span class="note">({esc(row["unit"])})</span>' if row["unit"] else ""
        cells = [esc(row["label"]) + unit]
        cells += [esc(_fmt_input(row["values"][n])) for n in names]
        cells.append(f'<span class="{klass}">{esc(status)}</span>')
        spread = row.get("uncertainty") or ""
        cells.append(esc(spread) + (f'<br><span class="note">{esc(row["uncertainty_source"])}</span>'
                                   if row.get("uncertainty_source") else ""))
        rows.append(cells)
        classes.append("differs" if row["differs"] else "")
    parts.append(html_table(["input", *names, "source", "stated uncertainty (sim uncertainty)"], rows, classes,
                        text_cols=(len(names) + 1, len(names) + 2)))
    return "\n".join(parts)


def _fmt_input(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _method_section(res: Results) -> str:
    m = res.manifest
    found: set[Any] = {r["seed"] for r in res.kpis if r.get("seed") is not None}
    seeds = sorted(found)
    n_rep = len({r.get("replication") for r in res.kpis})
    rows = [
        ["kind of result", esc(res.kind)],
        ["simulator version", esc(m.get("version") or __version__)],
        ["command", f"<code>{esc(m.get('command') or '(sim run)')}</code>"],
        ["replications", esc(m.get("replications", n_rep))],
        ["measured working days per replication", esc(m.get("days"))],
        ["warm-up working days (not measured)", esc(m.get("warmup_days"))],
        ["base seed", esc(m.get("seed"))],
        ["replication seeds", esc(", ".join(str(s) for s in seeds[:12]) + (" ..." if len(seeds) > 12 else ""))
         ],
        ["common random numbers", esc(res.summary.get("common_random_numbers", "n/a" if n_rep < 2 else "?"))],
        ["results folder", f"<code>{esc(res.folder)}</code>"],
        ["report made", esc(time.strftime("%Y-%m-%d %H:%M"))],
    ]
    for entry in m.get("configs", []):
        where = f"<code>{esc(entry.get('path'))}</code>, hash <code>{esc(entry.get('config_hash'))}</code>"
        rows.append([f"config {esc(entry.get('name'))}", where])
    units = m.get("units") or []
    if len({u.get("config_hash") for u in units}) > 1:
        rows.append(["config hash per unit", esc("; ".join(f"{u.get('key')}: {u.get('config_hash')}"
                                                          for u in units))])
    return ("<h2>How the numbers were obtained</h2>"
            '<p class="note">Each replication simulates the working days after a warm-up with its own '
            "seed; every setup runs on the same seeds, so setups are compared on the same calls, mail and "
            "absences. KPIs are defined in docs/METHODS.md (reachability, replaceability, coverage, service level "
            "per request type, utilisation).</p>" + html_table(None, rows, text_cols=(1,)))


def render_html(res: Results, figures: Sequence[NamedFigure] | None = None,
                baseline: str | None = None) -> str:
    """The whole page as one string; differences against ``baseline`` (default: the first setup)."""
    figures = figures_for(res, baseline=baseline) if figures is None else figures
    body = [f"<h1>{esc(_title(res))}</h1>"]
    desc = [f"<b>{esc(n)}</b>: {esc(sc.description)}" for n, sc in res.configs.items() if sc.description]
    if desc and not (res.kind == "staff" and (res.summary.get("business_case") or {}).get("setups")):
        body.append('<p class="lead">' + "<br>".join(desc) + "</p>")
    if res.kind == "staff":  # the finance reader's answer first, before the long KPI table
        body.append(business_section(res, figures))
        figures = [nf for nf in figures if nf.name not in BUSINESS_FIGURES
                   and not nf.name.startswith(FIRST_SCREEN + "_")]
    body.append(_kpi_section(res, baseline))
    if figures:
        body.append("<h2>Figures</h2>")
    for nf in figures:
        body.append(figure_html(nf))
    body.append(_assumption_section(res))
    body.append(_method_section(res))
    head = ('<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(_title(res))}</title><style>{CSS}</style>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head>\n<body><main>\n' + "\n".join(body)
            + "\n</main></body></html>\n")
