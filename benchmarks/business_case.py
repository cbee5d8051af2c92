"""Wall time of the business case: ``sim staff`` on the three shipped setups at the default precision, and
``sim sensitivity`` over the default parameters.

Targets (issues 13 and 22): the business case in at most 2 minutes on 2 cores, also against today's service
(``--target today``); with sensitivity over about 10 parameters in at most 20 minutes. Each command runs once,
in a fresh output folder, as a user would run it (``python -m sim ...``); the table gives wall and CPU seconds
(children included), the replications run, and the load average before and after (other programs on a shared
machine slow it down; say so with the figures).

    python benchmarks/business_case.py                      # both, the defaults
    python benchmarks/business_case.py --skip-sensitivity   # the business case only
    python benchmarks/business_case.py --skip-sensitivity --variants "today, continuity>=0.8"
    python benchmarks/business_case.py --days 5 -r 3 --params occupancy   # a quick smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUPS = ["configs/decentral.yaml", "configs/central.yaml", "configs/central_hnw.yaml"]
#: The questions timed: the fixed norms with and without the occupancy ceiling, and today's service (issue 22's
#: iso-service) with continuity held at 80% per department or left to the gain/loss table.
VARIANTS = {
    "today, continuity>=0.8": ["--target", "today", "--target", "continuity>=0.8"],
    "today, continuity off": ["--target", "today", "--target", "continuity=off"],
    "norms, occupancy ceiling on": [],
    "norms, occupancy ceiling off": ["--target", "utilisation=off"],
}


def run(args: list[str]) -> tuple[float, float, dict]:
    """(wall s, CPU s of the child processes, the --json summary) of one ``sim`` command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sim", *args, "--json"], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"sim {' '.join(args)} failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(done.stdout)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=None, help="working days per replication (default: the configs')")
    ap.add_argument("-r", "--replications", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--params", nargs="*", default=[], help="sensitivity parameters (default: all)")
    ap.add_argument("--skip-sensitivity", action="store_true")
    ap.add_argument("--blocks", default=None, help="--blocks for sim staff (default: its own)")
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS),
                    help="which questions to time (default: all)")
    a = ap.parse_args()
    common = ["-w", str(a.workers)]
    if a.days:
        common += ["--days", str(a.days)]
    if a.replications:
        common += ["-r", str(a.replications)]
    rows = []
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for k, label in enumerate(a.variants):
            args = ["staff", *SETUPS, *common, "--out", f"{tmp}/staff-{k}", *VARIANTS[label]]
            if a.blocks:
                args += ["--blocks", a.blocks]
            wall, cpu, summary = run(args)
            case = summary["business_case"]
            runs = sum(st["replications_run"] for st in summary["setups"].values())
            rows.append((f"sim staff, 3 setups, {label}", wall, cpu, runs))
            ceiling = label
            for name, row in case["setups"].items():
                f = row["fte_least"]
                sv = row["saving_share_ci"]
                saving = "-" if sv is None else f"{100 * sv['mean']:.1f}% [{_pct(sv['ci_low'])}, {_pct(sv['ci_high'])}]"
                print(f"  ceiling {ceiling}: {name}: least FTE {f['mean']:.2f} [{_num(f['ci_low'])}, "
                      f"{_num(f['ci_high'])}] recommended {row['fte']:.1f}; saving {saving}; "
                      f"binding {list(row['binding_norms'])[:3]}", flush=True)
        if not a.skip_sensitivity:
            args = ["sensitivity", SETUPS[0], SETUPS[1], *common, "--out", f"{tmp}/sens"]
            for p in a.params:
                args += ["--param", p]
            wall, cpu, summary = run(args)
            rows.append((f"sim sensitivity, {len(summary['parameters'])} parameters", wall, cpu, None))
            for r in summary["parameters"][:5]:
                be = "not within range" if r["break_even"] is None else f"{r['break_even']:.3g}"
                print(f"  sensitivity: {r['parameter']}: saving {100 * r['saving_low']:.1f}% .. "
                      f"{100 * r['saving_high']:.1f}%, break-even {be}", flush=True)
    load1 = os.getloadavg()
    print(f"\nload average (1, 5, 15 min) before {load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}, "
          f"after {load1[0]:.1f} {load1[1]:.1f} {load1[2]:.1f}; {os.cpu_count()} cores\n")
    print("| command | wall s | CPU s (children) | replications |")
    print("|---|---|---|---|")
    for name, wall, cpu, runs in rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {'-' if runs is None else runs} |")


if __name__ == "__main__":
    main()
