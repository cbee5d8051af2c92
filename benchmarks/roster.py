"""Wall time of ``sim roster`` on the shipped configs (goal: at most 5 minutes on 2 cores for central).

    python benchmarks/roster.py [configs/central.yaml ...]

Runs the command as a user would (4 replications per roster on the config's run length, 2 workers) and prints
the wall time, the roster's FTE and cost against today's, the rounds and what the SIPP-only roster missed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(configs: list[str]) -> None:
    for config in configs or ["configs/central.yaml"]:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            res = subprocess.run([sys.executable, "-m", "sim", "roster", config, "--workers", "2", "--out", tmp,
                                  "--overwrite", "--json"], cwd=ROOT, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - t0
            if res.returncode not in (0, 1):
                print(config, "failed:", res.stderr.strip().splitlines()[-1:])
                continue
            s = json.loads(res.stdout)
            r, today = s.get("roster", {}), s["today"]
            print(f"{config}: {wall:.0f} s wall; roster {r.get('fte', float('nan')):.2f} FTE, "
                  f"{r.get('cost_per_year', float('nan')):,.0f} a year against today's {today['fte']:.2f} FTE, "
                  f"{today['cost_per_year']:,.0f}; solver {r.get('solver')}, gap {r.get('gap_hours')} h; "
                  f"rounds {len(s['rounds'])}, met {s['met']}; SIPP-only missed: "
                  f"{s.get('sipp_only', {}).get('failing') or 'nothing'}")


if __name__ == "__main__":
    main(sys.argv[1:])
