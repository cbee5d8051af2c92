"""sim: a discrete-event simulator of secretariat workload.

Data flows one way: scenario config (:mod:`sim.config`) -> model (:mod:`sim.model`, built from
:mod:`sim.demand`, :mod:`sim.organisation`, :mod:`sim.dispatch`) -> outcome statistics (:mod:`sim.metrics`)
-> KPIs -> experiments, figures and reports.

    >>> import sim
    >>> scenario = sim.load_scenario("configs/central.yaml")
    >>> result = sim.run_replication(scenario, seed=1)
    >>> result.kpi["reachability"]
"""

from sim import compiled  # first: decides whether the hot modules load compiled or as pure Python
from sim.config import ConfigError, Scenario, load_scenario
from sim.model import Result, flatten_kpis, run_replication

__version__ = "0.1.0"

__all__ = [
    "ConfigError", "Result", "Scenario", "compiled", "flatten_kpis", "load_scenario", "run_replication", "__version__",
]
