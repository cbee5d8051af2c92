"""The business case's section of the report, first on a staffing search's page: the headline against today,
where the saving comes from, who gains and who loses, what would flip it, the inputs' uncertainty, the
recommended and the optimised roster, and the least staffing and saving per setup with the norms at it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.decisions.business import fmt_iv, headline
from sim.experiments.results import Results
from sim.kpis import fmt, fmt_interval
from sim.presentation import figures as F
from sim.presentation.report.choose import BUSINESS_FIGURES, FIRST_SCREEN, NamedFigure
from sim.presentation.report.html import esc, figure_html, html_table, nowrap
from sim.presentation.report.load import roster_results, sensitivity_result, uncertainty_result


def _share(value: Any) -> str:
    v = F.num(value)
    return "–" if not math.isfinite(v) else f"{100 * v:.1f}%"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def _days(value: Any) -> str:
    """``mon,tue,wed`` as ``mon–wed`` when the days run on, else ``mon,wed``."""
    days = [d.strip() for d in str(value or "").split(",") if d.strip()]
    if not days:
        return "–"
    idx = [WEEKDAYS.index(d) for d in days if d in WEEKDAYS]
    if len(idx) == len(days) and len(days) > 2 and idx == list(range(idx[0], idx[0] + len(idx))):
        return f"{days[0]}–{days[-1]}"
    return ",".join(days)


def _points(value: Any) -> str:
    v = F.num(value)
    return "–" if not math.isfinite(v) else f"{v:+.1f}"


def gain_loss_table(case: Mapping[str, Any], name: str) -> str:
    """One alternative's departments x KPIs: today's share, the new one and the change in points; a loss
    beyond the tolerance in red and marked !, a gain beyond it in green."""
    rows_in = ((case.get("setups") or {}).get(name) or {}).get("gain_loss") or []
    depts = list(dict.fromkeys(str(g["department"]) for g in rows_in))
    kpis = [k for k in F.GAIN_LOSS_KPIS if any(g["kpi"] == k for g in rows_in)]
    kpis += list(dict.fromkeys(str(g["kpi"]) for g in rows_in if g["kpi"] not in kpis))
    cells = {(str(g["department"]), str(g["kpi"])): g for g in rows_in}
    body = []
    for d in depts:
        row = [esc(d)]
        for k in kpis:
            g = cells.get((d, k))
            if g is None:
                row.append("–")
                continue
            verdict = str(g.get("verdict"))
            change = _points(g.get("better_points")) + {"loss": "!", "gain": "+"}.get(verdict, "")
            klass = {"loss": "loss", "gain": "gain"}.get(verdict, "")
            text = (f'<span class="nb">{esc(_share(g.get("today")))} → {esc(_share(g.get("new")))}</span> '
                    f'<span class="nb {klass}">{"<b>" if klass == "loss" else ""}{esc(change)}'
                    f'{"</b>" if klass == "loss" else ""}</span>')
            row.append(text)
        body.append(row)
    header = ["department", *[F.GAIN_LOSS_KPIS.get(k, k).replace("\n", " ") + (" ↓" if k == "calls_abandoned" else " ↑")
                              for k in kpis]]
    return html_table(header, body, numbers=True).replace('<table class="kpi">', '<table class="kpi gl">', 1)


ROSTER_COLUMNS = (("name", "secretary"), ("group", "group"), ("departments", "departments"),
                  ("days_today", "days today"), ("days_new", "days new"),
                  ("hours_per_week_today", "hours/week today"), ("hours_per_week_new", "hours/week new"),
                  ("change_hours", "change (hours)"), ("status", "status"))


def roster_table(rows_in: Sequence[Mapping[str, Any]]) -> str:
    """The recommended roster as HR reads it: each secretary's days and hours today and new, and her status."""
    body, classes = [], []
    for r in rows_in:
        cells = []
        for key, _ in ROSTER_COLUMNS:
            v = r.get(key)
            if key.startswith("hours") or key == "change_hours":
                x = F.num(v)
                text = "–" if not math.isfinite(x) else (f"{x:+.1f}" if key == "change_hours" else f"{x:.1f}")
                cells.append(esc(text))
            elif key.startswith("days"):
                cells.append(f'<span class="nb">{esc(_days(v))}</span>')
            else:
                cells.append(esc("–" if v in (None, "") else str(v).replace(",", ", ")))
        body.append(cells)
        classes.append("" if str(r.get("status")) == "kept" else "differs")
    table = html_table([label for _, label in ROSTER_COLUMNS], body, classes, text_cols=(0, 1, 2, 3, 4, 8))
    return table.replace("<table>", '<table class="roster">', 1)


