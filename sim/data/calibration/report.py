"""Calibration, reporting: what ``sim calibrate`` writes from a :class:`Calibration`: the demand section
and the calibrated config (with the measured uncertainty), report.md, calibration.json, and the data its
figures are drawn from (drawn by :mod:`sim.presentation.figures.calibration`)."""


from __future__ import annotations

import math
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import numpy as np

from sim.config import clock_minutes, one_line
from sim.data.calibration.estimate import Calibration
from sim.data.calibration.fit import kaplan_meier


# ------------------------------------------------------------------------------------------------ output
def demand_yaml(cal: Calibration, source: str) -> str:
    """The calibrated ``demand`` section as YAML, with a header saying where it came from and what was kept."""
    import yaml

    head = [f"# demand calibrated by `sim calibrate` from {source}",
            f"# {cal.days} working days, {cal.first} to {cal.last}. Estimates with standard errors: report.md.",
            "# Not estimated (kept as in the config):"]
    head += [f"#   - {item}" for item in cal.not_estimated]
    body = yaml.safe_dump({"demand": cal.demand}, sort_keys=False, allow_unicode=True, width=120)
    return "\n".join(head) + "\n" + body


def calibrated_data(cal: Calibration, overridden: dict[str, Any] | None = None,
                    inherited: AbstractSet[str] = frozenset()) -> dict[str, Any]:
    """What calibrated.yaml gives over the config it extends: the fields the command line's ``--set`` changed
    (``overridden``, from :func:`sim.config.overridden_part`: the calibration was made with them), then the
    calibrated calendar keys, departments (with their demand factors) and demand."""
    data: dict[str, Any] = dict(overridden or {})
    calendar = {**(data.get("calendar") or {}), **cal.calendar}
    if calendar:
        data["calendar"] = calendar
    data["organisation"] = {**(data.get("organisation") or {}), "departments": cal.departments}
    data["demand"] = cal.demand
    uncertainty = measured_uncertainty(cal, inherited)  # ``inherited``: the config's uncertainty entries
    if uncertainty:
        data["uncertainty"] = {**(data.get("uncertainty") or {}), **uncertainty}
    order = ["calendar", "organisation", "demand", "uncertainty"]  # the calibrated sections last
    return {**{k: v for k, v in data.items() if k not in order}, **{k: data[k] for k in order if k in data}}


def calibrated_config(cal: Calibration, config_path: Path, out: Path, overridden: dict[str, Any] | None = None,
                      inherited: AbstractSet[str] = frozenset()) -> str:
    """A scenario that extends the config with the calibrated demand and demand factors (runs as it is), and
    the ``--set`` overrides it was calibrated with."""
    import os

    import yaml

    rel = os.path.relpath(Path(config_path).resolve(), Path(out).resolve())
    data: dict[str, Any] = {"extends": rel.replace(os.sep, "/"), **calibrated_data(cal, overridden, inherited)}
    return (f"# {one_line(config_path)} with the demand calibrated from the logs (sim calibrate); see report.md\n"
            "# uncertainty: each estimate's standard error as a normal range (sim uncertainty); 'null' withdraws "
            "an assumed range that a measured one replaces\n"
            + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120))


#: The assumed factor parameters that measured figures replace: the parameter, and the estimates' paths (all of
#: them measured) that make it redundant.
_REPLACED = {"talk": ("demand.calls.talk_minutes",), "patience": ("demand.calls.patience_seconds",)}


def measured_uncertainty(cal: Calibration, inherited: AbstractSet[str] = frozenset()) -> dict[str, Any]:
    """The ``uncertainty`` section of a calibrated config: every scalar estimate with a standard error as a
    normal distribution given by its central 95% (estimate +- 1.96 se; lognormal with the same relative error
    where that would reach 0), with its source; and ``null`` for each inherited assumed factor that the
    measured figures replace (``talk`` by the talk time, ``patience`` by the patience, ``work`` when every task
    type's work time is measured, ``demand`` when the calls' and every task type's volume are)."""
    out: dict[str, Any] = {}
    measured = set()
    for e in cal.estimates:
        if e.se is None or not e.se > 0 or e.path.startswith("organisation."):
            continue
        value = e.value.get("mean") if isinstance(e.value, dict) else e.value
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            continue
        path = e.path + (".mean" if isinstance(e.value, dict) else "")
        se = float(e.se)
        low, high = value - 1.96 * se, value + 1.96 * se
        dist = "normal"
        if low <= 0:
            dist, low, high = "lognormal", value * math.exp(-1.96 * se / value), value * math.exp(1.96 * se / value)
        if path.endswith("_share") and high >= 1:
            continue
        low, high = float(f"{low:.6g}"), float(f"{high:.6g}")
        if not low < high:  # an error too small to state (all values equal): the estimate is taken as exact
            continue
        measured.add(e.path)
        out[path] = {"distribution": dist, "low": low, "high": high,
                     "source": f"sim calibrate: estimate {value:.4g}, standard error {se:.3g} from {e.n:,} "
                               f"observations, {cal.first}..{cal.last} ({cal.days} working days)"
                               + ("; Poisson, so between-day variation is not in it"
                                  if path.endswith("per_staff_per_day") else "")}
        # extends merges entries key by key: clear what an inherited (assumed) entry of this path may have set
        out[path] |= {"relative": False, "mode": None}
    tasks = [k for k in cal.demand.get("tasks", {})] if isinstance(cal.demand.get("tasks"), dict) else []
    replaced: dict[str, tuple[str, ...]] = dict(_REPLACED)
    replaced["work"] = tuple(f"demand.tasks.{t}.work_minutes" for t in tasks) or ("-",)
    replaced["demand"] = ("demand.calls.per_staff_per_day",
                          *(f"demand.tasks.{t}.per_staff_per_day" for t in tasks))
    for name, paths in replaced.items():
        if name in inherited and all(p in measured for p in paths):
            out[name] = None
    return out


