"""Where the saving comes from (sim.decisions.waterfall): the steps add up to the reported saving, and the report leads
with the answer (headline, waterfall) in its first screen, with summary.json's numbers."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.decisions.business import CostModel, fmt_iv, headline
from sim.decisions.waterfall import steps
from sim.presentation.report import figures_for, load_results, render_html

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_steps_telescope_to_the_reported_saving():
    today = CostModel(62000.0, 0.0, 0.0, 0.01, 0.0, 0.0, 0.0)
    alt = CostModel(63000.0, 0.5, 90000.0, 0.02, 50000.0, 1500.0, 0.0, horizon_years=4)
    end = alt.yearly(9.3)["total"]
    wf = steps(12.0, today, alt, [("pooling", 11.8), ("occupancy", 9.0), ("custom_penalty", 9.3)], end,
               alt.one_off(9.3)["total"])
    start = today.yearly(12.0)["total"]
    assert [r["step"] for r in wf["steps"]] == ["cost_per_fte", "pooling", "occupancy", "custom_penalty",
                                                "coordination", "manager"]
    assert sum(r["saving"] for r in wf["steps"]) == pytest.approx(start - end, abs=1e-6)
    assert wf["steps"][-1]["cost_after"] == end and wf["end_cost"] == end
    for a, b in zip(wf["steps"], wf["steps"][1:], strict=False):  # each step starts where the last ended
        assert a["cost_after"] == b["cost_before"]
    assert wf["steps"][1]["saving"] == pytest.approx(0.2 * 63000)
    assert wf["after"][0]["saving"] == pytest.approx(-alt.one_off(9.3)["total"] / 4)


@pytest.fixture(scope="module")
def staff_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from unittest import mock

    from sim.cli import main

    out = tmp_path_factory.mktemp("wf") / "case"
    args = ["staff", str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml"), "--target", "today",
            "--target", "continuity=off", "--blocks", "1", "-r", "2", "--days", "5", "-w", "1", "--out", str(out)]
    with mock.patch("sys.argv", ["sim", *args]), pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code in (0, None)
    return out


def test_the_waterfall_of_a_tiny_run_adds_up_to_the_business_case(staff_folder):
    case = json.loads((staff_folder / "summary.json").read_text())["business_case"]
    row = case["setups"]["central"]
    wf = row["waterfall"]
    assert "waterfall" not in case["setups"]["decentral"]  # today is not compared with itself
    assert [r["step"] for r in wf["steps"]] == ["pooling", "shrinkage", "occupancy", "custom_penalty",
                                                "coordination", "manager"]
    assert sum(r["saving"] for r in wf["steps"]) == pytest.approx(row["saving_euro"], abs=1e-6)
    assert wf["saving"] == pytest.approx(row["saving_euro"], abs=1e-6)
    assert wf["start_cost"] - wf["end_cost"] == pytest.approx(row["saving_euro"], abs=1e-6)
    assert wf["steps"][3]["fte_after"] == pytest.approx(row["fte_least"]["mean"])
    assert wf["steps"][0]["fte_before"] == pytest.approx(case["today_fte"])
    assert wf["steps"][0]["settings"]["custom_penalty"] == 1.0
    assert wf["steps"][2]["settings"]["occupancy"] == pytest.approx(0.85)
    assert wf["steps"][0]["settings"]["occupancy"] == pytest.approx(wf["today_occupancy_without_shrinkage"])
    with open(staff_folder / "waterfall.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["step"] for r in rows][0] == "today" and "one_off" in [r["step"] for r in rows]
    assert sum(float(r["saving"]) for r in rows if r["subtotal"] == "False" and r["step"] != "one_off") == \
        pytest.approx(row["saving_euro"], abs=1e-6)


def test_the_report_s_headline_numbers_are_summary_json_s(staff_folder):
    summary = json.loads((staff_folder / "summary.json").read_text())
    case = summary["business_case"]
    row = case["setups"]["central"]
    res = load_results(staff_folder)
    page = render_html(res, figures_for(res))
    text = re.sub(r"<[^>]+>", "", page)
    first = page[:page.index("<h2>Key figures</h2>")]
    assert summary["headline"] == headline(case)
    for line in summary["headline"]:
        assert html.escape(line) in first
    # each number of the headline is summary.json's
    line = html.unescape(summary["headline"][0])
    assert f"central needs {fmt_iv(row['fte_least'], 1)} FTE" in line
    assert f"against {case['today_fte']:.1f} FTE" in line
    assert f"{100 * row['saving_share_ci']['mean']:.1f}%" in line
    assert list(row["binding_norms"])[0] in line
    # the waterfall: figure first, its caption with the FTE and the norms of the config
    assert page.index('id="headline"') < page.index('id="fig-waterfall_central"') < page.index("Key figures")
    assert f"({row['fte_least']['mean']:.1f} FTE, the mean" in text
    assert "raised to 85%" in text
    # the assumptions that move the answer, with their source notes
    for label in ("occupancy ceiling (norm)", "shrinkage", "manager", "coordination overhead",
                  "reorganisation, once", "cost of one FTE", "work times (mean)", "calls",
                  "custom work done by someone else takes", "caller patience (mean)"):
        assert f"<td>{label} <span" in page or f"<td>{label}</td>" in page, label
    assert "ASSUMPTION: the workforce-management convention" in page


PROBE = """<pre id="first-check"></pre><script>
window.addEventListener('load', function () {
  function box(sel) { var e = document.querySelector(sel); if (!e) return null;
    var r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }
  document.getElementById('first-check').textContent = JSON.stringify({
    headline: box('#headline'), waterfall: box('#fig-waterfall_central img'), side: box('.side'),
    flip: box('.side h3:last-of-type'), text: document.querySelector('#headline').innerText,
    height: window.innerHeight, scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth});
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_the_answer_is_in_the_browser_s_first_screen(staff_folder, tmp_path):
    summary = json.loads((staff_folder / "summary.json").read_text())
    res = load_results(staff_folder)
    page = render_html(res, figures_for(res))
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000"]
    for size, side_by_side in (("1280,900", True), ("390,844", False)):
        dom = subprocess.run([CHROMIUM, *flags, f"--window-size={size}", "--dump-dom", probe.as_uri()],
                             capture_output=True, text=True, timeout=120)
        found = re.search(r'<pre id="first-check">(.*?)</pre>', dom.stdout, re.S)
        assert found and found.group(1), dom.stderr[-2000:]
        check = json.loads(html.unescape(found.group(1)))
        assert check["height"] > 0
        screen = int(size.split(",")[1])
        assert check["headline"]["bottom"] <= screen  # the headline is in the first screen
        assert " ".join(check["text"].split()) == " ".join(html.unescape(summary["headline"][0]).split())
        if side_by_side:  # at 1280 px: the waterfall, who gains and loses and what would flip it, too
            assert check["scroll"] <= check["client"]  # no horizontal scroll
            assert check["waterfall"]["bottom"] <= screen
            assert check["side"]["left"] >= check["waterfall"]["right"] - 1
            assert check["flip"]["bottom"] <= screen
        else:  # a phone: the waterfall starts in the first screen, below the headline
            assert check["waterfall"]["top"] < screen