def business_section(res: Results, figures: Sequence[NamedFigure]) -> str:
    """The answer against today, first on the page: the headline, who gains and who loses, what each FTE buys,
    the gain/loss table and the recommended roster; then the business-case table and the norms."""
    case = res.summary.get("business_case") or {}
    if not case.get("setups"):
        return ""
    parts = ['<h2 class="answer">Business case: the answer against today</h2>']
    lines = headline(case) if "baseline" in case else []
    if lines:
        parts.append('<ul class="headline" id="headline">' + "".join(f"<li>{esc(line)}</li>" for line in lines)
                     + '</ul><ul class="headline" id="inputs">' + _inputs_lines(res, case) + "</ul>"
                     + '<ul class="headline" id="roster">' + roster_lines(res, case) + "</ul>")
    parts.append(_first_screen(res, case, figures))
    today = case.get("today") or {}
    if today:
        tol = F.num(today.get("tolerance"))
        parts.append(
            f'<p class="note">Today: {esc(today.get("setup") or case.get("reference"))} as staffed, '
            f"{F.num(case.get('today_fte')):.1f} FTE, its service measured over {esc(today.get('replications'))} "
            "replications. 'No worse than today' lets a KPI fall by "
            + (f"{100 * tol:.0f} point" if math.isfinite(tol) else "the tolerance")
            + " or today's own 95% interval, whichever is larger. Equal service meant: "
            + esc("; ".join(f"{n}: {b}" for n, b in (case.get("basis") or {}).items()) or "the norms")
            + ".</p>")
    desc = [f"<b>{esc(n)}</b>: {esc(sc.description)}" for n, sc in res.configs.items() if sc.description]
    if desc:
        parts.append('<p class="lead">' + "<br>".join(desc) + "</p>")
    for nf in figures:
        if nf.name in BUSINESS_FIGURES:
            parts.append(figure_html(nf))
    for name, row in (case.get("setups") or {}).items():
        if row.get("gain_loss"):
            parts.append(f"<h3>{esc(F.staffing_label(case, name))}: per department</h3>")
            parts.append('<p class="note">Today → new, and the change in points (+ better); '
                         '<span class="loss"><b>red !</b></span>: worse than today beyond the tolerance, '
                         '<span class="gain">green +</span>: better beyond it.</p>')
            parts.append(gain_loss_table(case, name))
    for name, row in (case.get("setups") or {}).items():
        roster = row.get("roster") or []
        changed = [r for r in roster if str(r.get("status")) != "kept"]
        if not roster or name == case.get("reference"):  # today's roster: the baseline, not a proposal
            continue
        fte_today = sum(F.num(r.get("fte_today")) for r in roster if math.isfinite(F.num(r.get("fte_today"))))
        fte_new = sum(F.num(r.get("fte_new")) for r in roster if math.isfinite(F.num(r.get("fte_new"))))
        parts.append(f"<h3>{esc(name)}: the recommended roster ({fte_today:.1f} → {fte_new:.1f} FTE, "
                     f"{len(changed)} of {len(roster)} contracts change)</h3>")
        parts.append(roster_table(roster))
    parts.append(_staff_section(res))
    return "\n".join(parts)


