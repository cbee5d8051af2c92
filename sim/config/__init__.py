"""Scenario configuration: the schema of a config file, loading it, and overriding fields.

The package keeps the public names of the former ``sim/config.py`` importable from ``sim.config``.
"""

from sim.config.schema import *  # noqa: F403 (temporary: the whole former module)
from sim.config.schema import _SafeLoader  # noqa: F401 (used by sim.experiment)
