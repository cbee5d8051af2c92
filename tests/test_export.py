"""sim export: a results folder as one Excel workbook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONFIGS, ROOT

openpyxl = pytest.importorskip("openpyxl")


def sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=600)


def rows(book: object, sheet: str) -> list[tuple[object, ...]]:
    return list(book[sheet].iter_rows(values_only=True))  # type: ignore[index]


def test_export_a_comparison(tmp_path: Path) -> None:
    res = tmp_path / "cmp"
    made = sim("compare", str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml"), "-r", "2", "--days", "2",
               "--set", "run.warmup_days=1", "-w", "1", "--out", str(res))
    assert made.returncode == 0, made.stderr
    out = tmp_path / "cmp.xlsx"
    proc = sim("export", str(res), str(out))
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[:4] == ["About", "KPIs", "Differences", "KPIs per replication"]
    kpis = rows(book, "KPIs")
    assert kpis[0] == ("setup", "kpi", "mean", "sd", "ci_low", "ci_high", "n", "method")
    reach = {r[0]: r for r in kpis if r[1] == "reachability"}
    assert set(reach) == {"decentral", "central"} and isinstance(reach["central"][2], int | float)  # 1.0 reads as 1
    assert reach["central"][4] <= reach["central"][2] <= reach["central"][5]
    diff = rows(book, "Differences")
    assert diff[0][-1] == "significant" and isinstance(diff[1][-1], bool)
    per_dept = rows(book, "per_department mean")
    assert per_dept[0][:3] == ("setup", "department", "replications")
    assert len(per_dept) == 1 + 2 * 9 and all(r[2] == 2 for r in per_dept[1:])
    again = sim("export", str(res), str(out))
    assert again.returncode == 2 and "exists" in again.stderr


def test_export_a_single_run(tmp_path: Path) -> None:
    res = tmp_path / "run"
    assert sim("run", str(CONFIGS / "central.yaml"), "--days", "2", "--set", "run.warmup_days=1", "--out",
               str(res)).returncode == 0
    assert sim("export", str(res)).returncode == 0
    book = openpyxl.load_workbook(res / "results.xlsx", read_only=True)
    kpi = dict(r for r in rows(book, "KPIs")[1:])  # type: ignore[misc]
    assert 0 <= kpi["reachability"] <= 1  # type: ignore[operator]
    assert "per_department" in book.sheetnames
    bad = sim("export", str(tmp_path / "nothing"))
    assert bad.returncode == 2 and "no such results folder" in bad.stderr


def test_export_a_staffing_search_has_the_business_case_sheets(tmp_path: Path) -> None:
    res = tmp_path / "staff"
    made = sim("staff", str(CONFIGS / "decentral.yaml"), str(CONFIGS / "central.yaml"), "--blocks", "1",
               "--replications", "3", "--days", "10", "--target", "today", "--target", "continuity>=0.8", "-w", "1",
               "--out", str(res))
    assert made.returncode == 0, made.stderr
    out = tmp_path / "staff.xlsx"
    assert sim("export", str(res), str(out)).returncode == 0
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames[:5] == ["About", "KPIs", "roster", "gain_loss", "service_curve"]
    gain_loss = rows(book, "gain_loss")
    assert gain_loss[0] == ("setup", "department", "kpi", "today", "new", "better_points", "tolerance_points",
                            "verdict")
    assert {r[0] for r in gain_loss[1:]} == {"central"} and {r[7] for r in gain_loss[1:]} <= {"gain", "loss", "same"}
    curve = rows(book, "service_curve")
    assert curve[0][:3] == ("setup", "fte", "feasible") and len(curve) > 1 and isinstance(curve[1][1], float)