def fmt_estimate(value: Any) -> str:
    """An estimate or a config value as the report and `sim calibrate` print it."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        if "dist" in value:
            return f"{value['dist']}, mean {value['mean']:g}" + (f", cv {value['cv']:g}"
                                                                   if value["dist"] != "exponential" else "")
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def report_markdown(cal: Calibration, source: str, figures: list[str]) -> str:
    lines = [f"# Calibration report: {source}", ""]
    if cal.warnings:
        lines += ["## Warnings", ""] + [f"- **{w}**" for w in cal.warnings] + [""]
    lines += [f"- {note}" for note in cal.notes]
    if cal.units:
        lines += ["", "## Columns read", "", "| column | read as |", "|---|---|"]
        lines += [f"| {col} | {how} |" for col, how in cal.units.items()]
    lines += ["", "## Estimates", "", "| field | estimate | standard error | was | n | note |",
              "|---|---|---|---|---|---|"]
    for e in cal.estimates:
        se = "-" if e.se is None else f"{e.se:.3g}"
        lines.append(f"| `{e.path}` | {fmt_estimate(e.value)} | {se} | {fmt_estimate(e.old)} | {e.n:,} | {e.note} |")
    lines += ["", "## Fitted distributions", "",
              "Maximum likelihood per family; the lowest AIC is chosen (first row of each). Goodness of fit: the "
              "Kolmogorov-Smirnov distance (for patience, censored: the largest gap between the Kaplan-Meier curve "
              "and the fitted survival). Patience: exponential, Weibull, lognormal and gamma by censored maximum "
              "likelihood; standard errors of mean and cv from the observed information (delta method).", "",
              "| quantity | family | mean (se) | cv (se) | log-likelihood | AIC | goodness of fit | n |",
              "|---|---|---|---|---|---|---|---|"]
    for key, fits in cal.fits.items():
        for i, f in enumerate(fits):
            mark = " (chosen)" if i == 0 else ""
            sem = "" if f.se_mean is None or not math.isfinite(f.se_mean) else f" ({f.se_mean:.3g})"
            sec = "" if f.se_cv is None or not math.isfinite(f.se_cv) else f" ({f.se_cv:.3g})"
            family = f"{f.family}{mark}" + (f" ({f.note})" if f.note else "")
            lines.append(f"| {key} | {family} | {f.mean:.4g}{sem} | {f.cv:.3g}{sec} | {f.loglik:.1f} | "
                         f"{f.aic:.1f} | {f.gof:.4f} | {f.n:,} |")
    if cal.naive_patience_seconds is not None and cal.fits.get("patience_seconds"):
        best = cal.fits["patience_seconds"][0]
        lines += ["", f"Patience: the censored estimate is a mean of {best.mean:.1f} s; the naive mean of the "
                      f"abandoned calls' waits alone would be {cal.naive_patience_seconds:.1f} s, biased low because "
                      "only the impatient callers abandon (answered calls are right-censored observations)."]
    for kind, test in cal.weekday.items():
        lines += ["", f"## Weekday profile ({kind})", "",
                  f"Chi-square test of equal rates on every working day: {test['chi2']:.2f} on {test['dof']} "
                  f"degrees of freedom, p = {test['p_value']:.3g}. Written as demand.weekday_profile when p < 0.05 "
                  "(from the calls, else the tasks); flat otherwise.", "", "| weekday | per day | days | factor |",
                  "|---|---|---|---|"]
        for w, row in test["per_weekday"].items():
            lines.append(f"| {w} | {row['per_day']:.1f} | {row['days']} | {fmt_estimate(row['factor'])} |")
    top = [r for r in cal.measured if r["scope"] == "all"]
    if top:
        lines += ["", "## Today, measured in the logs", "",
                  "As the model counts them (measured.csv has them per department and per hour too; compare a run "
                  "with `sim run calibrated.yaml --measured measured.csv`).", "",
                  "| KPI | measured | 95% interval | n |", "|---|---|---|---|"]
        lines += [f"| {r['kpi']} | {r['measured']:.1%} | {r['ci_low']:.1%} - {r['ci_high']:.1%} | {r['n']:,} |"
                  for r in top]
    lines += ["", "## Not estimated (kept as in the config)", ""]
    lines += [f"- {item}" for item in cal.not_estimated]
    if figures:
        lines += ["", "## Figures", ""]
        lines += [f"![{name}]({name})" for name in figures]
    return "\n".join(lines) + "\n"



def figure_data(cal: Calibration) -> list[dict[str, Any]]:
    """What the calibration's figures show, as plain data in the order they are drawn, each with the file name
    it is written as: per profile the arrivals per slot observed (with 2 standard errors), the fitted profile
    and the config's (``kind`` profile); per fitted duration the sample's quantiles against each family's
    (``qq``); the Kaplan-Meier curve of patience against each family's survival and the naive fit
    (``patience``). Drawn by :func:`sim.presentation.figures.calibration.calibration_figures`."""
    out: list[dict[str, Any]] = []
    for kind, prof in cal.profiles.items():
        new = prof["new"]
        obs = prof["observed"] / prof["days"]
        slot = new["slot_minutes"]
        start = clock_minutes(new["start"])
        x = (start + slot * (np.arange(len(obs)) + 0.5)) / 60
        w = np.array(new["weights"])
        old_step = None
        if prof.get("old"):
            old = prof["old"]
            ow = np.array(old["weights"], dtype=float)
            ox = (clock_minutes(old["start"]) + old["slot_minutes"] * (np.arange(len(ow)) + 0.5)) / 60
            scale = obs.sum() * slot / old["slot_minutes"]
            old_step = (ox, ow / ow.sum() * scale)
        out.append({"kind": "profile", "name": f"profile_{kind}.png", "title": kind, "slot": slot, "x": x,
                    "observed": obs, "error": 2 * np.sqrt(prof["observed"]) / prof["days"],
                    "fitted": w / w.sum() * obs.sum(), "old": old_step})
    for key, fits in cal.fits.items():
        if key == "patience_seconds" or not fits or key not in cal.samples:
            continue
        x = np.sort(cal.samples[key])
        p = (np.arange(1, len(x) + 1) - 0.5) / len(x)
        if len(x) > 2000:
            idx = np.unique(np.linspace(0, len(x) - 1, 2000).astype(int))
            x, p = x[idx], p[idx]
        out.append({"kind": "qq", "name": f"qq_{key.replace('.', '_')}.png", "title": key, "observed": x,
                    "fits": [(f.family, f.aic, f.frozen.ppf(p)) for f in fits],
                    "top": float(np.quantile(x, 0.995))})
    if cal.fits.get("patience_seconds"):
        ev, ce = cal.samples["patience_events"], cal.samples["patience_censored"]
        ce = ce[ce > 0]
        t, s = kaplan_meier(np.concatenate([ev, ce]), np.concatenate([np.ones(len(ev)), np.zeros(len(ce))]))
        grid = np.linspace(0, float(np.quantile(ev, 0.99)) if len(ev) else 1.0, 200)
        naive = cal.naive_patience_seconds
        out.append({"kind": "patience", "name": "patience.png", "times": t, "surviving": s, "grid": grid,
                    "fits": [(f.family, f.mean, f.frozen.sf(grid)) for f in cal.fits["patience_seconds"]],
                    "naive": (naive, np.exp(-grid / naive)) if naive else None})
    return out


def calibration_json(cal: Calibration) -> dict[str, Any]:
    """The estimates as plain data (``calibration.json``)."""
    return {
        "days": cal.days, "first": str(cal.first), "last": str(cal.last),
        "estimates": [{"path": e.path, "value": e.value, "se": e.se, "old": e.old, "n": e.n, "note": e.note}
                      for e in cal.estimates],
        "fits": {k: [{"family": f.family, "mean": f.mean, "cv": f.cv, "loglik": f.loglik, "aic": f.aic,
                      "gof": f.gof, "n": f.n, "se_mean": f.se_mean, "se_cv": f.se_cv, "note": f.note} for f in v]
                 for k, v in cal.fits.items()},
        "profiles": {k: {"new": v["new"], "old": v["old"]} for k, v in cal.profiles.items()},
        "weekday": cal.weekday, "naive_patience_seconds": cal.naive_patience_seconds,
        "not_estimated": cal.not_estimated, "notes": cal.notes, "warnings": cal.warnings, "units": cal.units,
        "left_out": {str(d): why for d, why in cal.left_out.items()},
    }


__all__ = ["calibrated_config", "calibrated_data", "calibration_json", "demand_yaml", "figure_data", "fmt_estimate",
           "measured_uncertainty", "report_markdown"]
