"""Shared helpers of the benchmark scripts: timing, peak memory and plain-text tables.

Timings are wall-clock seconds of one call, and the CPU seconds this process spent in it (on a shared machine
the CPU time is the steadier of the two: it leaves out the time other programs held the core), taken without
any memory tracing. The scripts repeat each case, interleaving the cases so that a burst of load from other
users of the machine hits them all alike, and report medians. Memory is measured in a separate, untimed pass:
the peak of Python's traced heap during the call (``tracemalloc``; numpy arrays are traced too), which leaves
out the interpreter and the imported modules.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple


class Timing(NamedTuple):
    wall: float
    cpu: float


def timed(fn: Callable[[], Any]) -> tuple[Timing, Any]:
    """(wall and CPU seconds, result) of one call, after a garbage collection so that earlier runs' garbage
    does not bill this one."""
    gc.collect()
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return Timing(time.perf_counter() - t, time.process_time() - c), out


def peak_mb(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(peak traced memory in MB, result) of one call."""
    gc.collect()
    tracemalloc.start()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6, out


def interleaved(cases: dict[Any, Callable[[], Any]], repeat: int) -> dict[Any, list[Timing]]:
    """Run every case ``repeat`` times, round-robin; the timings of each case."""
    times: dict[Any, list[Timing]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            times[name].append(timed(fn)[0])
    return times


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def medians(timings: Sequence[Timing]) -> Timing:
    """Median wall time and median CPU time of repeated runs."""
    return Timing(median([t.wall for t in timings]), median([t.cpu for t in timings]))


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (it reads as plain text too)."""

    def cell(x: Any) -> str:
        if isinstance(x, float):
            return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"
        if isinstance(x, int):
            return f"{x:,}"
        return "" if x is None else str(x)

    cells = [[cell(x) for x in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    return "\n".join(lines)
