"""Wall time of the whole business case against today, as a finance department asks for it (issue 23): the three
shipped setups' least staffing at today's service (``sim staff``), the saving's interval with the inputs'
stated uncertainty (``sim uncertainty``), the tornado with break-even values (``sim sensitivity``), and the
report that puts them on one page (``sim report``). Each command runs once, as a user would run it
(``python -m sim ...``), into one results folder (the uncertainty and sensitivity runs in subfolders, where
the report finds them).

Target: the whole case in at most 10 minutes on 2 cores. Printed: each command's wall and CPU seconds
(children included), the load average before and after (on a shared machine other programs slow it down:
say so with the figures), and the answers: the staffing headline, the saving as "simulation +-x, inputs
+-y" with P(saving >= 15%), and the tornado's top five with their break-even values.

    python benchmarks/whole_case.py                       # the defaults of every command
    python benchmarks/whole_case.py --points 8 --days 10  # a smaller design
    python benchmarks/whole_case.py --quick               # a smoke run (seconds): tiny designs
    python benchmarks/whole_case.py --keep results/case   # keep the folder (and its report.html)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPS = ["configs/decentral.yaml", "configs/central.yaml", "configs/central_hnw.yaml"]
#: The question: today's service in every department; continuity is left out (a pool shares work by design,
#: so "no worse than today" on continuity asks for the decentral organisation back; see benchmarks/README.md)
TARGETS = ["today", "continuity=off"]


def run(args: list[str], log: Path) -> tuple[float, float]:
    """Wall and CPU seconds (children) of ``python -m sim ARGS``; exits on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    with open(log, "a") as fh:
        fh.write(f"\n$ sim {' '.join(args)}\n")
        fh.flush()
        done = subprocess.run([sys.executable, "-m", "sim", *args], stdout=fh, stderr=fh, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"sim {' '.join(args)} failed (exit {done.returncode}; see {log})")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=None, help="sim uncertainty's input points (its default: 24)")
    ap.add_argument("--days", type=int, default=None, help="working days per replication (the configs': 40)")
    ap.add_argument("-r", "--replications", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="tiny designs: a smoke run of the pipeline")
    ap.add_argument("--keep", default=None, help="the results folder to keep (default: a temporary one)")
    a = ap.parse_args(argv)
    common: list[str] = []
    for t in TARGETS:
        common += ["--target", t]
    if a.quick:
        a.days, a.replications, a.points = a.days or 5, a.replications or 2, a.points or 2
    for flag, v in (("--days", a.days), ("-r", a.replications)):
        if v is not None:
            common += [flag, str(v)]
    tmp = tempfile.mkdtemp()
    folder = Path(a.keep).resolve() if a.keep else Path(tmp) / "case"
    if folder.exists():
        shutil.rmtree(folder)
    log = Path(tmp) / "log.txt"
    staff = ["staff", *SETUPS, *common] + (["--blocks", "1"] if a.quick else [])
    unc = ["uncertainty", *SETUPS, *common] + (["--points", str(a.points)] if a.points else []) \
        + (["--nominal-blocks", "2"] if a.quick else [])
    sens = ["sensitivity", SETUPS[0], SETUPS[1], "--baseline", "config", *common] \
        + (["--param", "demand", "--param", "manager_fte", "--points", "3"] if a.quick else [])
    load0 = os.getloadavg()
    times = {}
    times["staff"] = run([*staff, "--out", str(folder)], log)
    times["uncertainty"] = run([*unc, "--out", str(folder / "uncertainty")], log)
    times["sensitivity"] = run([*sens, "--out", str(folder / "sensitivity")], log)
    times["report"] = run(["report", str(folder)], log)
    load1 = os.getloadavg()
    total = sum(w for w, _ in times.values())
    print(f"whole case in {folder}: {total:.0f} s wall ({total / 60:.1f} min; target 10 min), "
          f"{sum(c for _, c in times.values()):.0f} CPU s; load average {load0[0]:.1f} before, {load1[0]:.1f} after")
    for name, (w, c) in times.items():
        print(f"    {name:<12}{w:>7.0f} s wall{c:>8.0f} CPU s")
    case = json.loads((folder / "summary.json").read_text())
    for line in case["business_case"]["headline"]:
        print("staff: " + line)
    for line in json.loads((folder / "uncertainty" / "summary.json").read_text())["headline"]:
        print("uncertainty: " + line.strip())
    sensitivity = json.loads((folder / "sensitivity" / "summary.json").read_text())
    print("tornado, top five (saving low .. high over the range; break-even):")
    for r in sensitivity["parameters"][:5]:
        be = r.get("break_even")
        print(f"    {r['label']:<48}{r['low']:g}..{r['high']:g}: {100 * r['saving_low']:.1f}% .. "
              f"{100 * r['saving_high']:.1f}%; break-even {'not within range' if be is None else f'{be:.4g}'}")
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