def _first_screen(res: Results, case: Mapping[str, Any], figures: Sequence[NamedFigure]) -> str:
    """What a reader sees first at 1280 pixels: beside the headline, where the saving comes from (the
    waterfall), which departments gain or lose, and what would flip the answer."""
    left = "".join(figure_html(nf) for nf in figures if nf.name.startswith(FIRST_SCREEN + "_"))
    if not left:
        left = ('<p class="note">Where the saving comes from: run <code>sim staff</code> against today\'s '
                "staffing with <code>--waterfall</code> (the default) for the waterfall.</p>")
    side = ['<div class="side">']
    for name, row in (case.get("setups") or {}).items():
        gl = row.get("gain_loss") or []
        if not gl:
            continue
        side.append(f"<h3>Who gains and who loses: {esc(name)}</h3><ul>")
        for kpi in dict.fromkeys(str(g["kpi"]) for g in gl):
            mine = [g for g in gl if g["kpi"] == kpi]
            bits = []
            for verdict, word, klass in (("loss", "lose", "loss"), ("gain", "gain", "gain")):
                who = [str(g["department"]) for g in mine if g.get("verdict") == verdict]
                if who:
                    bits.append(f'<span class="{klass}">{len(who)} {word}</span> ({esc(", ".join(who))})')
            same = sum(1 for g in mine if g.get("verdict") == "same")
            if same:
                bits.append(f"{same} the same")
            label = F.GAIN_LOSS_KPIS.get(kpi, kpi).replace("\n", " ")
            side.append(f"<li><b>{esc(label)}</b>: {'; '.join(bits)}</li>")
        side.append("</ul>")
    side.append("<h3>What would flip it</h3>")
    found = sensitivity_result(res.folder)
    if found is not None:
        sens, where = found
        rows = []
        for r in (sens.get("parameters") or [])[:4]:
            be = r.get("break_even")
            rows.append(f"<li>{esc(r.get('label'))} {esc(format(F.num(r.get('low')), 'g'))}–"
                        f"{esc(format(F.num(r.get('high')), 'g'))}: saving {_share(r.get('saving_low'))} to "
                        f"{_share(r.get('saving_high'))}; break-even "
                        + ("not within range" if be is None else esc(f"{F.num(be):.3g}")) + "</li>")
        side.append(f'<p class="note">The widest swings of the sensitivity run in <code>{esc(where)}</code> '
                    f"(one parameter at a time, saving of {esc(sens.get('alternative'))} against "
                    f"{esc(sens.get('reference'))}):</p><ul>" + "".join(rows) + "</ul>")
    else:
        configs = [str(e.get("path")) for e in res.manifest.get("configs", [])][:2]
        cmd = "sim sensitivity " + " ".join(configs) + " --baseline config --out " + str(res.folder / "sensitivity")
        side.append(f'<p class="note">No sensitivity run in this folder. To see which assumption would flip the '
                    f"answer (tornado and break-even values), run <code>{esc(cmd)}</code> and "
                    "<code>sim report</code> again.</p>")
    side.append("</div>")
    return f'<div class="first" id="first-screen"><div class="wfcol">{left}</div>{"".join(side)}</div>'


def _inputs_lines(res: Results, case: Mapping[str, Any]) -> str:
    """The headline's second half, kept short for the first screen: the saving with the inputs' uncertainty
    and P(saving >= 15%), one line per setup, from a ``sim uncertainty`` run in the folder (its own
    summary.json's headline, verbatim; the least FTE and payback lines folded below), or what to run for it."""
    goal = 100 * F.num(case.get("article_saving"))
    found = uncertainty_result(res.folder)
    if found is None:
        configs = [str(e.get("path")) for e in res.manifest.get("configs", [])]
        targets = " ".join(f"--target {t}" for t in (res.manifest.get("target_specs") or []))
        cmd = " ".join(["sim uncertainty", *configs, targets, "--out", str(res.folder / "uncertainty")])
        return (f'<li class="note">These intervals cover the simulation\'s noise only, not the inputs\' uncertainty '
                f"(volumes, work times, occupancy ceiling, costs). <details><summary>For that interval and "
                f"P(saving &ge; {goal:.0f}%), run sim uncertainty</summary><code>{esc(' '.join(cmd.split()))}</code> "
                "and <code>sim report</code> again.</details></li>")
    data, where = found
    unc = data["uncertainty"]
    basis = ", ".join(unc.get("targets") or []) or "the configs' norms"
    lines = [str(line) for line in data.get("headline") or []]
    main = "".join(f"<li>{esc(line.strip())}</li>" for line in lines if not line.startswith(" "))
    more = "".join(f"<li>{esc(line.strip())}</li>" for line in lines if line.startswith(" "))
    return (main + f'<li class="note"><details><summary>With the inputs\' stated uncertainty: '
            f"{esc(len(unc.get('inputs') or []))} inputs, {esc(unc.get('points'))} input points (Latin hypercube, "
            f"common random numbers; targets: {esc(basis)}; <code>{esc(where)}</code>); least FTE and payback"
            f"</summary><ul>{more}</ul></details></li>")


