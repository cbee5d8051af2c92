"""The model core: one replication, scenario + seed -> KPIs and tables, as plain data.

The entry point is ``run_replication`` (``sim.core.model``); the modules that run once per simulated event
are compiled by mypyc where a compiler is present (``sim.compiled``). Imports the leaves of ``sim`` and
``sim.config`` only (ARCHITECTURE.md, tests/test_architecture.py).
"""
