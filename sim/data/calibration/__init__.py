"""Calibration: the ``demand`` section of a scenario estimated from the organisation's own logs.

Input is a **telephony export** (one row per call: when it came in, for which department or queue, how long
the caller waited, how long the conversation took, and whether it was answered or abandoned) and a **task
log** (one row per ticket or letter: created, done, type, department, and the work time where it is known).
``sim run --event-log`` writes both in one file, ``requests.csv``, in exactly the columns read here by
default, so a simulated log round-trips through calibration (tested).

What is estimated, and how:

- **volumes**: calls and tasks per department per working day. Counts are Poisson; the model's rate of a type
  in a department is ``per_staff_per_day x staff x demand_factor``, a rank-one table, whose maximum
  likelihood estimate is the independence fit ``n_dept x n_type / n``: ``demand_factor`` per department from
  all its requests, ``per_staff_per_day`` per type. Standard errors from the Poisson counts;
- **intraday profile**: arrivals per slot (``slot_minutes``) over the day, as profile weights (the maximum
  likelihood estimate of a piecewise-constant rate); the **weekday profile** is estimated and tested for
  equal rates, and written as ``demand.weekday_profile`` when they are rejected (chi-square, 5%);
- **calendar**: public holidays (``calendar.holidays: NL``) and closing days (``calendar.closed``) without
  calls are left out of the rates, as is any working day without a single call (with a loud warning);
- **post batch times**: a task type whose arrivals fall on a few clock times is delivered in batches;
- **talk and work times**: maximum likelihood over the schema's families (exponential, lognormal, gamma),
  with the log-likelihood, AIC and the Kolmogorov-Smirnov distance; the lowest AIC is chosen;
- **caller patience** from waits as censored data: an abandoned call shows its caller's patience, an answered
  call only that patience was longer than its wait (right-censored). For exponential patience the maximum
  likelihood estimate is closed-form: mean = total wait of all calls / abandoned calls; lognormal and gamma
  use scipy's censored fitting (``scipy.stats.CensoredData``). The naive mean of abandoned waits alone is
  reported beside it: it is biased low, because the impatient are the ones who abandon;
- **call-back share** (unanswered callers who leave a voicemail), external share and custom shares, where the
  columns are there.

Whatever the data cannot tell (norms, meetings without meeting rows, a column that is missing) stays as it
was in the config and is listed in the report.

The package follows those jobs: :mod:`~sim.data.calibration.read` (the logs read and checked),
:mod:`~sim.data.calibration.fit` (durations and patience fitted), :mod:`~sim.data.calibration.estimate` (the
demand section estimated: :func:`calibrate`) and :mod:`~sim.data.calibration.report` (what ``sim calibrate``
writes, and the data of its figures, which :mod:`sim.presentation.figures.calibration` draws).
"""

from sim.data.calibration.estimate import Calibration, Estimate, calibrate, profile_counts, working_days
from sim.data.calibration.fit import Fit, fit_durations, fit_patience, kaplan_meier
from sim.data.calibration.read import (
    CALL_DEFAULTS,
    TASK_DEFAULTS,
    Calls,
    Meetings,
    Tasks,
    near_type,
    parse_mapping,
    read_calls,
    read_meetings,
    read_table,
    read_tasks,
    read_type_map,
)
from sim.data.calibration.report import (
    calibrated_config,
    calibrated_data,
    calibration_json,
    demand_yaml,
    figure_data,
    fmt_estimate,
    measured_uncertainty,
    report_markdown,
)

__all__ = ["CALL_DEFAULTS", "TASK_DEFAULTS", "Calibration", "Calls", "Estimate", "Fit", "Meetings", "Tasks",
           "calibrate", "calibrated_config", "calibrated_data", "calibration_json", "demand_yaml", "figure_data",
           "fit_durations", "fit_patience", "fmt_estimate", "kaplan_meier", "measured_uncertainty", "near_type",
           "parse_mapping", "profile_counts", "read_calls", "read_meetings", "read_table", "read_tasks",
           "read_type_map", "report_markdown", "working_days"]