def roster_lines(res: Results, case: Mapping[str, Any]) -> str:
    """Beside the demand-proportional answer, what an optimised roster (``sim roster``: shifts, days and
    lunches by CP-SAT, corrected by simulation) needs, per setup whose roster run is in the folder; or, for the
    alternatives without one, the command that gives it."""
    rows = case.get("setups") or {}
    specs = [str(t) for t in (res.manifest.get("target_specs") or [])]
    lines, have = [], set()
    for data, where in roster_results(res.folder):
        name = str(data["setup"])
        have.add(name)
        r, today = data.get("roster") or {}, data.get("today") or {}
        if not r:
            lines.append(f"<li>{esc(name)}: no roster within its roster_rules covers the requirements "
                         f"(<code>{esc(where)}</code>)</li>")
            continue
        row = rows.get(name) or {}
        least = row.get("fte_least")
        beside = (f" against {esc(fmt_iv(least, 1))} FTE by the demand-proportional search above"
                  if isinstance(least, dict) and least.get("mean") is not None else "")
        verdict = ("meets every norm on fresh seeds" if data.get("met") else
                   f"NOT confirmed on fresh seeds after {len(data.get('rounds') or [])} rounds")
        targets = [str(t) for t in (data.get("targets") or [])]
        own = "the config's norms"
        differ = "" if sorted(targets) == sorted(specs) else (
            f"; NOTE: judged on other norms than this case ({', '.join(targets) or own} "
            f"against {', '.join(specs) or own})")
        today_org = str(today.get("setup") or name)
        if data.get("basis") in ("today", "both") and today_org != str(case.get("reference") or today_org):
            differ += f"; NOTE: today's service is {today_org}'s, not {case.get('reference')}'s as in this case"
        if data.get("config_is_cheaper"):
            differ += (f"; NOTE: {name} as staffed in its config "
                       f"({F.num((data.get('config_as_staffed') or {}).get('fte')):.2f} FTE) also meets every norm "
                       "and costs less: the optimiser did not beat it")
        lines.append(
            f"<li>{esc(name)} with an optimised roster (shifts, days and lunches chosen by <code>sim roster</code>) "
            f"needs {F.num(r.get('fte')):.2f} FTE{beside}; staff cost {F.num(r.get('cost_per_year')):,.0f} a year "
            f"against today's ({esc(today_org)}) {F.num(today.get('cost_per_year')):,.0f} "
            f"({F.num(today.get('fte')):.2f} FTE); "
            f"{verdict}, {len(data.get('rounds') or [])} rounds of simulate-and-correct{esc(differ)} "
            f"(<code>{esc(where)}</code>)</li>")
    missing = [n for n in rows if n != case.get("reference") and n not in have]
    if missing:
        configs = {str(e.get("name")): str(e.get("path")) for e in res.manifest.get("configs", [])}
        flags = " ".join(f"--target {t}" for t in specs)
        ref = str(case.get("reference") or "")
        if ref in configs and any(b in ("today", "both") for b in (case.get("basis") or {}).values()):
            flags = f"--today {configs[ref]} {flags}"
        cmds = [" ".join(["sim roster", configs.get(n, n), flags, "--out", str(res.folder / f"roster-{n}")])
                for n in missing]
        lines.append('<li class="note"><details><summary>The least FTE above adds and removes whole days in '
                     "proportion to demand; for the least-cost roster HR can implement (shifts, days, lunches), "
                     "run sim roster</summary>" + "<br>".join(f"<code>{esc(' '.join(c.split()))}</code>" for c in cmds)
                     + " and <code>sim report</code> again.</details></li>")
    return "".join(lines)


