"""Wall time of the business case with input uncertainty: ``sim uncertainty`` on the three shipped setups
(decentral as today's organisation, central and central_hnw) against today's staffing.

Target (issue 23): the whole case, the interval covering the inputs' stated uncertainty included, in at most
10 minutes on 2 cores. The command runs once, as a user would run it (``python -m sim uncertainty ...``), in a
fresh folder; printed: wall and CPU seconds (children included), the replications run, the load average before
and after (on a shared machine other programs slow it down: say so with the figures), and per setup the saving
as "simulation +-x, inputs +-y" with its combined interval and P(saving >= 15%).

    python benchmarks/uncertainty.py                        # the defaults (24 points x 1 block, 3 nominal)
    python benchmarks/uncertainty.py --points 12 --days 20  # a smaller design
    python benchmarks/uncertainty.py --points 3 --days 5 -r 3   # a quick smoke run
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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=None)
    ap.add_argument("--blocks", type=int, default=None)
    ap.add_argument("--nominal-blocks", type=int, default=None)
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("-r", "--replications", type=int, default=None)
    ap.add_argument("--setups", nargs="+", default=SETUPS)
    ap.add_argument("--target", action="append", default=[])
    ap.add_argument("--log", default=None, help="Write the command's progress here (default: discard).")
    a = ap.parse_args(argv)
    args = ["uncertainty", *a.setups]
    for flag, v in (("--points", a.points), ("--blocks", a.blocks), ("--nominal-blocks", a.nominal_blocks),
                    ("--days", a.days), ("-r", a.replications)):
        if v is not None:
            args += [flag, str(v)]
    for t in a.target:
        args += ["--target", t]
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "unc"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        with open(a.log or os.devnull, "w") as log:
            done = subprocess.run([sys.executable, "-m", "sim", *args, "--out", str(out)], stdout=log,
                                  stderr=log, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            sys.exit(f"sim {' '.join(args)} failed (exit {done.returncode}; see --log)")
        summary = json.loads((out / "summary.json").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    load1 = os.getloadavg()
    res = summary["uncertainty"]
    print(f"sim {' '.join(args)}")
    print(f"wall {wall:.0f} s, CPU {cpu:.0f} s (children); {res['points']} points x {res['blocks']} block(s), "
          f"{res['nominal_blocks']} nominal blocks, {res['replications']} replications per candidate, "
          f"{summary['replications_run']} replications run; "
          f"load average {load0[0]:.1f} before, {load1[0]:.1f} after")
    for line in summary["headline"]:
        print(line)


if __name__ == "__main__":
    main()
