"""Built-in defaults: the demand a config gets when it says nothing about demand.

They are the demand of ``configs/base/sector.yaml`` (a test keeps the two equal), kept here as commented YAML so
that ``sim init`` can show them, with their sources, in the scenario it writes. Every number without a source
is an ASSUMPTION.
"""

from __future__ import annotations

#: The sector's demand section (the part under ``demand:``), as YAML with its comments.
SECTOR_DEMAND_YAML = """\
  flexible_share: 0.1            # share of staff working independent of place and time today (ASSUMPTION)
  calls:
    # No public source gives calls per secretary; all call figures are ASSUMPTIONS except the norm.
    per_staff_per_day: 0.25      # about 112 calls a day for 450 staff
    external_share: 0.4
    profile: office              # two peaks, a dip at lunch (shape: Brown et al. 2005)
    talk_minutes: {dist: lognormal, mean: 3, cv: 1.0}
    patience_seconds: {dist: exponential, mean: 60}
    norm_seconds: 20             # answered within 20 s (Katwijk; the call-centre "80% within 20 s")
    custom_share: 0.35           # article: 30-40% custom work
    callback_share: 0.7
    callback_minutes: {dist: exponential, mean: 4}
    callback_norm_working_hours: 8.5   # call back within one working day (Katwijk: within 24 h)
  tasks:
    email:
      per_staff_per_day: 0.30    # ASSUMPTION
      arrivals: spread
      profile: office
      work_minutes: {dist: lognormal, mean: 6, cv: 1.0}
      norm_working_hours: 17     # 85% of e-mail within 2 working days (Tilburg, 2020)
      custom_share: 0.35
    post:
      per_staff_per_day: 0.05    # ASSUMPTION
      arrivals: batches
      batch_times: ["09:00", "13:30"]
      work_minutes: {dist: lognormal, mean: 5, cv: 0.8}
      norm_working_hours: 17     # as e-mail (Tilburg, 2020)
      custom_share: 0.2
    crm:
      per_staff_per_day: 0.05    # contact with externals, CRM registration (ASSUMPTION)
      work_minutes: {dist: lognormal, mean: 15, cv: 1.0}
      norm_working_hours: 8.5    # ASSUMPTION: one working day
      custom_share: 0.35
    custom:
      per_staff_per_day: 0.01    # presentations and reports (ASSUMPTION)
      work_minutes: {dist: lognormal, mean: 90, cv: 0.8}
      norm_working_hours: 42.5   # ASSUMPTION: due in one working week
      custom_share: 1.0          # maatwerk by definition
    legacy:
      per_staff_per_day: 0.08    # printing, card indexes (ASSUMPTION)
      work_minutes: {dist: lognormal, mean: 5, cv: 0.8}
      norm_working_hours: 17     # ASSUMPTION
      custom_share: 0.0
    coordination:
      per_staff_per_day: 0.10    # per place- and time-independent staff member (ASSUMPTION)
      flexible_only: true
      work_minutes: {dist: lognormal, mean: 10, cv: 1.0}
      norm_working_hours: 8.5    # ASSUMPTION
      custom_share: 0.35
  meetings:
    per_department_per_week: 1   # ASSUMPTION
    duration_minutes: {dist: deterministic, mean: 90, cv: 0}
    earliest_start: "09:00"
    latest_start: "15:00"
    writing_minutes_per_meeting_hour: 60   # ASSUMPTION (not found in any public source)
    norm_working_hours: 25.5     # minutes out within 3 working days (ASSUMPTION)
"""

__all__ = ["SECTOR_DEMAND_YAML"]
