"""Seeds of replications, all from one numpy seed sequence.

Replication ``i`` of an experiment runs on child ``i`` of ``SeedSequence(base_seed)``: independent of every
other replication, and the same for every setup compared on that base seed (common random numbers). Inside a
replication the model spawns one stream per name from that seed (:mod:`sim.core.streams`). Experiments, the
validation suite and the staffing search all take their seeds from here.
"""

from __future__ import annotations

import numpy as np


def replication_seed(base_seed: int, replication: int, stream: int | None = None) -> int:
    """The seed of replication ``replication``: child ``replication`` of ``SeedSequence(base_seed)``.

    With common random numbers (``stream`` None) it depends on the replication index only, so every unit gets
    the same seed for the same index. ``stream=j`` gives unit ``j`` its own independent seeds instead (child
    ``replication`` of child ``j``), for comparisons *without* common random numbers.
    """
    key = (replication,) if stream is None else (stream, replication)
    seq = np.random.SeedSequence(entropy=base_seed, spawn_key=key)
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))  # < 2**63, as the config's run.seed


def replication_seeds(base_seed: int, n: int) -> list[int]:
    """The seeds of replications ``0 .. n-1`` (common random numbers), as :func:`replication_seed` gives them."""
    return [replication_seed(base_seed, i) for i in range(n)]


__all__ = ["replication_seed", "replication_seeds"]
