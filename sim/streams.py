"""Named random streams: one numpy generator per named process, spawned from the replication's seed.

Every random quantity of a replication comes from a stream named after the process that draws it
("calls/Finance", "sickness/Anna", ...). A stream's seed depends only on the replication seed and its name,
never on the organisation, so two setups compared on the same seed see the same calls, mail and meetings
(common random numbers), and adding a department does not shift anyone else's draws.

Draws are buffered in blocks: numpy is fast per array and slow per scalar, and the event loop asks for
scalars. Buffering does not change the sequence a stream yields.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from sim.config import Dist

_BLOCK: Final = 512
_EMPTY: Final = memoryview(b"")


class Stream:
    """One named random stream with buffered uniform, exponential and normal draws."""

    __slots__ = ("name", "rng", "_u", "_e", "_n", "_ui", "_ei", "_ni")

    def __init__(self, seed: int, name: str) -> None:
        self.name = name
        seq = np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode("utf-8")),))
        self.rng = np.random.Generator(np.random.PCG64(seq))
        # each buffer is a block of draws seen through a memoryview (8 bytes a draw, no Python float until it
        # is drawn) and the index of the next draw in it
        self._u: Any = _EMPTY
        self._e: Any = _EMPTY
        self._n: Any = _EMPTY
        self._ui = self._ei = self._ni = _BLOCK

    def random(self) -> float:
        """A uniform draw in [0, 1)."""
        i = self._ui
        if i == _BLOCK:
            self._u = self.rng.random(_BLOCK).data
            i = 0
        self._ui = i + 1
        return self._u[i]  # type: ignore[no-any-return]

    def exponential(self) -> float:
        """A standard exponential draw (mean 1)."""
        i = self._ei
        if i == _BLOCK:
            self._e = self.rng.standard_exponential(_BLOCK).data
            i = 0
        self._ei = i + 1
        return self._e[i]  # type: ignore[no-any-return]

    def normal(self) -> float:
        """A standard normal draw."""
        i = self._ni
        if i == _BLOCK:
            self._n = self.rng.standard_normal(_BLOCK).data
            i = 0
        self._ni = i + 1
        return self._n[i]  # type: ignore[no-any-return]

    def poisson(self, mean: float) -> int:
        return int(self.rng.poisson(mean)) if mean > 0 else 0

    def integers(self, low: int, high: int) -> int:
        """A uniform integer in [low, high)."""
        return low + min(int(self.random() * (high - low)), high - low - 1)


class Streams:
    """The streams of one replication, created on first use by name."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, Stream] = {}

    def __getitem__(self, name: str) -> Stream:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = Stream(self.seed, name)
        return stream


def sampler(dist: Dist, stream: Stream, scale: float = 1.0) -> Callable[[], float]:
    """A function that draws from ``dist`` (times ``scale``) using ``stream``."""
    mean = dist.mean * scale
    kind = dist.dist
    if kind == "deterministic" or (dist.cv == 0 and kind != "exponential"):
        return lambda: mean
    if kind == "exponential":
        exp = stream.exponential
        return lambda: mean * exp()
    if kind == "lognormal":
        sigma = math.sqrt(math.log1p(dist.cv**2))
        mu = math.log(mean) - sigma * sigma / 2
        normal = stream.normal
        return lambda: math.exp(mu + sigma * normal())
    if kind == "gamma":
        shape = 1.0 / dist.cv**2
        theta = mean / shape
        rng = stream.rng
        return lambda: float(rng.gamma(shape, theta))
    half = mean * dist.cv * math.sqrt(3.0)  # uniform with the given mean and cv
    rand = stream.random
    return lambda: mean - half + 2 * half * rand()
