"""Named random streams: one numpy generator per named process, spawned from the replication's seed.

Every random quantity of a replication comes from a stream named after the process that draws it
("calls/Finance", "absence/Anna", ...). A stream's seed depends only on the replication seed and its name,
never on the organisation, so two setups compared on the same seed see the same calls, mail and meetings
(common random numbers), and adding a department does not shift anyone else's draws.

Draws are buffered in blocks: numpy is fast per array and slow per scalar, and the event loop asks for
scalars. Uniform, exponential and normal draws each come from a buffer of 512 that is refilled from the
stream's one generator when it runs out. What buffering keeps: a stream's draws depend only on the seed, its
name and the order of the calls made on it, so the same calls give the same numbers (reproducible, and common
random numbers across setups); and a stream that draws one kind only yields exactly what one scalar draw at a
time from the generator would (numpy's block and scalar draws agree). What it changes: on a stream that mixes
kinds, a refill takes a whole block from the generator at once, so a draw of another kind, a ``poisson()``
or a gamma (both drawn from the generator directly) comes after the whole block, not after the draws used so
far; such a stream's numbers differ from unbuffered scalar draws, and drawing one more uniform can shift a
later Poisson or gamma draw when it makes a refill come earlier. The block size is therefore part of the
results: changing ``_BLOCK`` changes them.
"""

from __future__ import annotations

import math
import zlib
from typing import Any, Final

from numpy.random import PCG64, Generator, SeedSequence

from sim.config import Dist

_BLOCK: Final = 512
#: Draws turned into Python floats at a time (a divisor of _BLOCK; no effect on the numbers).
_CHUNK: Final = 32
_EMPTY: Final = memoryview(b"")


class Stream:
    """One named random stream with buffered uniform, exponential and normal draws."""

    __slots__ = ("name", "rng", "_u", "_e", "_n", "_ub", "_eb", "_nb", "_uc", "_ec", "_nc", "_ui", "_ei", "_ni")

    def __init__(self, seed: int, name: str) -> None:
        self.name = name
        # the classes imported by name: ``np.random`` is looked up through numpy's module __getattr__, Python
        # code, which took as long as a thousand draws for each stream made
        seq = SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode("utf-8")),))
        self.rng = Generator(PCG64(seq))
        # Each kind of draw has a block of _BLOCK draws seen through a memoryview (8 bytes a draw, no Python
        # float until it is needed) and the position of its next chunk in it (_ub, ...), and a chunk of _CHUNK
        # of them as Python floats (_uc, ...) with the index of the next draw in it (_ui, ...). Compiled, taking
        # an item of a list of floats is a few instructions, of a memoryview a generic call that boxes the
        # index; and floats only a chunk at a time keep a run's ~300 buffers small (a list of all 512 draws per
        # buffer spilled the caches). The chunks change nothing in what is drawn, nor when a block is drawn.
        self._u: Any = _EMPTY
        self._e: Any = _EMPTY
        self._n: Any = _EMPTY
        self._ub = self._eb = self._nb = _BLOCK
        self._uc: list[float] = []
        self._ec: list[float] = []
        self._nc: list[float] = []
        self._ui = self._ei = self._ni = _CHUNK

    def random(self) -> float:
        """A uniform draw in [0, 1)."""
        i = self._ui
        if i == _CHUNK:
            b = self._ub
            if b == _BLOCK:
                self._u = self.rng.random(_BLOCK).data
                b = 0
            self._uc = self._u[b:b + _CHUNK].tolist()
            self._ub = b + _CHUNK
            i = 0
        self._ui = i + 1
        return self._uc[i]

    def exponential(self) -> float:
        """A standard exponential draw (mean 1)."""
        i = self._ei
        if i == _CHUNK:
            b = self._eb
            if b == _BLOCK:
                self._e = self.rng.standard_exponential(_BLOCK).data
                b = 0
            self._ec = self._e[b:b + _CHUNK].tolist()
            self._eb = b + _CHUNK
            i = 0
        self._ei = i + 1
        return self._ec[i]

    def normal(self) -> float:
        """A standard normal draw."""
        i = self._ni
        if i == _CHUNK:
            b = self._nb
            if b == _BLOCK:
                self._n = self.rng.standard_normal(_BLOCK).data
                b = 0
            self._nc = self._n[b:b + _CHUNK].tolist()
            self._nb = b + _CHUNK
            i = 0
        self._ni = i + 1
        return self._nc[i]

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


#: Sampler kinds.
_FIXED: Final = 0
_EXPONENTIAL: Final = 1
_LOGNORMAL: Final = 2
_GAMMA: Final = 3
_UNIFORM: Final = 4
_WEIBULL: Final = 5


def weibull_shape(cv: float) -> float:
    """The Weibull shape k whose coefficient of variation is ``cv``: cv^2 = G(1 + 2/k) / G(1 + 1/k)^2 - 1,
    decreasing in k (bisection on log k)."""
    lo, hi = math.log(0.05), math.log(200.0)
    for _ in range(100):
        mid = (lo + hi) / 2
        k = math.exp(mid)
        g1 = math.lgamma(1 + 1 / k)
        value = math.sqrt(max(math.exp(math.lgamma(1 + 2 / k) - 2 * g1) - 1, 0.0))
        if value > cv:
            lo = mid
        else:
            hi = mid
    return math.exp((lo + hi) / 2)


class Sampler:
    """Draws from ``dist`` (times ``scale``) using ``stream``: ``draw()``.

    A class rather than a closure so that the compiled model calls ``draw`` directly, with no Python call
    in between."""

    __slots__ = ("stream", "kind", "mean", "a", "b")

    def __init__(self, dist: Dist, stream: Stream, scale: float = 1.0) -> None:
        self.stream = stream
        self.mean = mean = dist.mean * scale
        kind = dist.dist
        self.a = self.b = 0.0  # the parameters of the kind
        if kind == "deterministic" or (dist.cv == 0 and kind != "exponential"):
            self.kind = _FIXED
        elif kind == "exponential":
            self.kind = _EXPONENTIAL
        elif kind == "lognormal":
            self.kind = _LOGNORMAL
            sigma = math.sqrt(math.log1p(dist.cv**2))
            self.a, self.b = math.log(mean) - sigma * sigma / 2, sigma  # mu, sigma of the normal
        elif kind == "gamma":
            self.kind = _GAMMA
            shape = 1.0 / dist.cv**2
            self.a, self.b = shape, mean / shape  # shape, scale
        elif kind == "weibull":
            self.kind = _WEIBULL
            shape = weibull_shape(dist.cv)
            self.a, self.b = mean / math.exp(math.lgamma(1 + 1 / shape)), 1 / shape  # scale, 1 / shape
        else:  # uniform with the given mean and cv
            self.kind = _UNIFORM
            self.a = mean * dist.cv * math.sqrt(3.0)  # half width

    def draw(self) -> float:
        kind = self.kind
        if kind == _EXPONENTIAL:
            return self.mean * self.stream.exponential()
        if kind == _LOGNORMAL:
            return math.exp(self.a + self.b * self.stream.normal())
        if kind == _FIXED:
            return self.mean
        if kind == _GAMMA:
            return float(self.stream.rng.gamma(self.a, self.b))
        if kind == _WEIBULL:  # inverse transform: scale x E^(1/k), E standard exponential
            return self.a * self.stream.exponential() ** self.b
        half = self.a
        return self.mean - half + 2 * half * self.stream.random()