def _staff_section(res: Results) -> str:
    """The business case of a staffing search: least FTE and cost per setup, the saving against the
    reference, and the norms at the least staffing."""
    case = res.summary.get("business_case") or {}
    rows_in = case.get("setups") or {}
    if not rows_in:
        return ""
    ref = case.get("reference", "")
    goal = F.num(case.get("article_saving"))
    confidence = F.num(res.summary.get("confidence", 0.95))
    per_setup = [len(r.get("fte_blocks") or []) for r in rows_in.values()]
    blocks = (f"{min(per_setup)}" if min(per_setup) == max(per_setup) else f"{min(per_setup)} to {max(per_setup)}") \
        if per_setup and min(per_setup) > 0 else case.get("blocks")
    against = case.get("baseline_meaning") or f"{ref} at its least staffing"
    parts = ["<h3>Business case: cost and saving per setup</h3>"]
    parts.append(
        '<p class="note">The least staffing of each setup that meets every norm ('
        + esc(res.summary.get("rule") or "") + ")"
        + (f", found on {blocks} independent blocks of replications per setup (mean and {100 * confidence:.0f}% "
           "interval over the blocks; the saving is paired over the blocks both setups ran)" if blocks else "")
        + f"; its cost; and the saving against {esc(against)}."
        + (f" The source article expects a saving of at least {100 * goal:.0f}%." if math.isfinite(goal)
           else "") + "</p>")
    controlled = [n for n, on in (res.summary.get("control_variate") or {}).items() if on]
    if controlled:
        parts.append(
            '<p class="note">Each department\'s reachability and abandoned calls are judged with its coverage by '
            "the roster as a control variate (<code>norms.control_variate</code>; " + esc(", ".join(controlled))
            + "): the estimates of those norms below are corrected for how far the replications' absences fell "
            "from their exactly known expectation; the per-department tables show the plain shares.</p>")

    def yes(v: Any) -> str:
        return "–" if v is None else ("yes" if v else "no")

    def iv(s: Any, pct: bool = False) -> str:
        return "–" if not isinstance(s, dict) or s.get("mean") is None else nowrap(fmt_iv(s, 1, pct))

    body = []
    for name, r in rows_in.items():
        share = F.num(r.get("saving_share"))
        saving = iv(r.get("saving_share_ci"), pct=True) if r.get("saving_share_ci") else (
            f"{100 * share:+.1f}%" if math.isfinite(share) else "–")
        binding = ", ".join(list(r.get("binding_norms") or {})[:2]) or "–"
        rec_saving = F.num(r.get("saving_share_recommended"))
        least_cost = F.num(r.get("cost_per_year_least", r.get("cost_per_year")))
        body.append([esc(name), f"{F.num(r.get('fte_config')):.1f}", yes(r.get("config_meets_norms")),
                     iv(r.get("fte_least")) if r.get("fte_least") else f"{F.num(r.get('fte')):.1f}",
                     f"{least_cost:,.0f}", saving, yes(r.get("meets_article_saving")),
                     f"<b>{F.num(r.get('fte')):.1f}</b>", f"{F.num(r.get('cost_per_year')):,.0f}",
                     f"{100 * rec_saving:.1f}%" if math.isfinite(rec_saving) else "–", esc(binding)])
    parts.append(html_table(["setup", "FTE in config", "config meets norms", "least FTE [95%]", "euro/year (mean)",
                         f"saving vs {ref} [95%]", "reaches the article's saving", "recommended FTE",
                         "euro/year recommended", "saving recommended", "binding norms"],
                        body, numbers=True))
    parts.append('<p class="note">The saving is computed on each block\'s least FTE (euro/year (mean): the mean '
                 "of their costs, so that saving = 1 − cost / the baseline's cost); the recommended staffing is "
                 "one staffing judged on every block's replications together, what a roster would implement, "
                 "with its own cost and saving.</p>")
    for name, st in (res.summary.get("setups") or {}).items():
        least = st.get("least") if isinstance(st, dict) else None
        if not isinstance(least, dict) or not least.get("norms"):
            continue
        parts.append(f"<h4>{esc(name)}: the norms at {F.num(least.get('fte')):.1f} FTE (block 0's "
                     "replications)</h4>")
        norm_rows = []
        for kpi, n in least["norms"].items():
            summ = {"mean": n.get("mean"), "ci_low": n.get("ci_low"), "ci_high": n.get("ci_high")}
            if n.get("department"):  # a department's share (its per-department column): drawn like the KPI
                kpi = "service_level" if n.get("kpi") == "within_norm" else str(n.get("kpi"))
            target = f"{esc(n.get('op'))} {fmt(kpi, n.get('value'), missing='–')}"
            label = f"{n['department']}: {F.kpi_label(str(n.get('kpi')))}" if n.get("department") else F.kpi_label(kpi)
            norm_rows.append([esc(label), target, nowrap(fmt_interval(kpi, summ, missing="–")),
                              yes(n.get("holds"))])
        parts.append(html_table(["norm", "target", "estimate [95% interval]", "holds"], norm_rows, numbers=True))
    return "\n".join(parts)
