"""The shareable report: built from run, compare and sweep folders, checked for its content, and rendered in a
real browser (headless Chromium) to check that what was drawn is there."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import sim
from sim.config import ConfigError
from sim.decisions.business import fmt_iv, headline
from sim.kpis import fmt_interval
from sim.presentation import figures as F
from sim.presentation.report import (
    assumption_rows,
    difference_summary,
    figures_for,
    kpi_summary,
    load_results,
    render_html,
    staff_targets,
)

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
SHORT = ["run.days=3", "run.warmup_days=1"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real entry point in a fresh process."""
    return subprocess.run([sys.executable, "-c", "from sim.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def cli_here(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The entry point in this process (no start-up cost): exit code, stdout, stderr."""
    from sim.cli import main
    with pytest.raises(SystemExit) as stop:
        main(list(args))
    out, err = capsys.readouterr()
    return int(stop.value.code or 0), out, err


def plain(page: str) -> str:
    """The page without the spans that keep a mean and its interval each on one line."""
    return re.sub(r"</?span[^>]*>", "", page)


def sim_here(*args: str) -> None:
    """``sim ARGS`` in this process (it must succeed), with ``sys.argv`` as the shell would give it, so that
    the manifest records the real command."""
    from sim.cli import main
    with mock.patch.object(sys, "argv", ["sim", *args]), pytest.raises(SystemExit) as stop:
        main(list(args))
    assert stop.value.code in (0, None), f"sim {' '.join(args)} failed"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders the real commands wrote, once for the module: a run with its event log, a compare and a sweep."""
    base = tmp_path_factory.mktemp("results")
    run = base / "run"
    proc = cli("run", str(CONFIGS / "central.yaml"), "--set", SHORT[0], "--set", SHORT[1], "--out", str(run),
               "--event-log")
    assert proc.returncode == 0, proc.stderr
    short = ["--set", SHORT[0], "--set", SHORT[1], "-w", "1"]
    compare = base / "compare"
    sim_here("compare", str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml"), *short, "-r", "3",
             "--out", str(compare))
    sweep = base / "sweep"
    sim_here("sweep", str(CONFIGS / "central.yaml"), "--vary", "demand.calls.per_staff_per_day=0.2,0.4",
             "--vary", "dispatch.exchange.policy=idle,pool", *short, "-r", "2", "--out", str(sweep))
    return {"run": run, "compare": compare, "sweep": sweep}


@pytest.fixture(scope="module")
def compare_page(folders: dict[str, Path]) -> Path:
    proc = cli("report", str(folders["compare"]))
    assert proc.returncode == 0, proc.stderr
    page = folders["compare"] / "report.html"
    assert page.exists() and str(page) in proc.stdout
    return page


# -------------------------------------------------------------------------------------------- loading
def test_load_results_reads_a_run_folder(folders):
    res = load_results(folders["run"])
    assert res.kind == "run" and res.setups == ["central"] and res.settings == []
    summary = json.loads((folders["run"] / "summary.json").read_text())
    reach = next(r for r in res.kpis if r["kpi"] == "reachability")
    assert reach["value"] == summary["kpi"]["reachability"]
    assert {"per_hour", "per_department", "time_histograms", "utilisation_by_hour"} <= set(res.tables)
    assert all(r["setup"] == "central" and r["replication"] == 0 for r in res.tables["per_hour"])
    assert res.events and {e["activity"] for e in res.events} <= {"idle", "call", "task", "meeting", "absent"}
    assert list(res.configs) == ["central"] and res.configs["central"].run.days == 3


def test_load_results_reads_experiment_folders(folders):
    res = load_results(folders["compare"])
    assert res.kind == "compare" and res.setups == ["decentral", "central"] and res.settings == []
    # the configs were run with --days: found again, with the same hash, so no warning
    assert list(res.configs) == ["decentral", "central"] and not res.config_notes
    assert res.configs["central"].run.days == 3
    sweep = load_results(folders["sweep"])
    assert sweep.settings == ["demand.calls.per_staff_per_day", "dispatch.exchange.policy"]
    assert sweep.units() == [("central", 0.2, "idle"), ("central", 0.2, "pool"), ("central", 0.4, "idle"),
                             ("central", 0.4, "pool")]
    assert list(sweep.configs) == ["central"] and not sweep.config_notes
    # the resolved config the sweep wrote: its first setting (the test-side writer this replaced had no
    # configs/ folder, so the report claimed to show "the config before" while real folders showed this one)
    assert sweep.configs["central"].demand.calls.per_staff_per_day == 0.2
    assert "the table shows its first setting" in render_html(sweep, [])


def test_load_results_says_when_a_config_is_missing_or_changed(folders, tmp_path):
    copy = tmp_path / "compare"
    shutil.copytree(folders["compare"], copy)
    shutil.rmtree(copy / "configs")  # as in a folder written before the resolved configs were kept
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["configs"][0]["path"] = "nowhere/decentral.yaml"
    manifest["configs"][1]["config_hash"] = "0123456789abcdef"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    res = load_results(copy)
    assert "config file nowhere/decentral.yaml not found" in res.config_notes["decentral"]
    assert "differs from the config that was run (hash 0123456789abcdef)" in res.config_notes["central"]


def test_load_results_refuses_what_is_not_a_results_folder(tmp_path, capsys):
    with pytest.raises(ConfigError, match="not a results folder"):
        load_results(tmp_path)
    with pytest.raises(ConfigError, match="no such results folder"):
        load_results(tmp_path / "missing")
    code, _, err = cli_here(capsys, "report", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "not a results folder" in err


# ------------------------------------------------------------------------------------------- contents
def test_compare_report_has_kpis_with_intervals_and_paired_differences(compare_page, folders):
    page = plain(compare_page.read_text(encoding="utf-8"))
    summary = json.loads((folders["compare"] / "summary.json").read_text())
    reach = summary["setups"]["central"]["reachability"]
    cell = f"{100 * reach['mean']:.1f}% [{100 * reach['ci_low']:.1f}%, {100 * reach['ci_high']:.1f}%]"
    assert cell in page
    assert "Mean over 3 replications" in page and "Paired differences from decentral" in page
    kpis = load_results(folders["compare"]).kpis
    per = {(r["setup"], r["replication"]): r["value"] for r in kpis if r["kpi"] == "coverage"}
    diff = np.mean([per["central", i] - per["decentral", i] for i in range(3)])
    assert f"{100 * diff:+.1f} pp" in page
    for title in ("The setups compared", "Per department: winners and losers",
                  "Reachability, waiting and abandonment by hour of the day",
                  "Distribution of waiting and lead times", "Utilisation by secretary"):
        assert title in page
    assert page.count("<img ") == 6  # and the per-interval theory (SIPP)


def test_report_says_how_the_numbers_were_obtained(compare_page, folders):
    page = plain(compare_page.read_text(encoding="utf-8"))
    manifest = json.loads((folders["compare"] / "manifest.json").read_text())
    for entry in manifest["configs"]:
        assert entry["config_hash"] in page
    seeds = sorted({int(r["seed"]) for r in load_results(folders["compare"]).kpis})
    assert len(seeds) == 3 and ", ".join(map(str, seeds)) in page  # the replication seeds
    assert f"<td class=\"text\">{sim.__version__}</td>" in page
    assert manifest["command"].startswith("sim compare ") and html.escape(manifest["command"]) in page


def test_report_is_self_contained(compare_page):
    page = plain(compare_page.read_text(encoding="utf-8"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page and "<link" not in page and "@import" not in page and "url(" not in page
    images = re.findall(r'<img [^>]*src="data:image/png;base64,', page)
    assert len(images) == 6


def test_run_report_shows_the_assumptions_and_a_day_in_the_life(folders, tmp_path, capsys):
    out = tmp_path / "run.html"
    code, _, err = cli_here(capsys, "report", str(folders["run"]), "--out", str(out))
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "A day in the life" in page and "One replication: no confidence interval" in page
    assert "cited: A&amp;O fonds Gemeenten Personeelsmonitor" in page  # sick leave 6%
    assert page.count("<img ") == 6  # departments, hourly, SIPP, ECDF, utilisation, day in the life
    # an existing report is not replaced unless asked
    code, _, err = cli_here(capsys, "report", str(folders["run"]), "--out", str(out))
    assert code == 2 and "--overwrite" in err and out.read_text(encoding="utf-8") == page


def test_assumptions_say_which_numbers_are_cited():
    base = sim.load_scenario(CONFIGS / "central_hnw.yaml")
    odd = sim.load_scenario(CONFIGS / "central.yaml", ["absence.sickness.share=0.15",
                                                       "demand.calls.norm_seconds=60"])
    rows = {r["label"]: r for r in assumption_rows({"hnw": base, "odd": odd})}
    sick = rows["sick leave"]
    assert sick["values"] == {"hnw": 0.06, "odd": 0.15} and sick["differs"]
    assert sick["status"].startswith("hnw: cited: A&O fonds") and "odd: assumed (the source" in sick["status"]
    assert rows["calls"]["status"] == "assumed" and not rows["calls"]["differs"]
    assert rows["e-mail norm"]["status"].startswith("cited: Tilburg")
    assert rows["HNW multipliers"]["values"]["hnw"].startswith("calls 0.7")
    assert rows["HNW multipliers"]["values"]["odd"] == "none"
    assert rows["setup"]["status"] == "the setup compared"


def test_sweep_report_draws_service_levels_against_the_setting(folders, tmp_path):
    res = load_results(folders["sweep"])
    figs = figures_for(res, ["service-level", "hourly"])
    assert [f.name for f in figs] == ["service_level", "hourly"]
    # small multiples: a row per KPI, a column per swept field; in a column only that field changes, each
    # series holds the other at one value (never averaged over it, never two fields changed at once)
    fig = figs[0].figure
    factors = ["demand.calls.per_staff_per_day", "dispatch.exchange.policy"]
    for col, factor in enumerate(factors):
        other = factors[1 - col]
        levels = list(dict.fromkeys(r[other] for r in res.kpis))
        ax = fig.axes[col]  # the reachability row
        for j, held in enumerate(levels):
            line = next(li for li in ax.get_lines() if li.get_gid() == f"sweep:reachability:{factor}:{j}")
            assert line.get_linestyle() == ("-" if col == 0 else "None")  # categorical: points, not lines
            xs = list(dict.fromkeys(r[factor] for r in res.kpis))
            for x, y in zip(xs, line.get_ydata(), strict=True):
                values = [r["value"] for r in res.kpis if r["kpi"] == "reachability" and r[factor] == x and
                          r[other] == held]
                assert len(values) == 2 and y == pytest.approx(100 * np.mean(values))
        norm = [li for li in ax.get_lines() if li.get_gid() == "norm:reachability"]
        assert norm and norm[0].get_ydata()[0] == pytest.approx(80)
    legend = [t.get_text() for t in figs[1].figure.axes[0].get_legend().get_texts()]
    assert legend == ["norm 80%", "per_staff_per_day=0.2, policy=idle", "per_staff_per_day=0.2, policy=pool",
                      "per_staff_per_day=0.4, policy=idle", "per_staff_per_day=0.4, policy=pool"]
    page = render_html(res, figs)
    assert "Sweep of per_staff_per_day, policy" in page and "Varied in this sweep" in page
    assert "<th>KPI</th><th>per_staff_per_day=0.2, policy=idle</th>" in page


def test_a_sweep_of_many_settings_gets_one_row_per_setting(folders, monkeypatch):
    import sim.presentation.report.page
    monkeypatch.setattr(sim.presentation.report.page, "MAX_COLUMNS", 3)
    res = load_results(folders["sweep"])
    page = plain(render_html(res, []))
    assert "<th>setting</th><th>reachability (calls within norm) ↑</th>" in page
    # the sweep's own interval (summary.json: logit scale for a share), not one the report recomputes
    settings = json.loads((folders["sweep"] / "summary.json").read_text())["settings"]
    reach = next(s["kpis"]["reachability"] for s in settings
                 if s["setting"]["demand.calls.per_staff_per_day"] == 0.4
                 and s["setting"]["dispatch.exchange.policy"] == "pool")
    row = re.search(r"<tr><td>per_staff_per_day=0.4, policy=pool</td><td>([^<]*)</td>", page)
    assert row and row.group(1) == fmt_interval("reachability", reach, missing="–")
    assert row.group(1).startswith(f"{100 * reach['mean']:.1f}%")


# ------------------------------------------------------------------------------------------- sim plot
def test_plot_writes_figures_and_refuses_what_does_not_fit(folders, tmp_path, capsys):
    out = tmp_path / "figs"
    code, stdout, err = cli_here(capsys, "plot", "all", str(folders["run"]), "--out", str(out),
                                 "--format", "png")
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    kinds = ("departments", "hourly", "sipp", "ecdf", "utilisation", "day")
    assert names == sorted(f"{n}.png" for n in kinds)
    assert stdout.split() == [str(out / f"{n}.png") for n in kinds]
    code, _, _ = cli_here(capsys, "plot", "hourly", str(folders["run"]), "--out", str(out))
    assert code == 2  # a non-empty folder needs --overwrite
    code, _, _ = cli_here(capsys, "plot", "hourly", str(folders["run"]), "--out", str(out), "--overwrite",
                          "--format", "svg")
    assert code == 0 and (out / "hourly.svg").exists()
    code, _, err = cli_here(capsys, "plot", "service-level", str(folders["run"]),
                            "--out", str(tmp_path / "x"))
    assert code == 2 and "service-level needs a sweep" in err
    code, _, err = cli_here(capsys, "plot", "pie", str(folders["run"]))
    assert code == 2 and "pie" in err


# ----------------------------------------------------------------------------------------- in a browser
PROBE = """<pre id="render-check"></pre><script>
window.addEventListener('load', function () {
  var main = document.querySelector('main').getBoundingClientRect();
  var imgs = Array.prototype.map.call(document.images, function (i) {
    var r = i.getBoundingClientRect();
    return {complete: i.complete, w: i.naturalWidth, h: i.naturalHeight, shown: r.width,
            inside: r.left >= main.left - 1 && r.right <= main.right + 1};
  });
  document.getElementById('render-check').textContent = JSON.stringify({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
    title: document.title, images: imgs, tables: document.querySelectorAll('table').length,
    h2: Array.prototype.map.call(document.querySelectorAll('h2'), function (h) { return h.textContent; })});
});
</script>"""

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_report_renders_in_headless_chromium(compare_page, tmp_path):
    page = plain(compare_page.read_text(encoding="utf-8"))
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(["--window-size=1280,900", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                   tmp_path)
    found = re.search(r'<pre id="render-check">(.*?)</pre>', dom.stdout, re.S)
    assert found and found.group(1), dom.stderr[-2000:]
    check = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert check["title"] == "Comparison: decentral vs central"
    assert check["scroll"] <= check["client"] == 1280  # no horizontal scroll in a 1280-pixel window
    assert len(check["images"]) == 6
    for img in check["images"]:  # every figure decoded, within the page, shown at its own size (not scaled
        # down, so that its 9-point text stays 9 points on screen)
        assert img["complete"] and img["w"] > 400 and img["h"] > 200
        assert img["inside"] and abs(img["shown"] - img["w"]) <= 2
    assert check["tables"] == 5  # KPIs, differences, KPI definitions, assumptions, method
    assert check["h2"] == ["Key figures", "Figures", "Assumptions", "How the numbers were obtained"]

    shot = tmp_path / "shot.png"
    chromium(["--window-size=1280,9000", f"--screenshot={shot}", compare_page.as_uri()], tmp_path)
    from matplotlib.image import imread
    pixels = (imread(shot)[..., :3] * 255).round().astype(int)
    assert pixels.shape[0] == 9000 and pixels.shape[1] == 1280
    assert pixels.std() > 20  # not a blank page
    # the figures' series colours are on screen: Okabe-Ito blue (decentral) and orange (central)
    for hex_colour in (F.OKABE_ITO["blue"], F.OKABE_ITO["orange"]):
        rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(pixels - rgb).sum(axis=2) < 30).sum() > 500


# ------------------------------------------------------------------------- folders the experiments write
def test_report_of_sim_compare_gives_the_experiment_s_own_intervals(folders):
    out = folders["compare"]
    res = load_results(out)
    assert res.kind == "compare" and res.setups == ["decentral", "central"]
    assert list(res.configs) == ["decentral", "central"] and not res.config_notes
    summary = json.loads((out / "summary.json").read_text())
    labels, rows = kpi_summary(res)
    assert labels == ["decentral", "central"]
    for row in rows:
        for setup, cell in zip(labels, row["cells"], strict=True):
            theirs = summary["setups"][setup][row["kpi"]]
            for key in ("mean", "ci_low", "ci_high"):
                if theirs[key] is None:
                    assert np.isnan(cell[key])
                else:
                    assert cell[key] == pytest.approx(theirs[key], rel=1e-12)
    baseline, others, diffs = difference_summary(res)
    assert baseline == summary["reference"] == "decentral" and others == ["central"]
    for row in diffs:
        theirs = summary["differences"]["central"][row["kpi"]]
        if theirs["mean"] is not None:
            assert row["cells"][0]["mean"] == pytest.approx(theirs["mean"], rel=1e-12, abs=1e-15)
    page = render_html(res, [])
    assert "How the numbers were obtained" in page and summary["seed"] == 1
    # --baseline: the differences turn round
    _, others, flipped = difference_summary(res, "central")
    assert others == ["decentral"]
    for a, b in zip(diffs, flipped, strict=True):
        if a["cells"][0].get("n"):
            assert b["cells"][0]["mean"] == pytest.approx(-a["cells"][0]["mean"], abs=1e-12)
    assert "decentral − central" in render_html(res, [], baseline="central")


def test_report_of_sim_staff_shows_the_business_case(tmp_path, capsys):
    out = tmp_path / "staff"
    code, _, err = cli_here(capsys, "staff", str(CONFIGS / "central.yaml"), "--days", "3",
                            "--set", "run.warmup_days=1", "-r", "3", "-w", "1", "--blocks", "1",
                            "--out", str(out))  # one block: what the report shows needs no more
    assert code == 0, err
    res = load_results(out)
    assert res.kind == "staff" and res.settings == ["staffing", "fte"]
    summary = json.loads((out / "summary.json").read_text())
    case = summary["business_case"]["setups"]["central"]
    figs = figures_for(res, ["service-level"])
    ax = next(a for a in figs[0].figure.axes if a.get_lines())
    assert ax.get_xlabel() == "staff (FTE)"
    reach = next(li for li in ax.get_lines() if li.get_gid() == "line:reachability")
    assert sorted(reach.get_xdata()) == pytest.approx(sorted({round(case["fte_config"], 6),
                                                              round(case["fte"], 6)}))
    norm = next(li for li in ax.get_lines() if li.get_gid() == "norm:calls_abandoned")
    assert norm.get_ydata()[0] == pytest.approx(5)
    page = render_html(res, figs)
    assert "Business case" in page and f"<b>{case['fte']:.1f}</b>" in page
    assert f"central: the norms at {case['fte']:.1f} FTE" in page
    assert f"{case['cost_per_year']:,.0f}" in page


# ------------------------------------------------------------------------------------ the KPI vocabulary
def test_the_registry_s_norms_are_the_config_s_defaults():
    """Every default norm in sim.kpis is the schema's default of the config field it names, and its side is
    the one sim staff holds (at least for higher-is-better, at most otherwise)."""
    from sim.config import Norms
    from sim.kpis import NORM_SOURCES, kpi_info

    defaults = Norms()
    for name, (field, source) in NORM_SOURCES.items():
        info = kpi_info(name if name != "service_level" else "service_level.email")
        assert info.norm_field == field and info.norm_source == source and source
        assert info.norm == getattr(defaults, field.removeprefix("norms."))
    assert kpi_info("utilisation").norm_op == "<=" and kpi_info("reachability").norm_op == ">="
    assert kpi_info("service_level.phone").norm_field == "norms.reachability_min"


def test_one_formatter_for_every_kpi():
    from sim.kpis import fmt, fmt_plus_minus, kpi_info

    assert fmt("reachability", 0.8) == "80.0%" and fmt("service_level.email", 1.0) == "100.0%"
    assert fmt("cost_per_year", 744000.0) == "744,000" and fmt("fte", 12.0) == "12.00"
    assert fmt("asa_seconds", 1234.5) == "1,234" and fmt("asa_seconds", 12.345) == "12.35"
    assert fmt("calls_abandoned", 0.012, diff=True) == "+1.2 pp" and fmt("fte", -0.5, diff=True) == "-0.50"
    assert fmt("reachability", None) == "-" and fmt("reachability", float("nan"), missing="–") == "–"
    flat = {"mean": 12.0, "ci_low": 12.0, "ci_high": 12.0}
    assert fmt_interval("fte", flat) == "12.00"  # no interval of zero width
    share = {"mean": 0.8, "ci_low": 0.75, "ci_high": 0.85}
    assert fmt_interval("reachability", share) == "80.0% [75.0%, 85.0%]"
    assert fmt_interval("reachability", share, diff=True) == "+80.0 pp [+75.0, +85.0]"
    assert fmt_plus_minus("reachability", share) == "80.0% ±5.0"
    assert [kpi_info(k).kind for k in ("coverage", "asa_seconds", "lead_time_p90_hours.email", "fte")] == \
        ["share", "duration", "duration", "count"]


def test_report_of_a_business_case_leads_with_the_answer_against_today(tmp_path, capsys):
    out = tmp_path / "case"
    code, _, err = cli_here(capsys, "staff", str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml"),
                            "--target", "today", "--target", "continuity>=0.8", "--blocks", "1", "--replications", "3",
                            "--days", "10", "-w", "1", "--out", str(out))
    assert code == 0, err
    res = load_results(out)
    summary = json.loads((out / "summary.json").read_text())
    case = summary["business_case"]
    central = case["setups"]["central"]
    figs = figures_for(res)
    names = [f.name for f in figs]
    assert names[:3] == ["waterfall_central", "gain_loss", "service_curve"]  # where the saving comes from first
    page = render_html(res, figs)
    # the answer first: the business case before the long KPI table
    assert page.index("Business case: the answer against today") < page.index("<h2>Key figures</h2>")
    assert page.index('id="fig-gain_loss"') < page.index('id="fig-service_curve"') < page.index("Key figures")
    # the headline numbers are summary.json's
    lines = headline(case)
    assert lines and all(html.escape(line) in page for line in lines)
    assert f"{central['fte']:.1f} FTE" in lines[0] or fmt_iv(central["fte_least"], 1) in lines[0]
    # cost and saving reconcile: the saving is 1 - the (mean least) cost over the baseline's; the recommended
    # staffing's saving is its own cost's
    assert central["saving_share"] == pytest.approx(
        1 - central["cost_per_year_least"] / central["cost_per_year_reference"], abs=1e-12)
    assert central["saving_share_recommended"] == pytest.approx(
        1 - central["cost_per_year"] / central["cost_per_year_reference"], abs=1e-12)  # today: fixed
    assert f"{central['cost_per_year_least']:,.0f}" in page and f"{central['cost_per_year']:,.0f}" in page
    # a negative saving is written as an extra cost of its size
    assert f"{100 * abs(central['saving_share_ci']['mean']):.1f}%" in lines[0]
    assert ("extra cost" in lines[0]) == (central["saving_share_ci"]["mean"] < 0)
    assert f"against today ({case['reference']}, {case['today_fte']:.1f} FTE)" in plain(page)
    # the gain/loss table: every loss beyond the tolerance marked, with summary.json's change in points
    for g in central["gain_loss"]:
        mark = {"loss": "!", "gain": "+"}.get(g["verdict"], "")
        assert f"{g['better_points']:+.1f}{mark}" in page
    # the roster HR reads: each secretary of the recommended staffing with her new hours
    for r in central["roster"]:
        assert f"<td class=\"text\">{html.escape(r['name'])}</td>" in page
    # the norms in captions are the search's own, not hard-coded
    targets = staff_targets(res)
    assert f"reachability {100 * targets['reachability']:.4g}% or more" in page


def test_report_headline_carries_the_input_uncertainty_of_a_sim_uncertainty_run_in_the_folder(tmp_path, capsys):
    """The first screen states the saving with the inputs' uncertainty and P(saving >= 15%), verbatim from the
    uncertainty run's summary.json; without such a run it says the interval covers simulation noise only."""
    out = tmp_path / "case"
    configs = [str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml")]
    small = ["--replications", "2", "--days", "5", "-w", "1"]
    code, _, err = cli_here(capsys, "staff", *configs, "--target", "today", "--target", "continuity=off",
                            "--blocks", "1", "--no-waterfall", *small, "--out", str(out))
    assert code == 0, err
    page = render_html(load_results(out), [])
    assert "cover the simulation&#x27;s noise only" in page or "noise only" in plain(page)
    assert "sim uncertainty" in page and "--target today" in page  # the command to run, with the same targets
    code, _, err = cli_here(capsys, "uncertainty", *configs, "--target", "today", "--target", "continuity=off",
                            "--points", "2", "--nominal-blocks", "2", *small, "--out", str(out / "uncertainty"))
    assert code == 0, err
    unc = json.loads((out / "uncertainty" / "summary.json").read_text())
    page = render_html(load_results(out), [])
    first = page[page.index('id="headline"'):page.index('id="first-screen"')]
    assert unc["headline"] and all(html.escape(line.strip()) in first for line in unc["headline"])
    p = unc["uncertainty"]["setups"]["central"]["saving"]["p_reaches_goal"]
    assert f"P(saving &gt;= 15%) = {100 * p:.0f}%" in first
    assert "noise only" not in first
