"""sim: a discrete-event simulator of secretariat workload.

Data flows one way: scenario config (:mod:`sim.config`) -> model (:mod:`sim.core.model`, built from
:mod:`sim.core.demand`, :mod:`sim.core.organisation`, :mod:`sim.core.dispatch`) -> outcome statistics
(:mod:`sim.core.metrics`) -> KPIs -> experiments, figures and reports.

    >>> import sim
    >>> scenario = sim.load_scenario("configs/central.yaml")
    >>> result = sim.run_replication(scenario, seed=1)
    >>> result.kpi["reachability"]
"""

from typing import TYPE_CHECKING, Any

from sim import compiled  # first: decides whether the hot modules load compiled or as pure Python
from sim.config import ConfigError, Scenario, load_scenario
from sim.version import __version__

if TYPE_CHECKING:
    from sim.core.model import Result, flatten_kpis, run_replication

#: Imported when first used (``sim.run_replication``), so that a command that does not simulate (``sim check``,
#: ``sim --help``) does not import the model.
_FROM_MODEL = ("Result", "flatten_kpis", "run_replication")


def __getattr__(name: str) -> Any:
    if name in _FROM_MODEL:
        from sim.core import model

        return getattr(model, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = [
    "ConfigError", "Result", "Scenario", "compiled", "flatten_kpis", "load_scenario", "run_replication", "__version__",
]
