"""``sim roster``: the least-cost roster HR can implement that meets the norms, proven by simulation.

- :mod:`sim.decisions.rostering.requirements`: per group and half hour, secretaries required by SIPP (Erlang C);
- :mod:`sim.decisions.rostering.solver`: the master problem, the least-cost roster under ``roster_rules`` (CP-SAT);
- :mod:`sim.decisions.rostering.search`: requirements corrected where the simulation shows a shortfall, until a roster
  meets every norm on fresh seeds;
- :mod:`sim.decisions.rostering.output`: the roster as a ``secretaries_file`` spreadsheet, coverage, margins, figure.
"""

#: Rosters the loop of :mod:`sim.decisions.rostering.search` may try before it stops (``sim roster --max-rounds``);
#: here, where the command reads it without importing the search.
MAX_ROUNDS = 12

__all__ = ["MAX_ROUNDS"]
