"""The least staffing that meets the service norms.

One module per question, each importing only those above it:

- :mod:`sim.decisions.staffing.norms`: the norms (:class:`Target`), where they come from, and how a staffing is judged
  against them (:func:`judge`);
- :mod:`sim.decisions.staffing.moves`: staffings (:class:`Staffing`) and the moves between them, in secretary-days;
- :mod:`sim.decisions.staffing.search`: the :class:`Evaluator` (simulate and judge candidates on common random numbers)
  and the :class:`StaffingSearch` built on it;
- :mod:`sim.decisions.staffing.result`: one search per setup (:func:`staff`) and its result.

The business case over independent blocks of replications, with costs and intervals, is :mod:`sim.decisions.business`.
"""

from sim.decisions.staffing.moves import Staffing, day_fte, group_demand, group_of, groups, roster_changes
from sim.decisions.staffing.norms import (
    DEPARTMENT_NORMS,
    Target,
    default_targets,
    department_shares,
    department_targets,
    judge,
    parse_target,
    pooled_share,
    targets_for,
)
from sim.decisions.staffing.result import (
    ARTICLE_SAVING,
    SetupStaffing,
    StaffResult,
    business_case,
    staff,
    staff_experiment_hash,
    staffing_units,
)
from sim.decisions.staffing.search import MAX_EXCHANGES, Evaluation, Evaluator, StaffingSearch, block_seed

__all__ = [
    "ARTICLE_SAVING", "DEPARTMENT_NORMS", "MAX_EXCHANGES", "Evaluation", "Evaluator", "SetupStaffing", "Staffing",
    "StaffingSearch", "StaffResult", "Target", "block_seed", "business_case", "day_fte", "default_targets",
    "department_shares", "department_targets", "group_demand", "group_of", "groups", "judge", "parse_target",
    "pooled_share", "roster_changes", "staff", "staff_experiment_hash", "staffing_units", "targets_for",
]
