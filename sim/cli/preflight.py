"""Checks made before any work or write: every option value a command takes, against the configs it loaded.

A command validates its configs when it loads them (:mod:`sim.config`), and its output folder when it chooses
it (:func:`sim.experiments.output.choose_out_dir`); what is left are the options that name things in the results: KPI
names (``--precision``, ``--kpi``, ``--target``) and the address of a Dask scheduler (``--scheduler``). A
mistyped KPI must not run an hour of replications and then be ignored or refused, so each command calls
:func:`check_experiment` right after loading its configs. An error is a ConfigError naming the option: one
line on stderr, exit code 2, nothing written.

The KPI names of a scenario are those its results will have: they come from running it for one day with no
demand at all, which takes milliseconds whatever the config, so they can never drift from the model's.
"""

from __future__ import annotations

import difflib
import re
import socket
from collections.abc import Iterable, Sequence
from pathlib import Path

from sim.config import ConfigError, OptionError, Scenario, config_hash, option
from sim.experiments.output import environment_error
from sim.experiments.results import check_folder

__all__ = ["known_kpis", "check_kpis", "parse_precision", "check_precision", "check_targets", "check_scheduler",
           "check_experiment", "check_results_folder", "environment_error"]


def known_kpis(scenario: Scenario) -> list[str]:
    """The names of every KPI a replication of ``scenario`` reports (flattened: ``service_level.email``)."""
    key = config_hash(scenario)
    if key not in _KNOWN:
        _KNOWN[key] = _kpis_of(scenario)
    return list(_KNOWN[key])


_KNOWN: dict[str, tuple[str, ...]] = {}


def _kpis_of(scenario: Scenario) -> tuple[str, ...]:
    from sim.core.model import flatten_kpis, run_replication

    demand = scenario.demand
    idle = demand.model_copy(update={
        "calls": demand.calls.model_copy(update={"per_staff_per_day": 0.0}),
        "tasks": {n: t.model_copy(update={"per_staff_per_day": 0.0}) for n, t in demand.tasks.items()},
        "meetings": None if demand.meetings is None else
        demand.meetings.model_copy(update={"per_department_per_week": 0.0}),
    })
    one_day = scenario.model_copy(update={"run": scenario.run.model_copy(update={"days": 1, "warmup_days": 0}),
                                          "demand": idle})
    return tuple(flatten_kpis(run_replication(one_day).kpi))


def _unknown(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    main = [k for k in known if "." not in k]
    return f"unknown KPI {name!r}{hint}; known: {', '.join(main)}, service_level.<type>, ..."


def check_kpis(scenarios: Iterable[Scenario], names: Iterable[str], option: str) -> None:
    """Every name in ``names`` is a KPI of at least one of the scenarios (else a ConfigError naming
    ``option``)."""
    names = list(names)
    if not names:
        return
    known: dict[str, None] = {}
    for scenario in scenarios:
        known.update(dict.fromkeys(known_kpis(scenario)))
    for name in names:
        if name not in known:
            raise ConfigError(option, _unknown(name, list(known)))


def parse_precision(spec: str | None) -> tuple[str, float] | None:
    """``--precision KPI=REL`` -> (KPI, REL); None without one."""
    if spec is None:
        return None
    kpi, sep, raw = spec.partition("=")
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not sep or not kpi or not value > 0:
        raise OptionError("precision",
                          f"{spec!r}: expected KPI=RELATIVE_HALF_WIDTH, e.g. reachability=0.02")
    return kpi.strip(), value


def check_precision(scenarios: Iterable[Scenario], spec: str | None) -> None:
    """``--precision KPI=REL``: well formed, REL a positive finite number, KPI a known name."""
    if spec is None:
        return
    parsed = parse_precision(spec)
    assert parsed is not None
    kpi, rel = parsed
    if not rel < float("inf"):
        raise OptionError("precision", f"{spec!r}: the relative half-width must be a finite number")
    check_kpis(scenarios, [kpi], option("precision"))


def check_targets(scenarios: Iterable[Scenario], specs: Iterable[str]) -> None:
    """``--target KPI=V``: well formed, V finite, KPI a known name (a mistyped norm would be ignored)."""
    from sim.decisions.staffing import parse_target

    scenarios = list(scenarios)
    names = []
    for spec in specs:
        if spec.strip().lower() in ("today", "both"):
            continue
        kpi, target = parse_target(spec)
        if target is not None and not abs(target.value) < float("inf"):
            raise OptionError("target", f"{spec!r}: the target must be a finite number")
        if target is not None and target.department is not None:
            known = {d.name for sc in scenarios for d in sc.organisation.departments}
            if target.department not in known:
                raise OptionError("target", f"{spec!r}: no department {target.department!r} (departments: "
                                  f"{', '.join(sorted(known))})")
            if not 0 <= target.value <= 1:
                raise OptionError("target", f"{spec!r}: a department's norm is a share between 0 and 1")
            continue
        if ":" in kpi:
            continue  # a department's norm switched off
        if target is not None:
            _share_in_range(spec, kpi, target.value)
        names.append(kpi)
    check_kpis(scenarios, names, option("target"))


def _share_in_range(spec: str, kpi: str, value: float) -> None:
    """A norm on a share (reachability, a service level, ...) lies between 0 and 1: ``reachability>=1.5`` can
    never hold, and a search for it would only grow until its bound."""
    from sim.kpis import scale_of

    if scale_of(kpi) == "share" and not 0 <= value <= 1:
        raise OptionError("target", f"{spec!r}: {kpi} is a share, so its norm lies between 0 and 1 "
                          f"(0.8 is 80%), not {value:g}")


#: A Dask scheduler address: ``[scheme://]host[:port]``.
_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)"
                      r"(?::(?P<port>\d{1,5}))?/?$")
_SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")


def check_scheduler(address: str | None) -> None:
    """``--scheduler ADDRESS``: a well-formed address, Dask installed, and (for TCP) someone listening there."""
    if address is None:
        return
    m = _ADDRESS.match(address)
    if m is None:
        raise OptionError("scheduler", f"{address!r} is not an address; expected e.g. tcp://127.0.0.1:8786")
    if m.group("scheme") and m.group("scheme") not in _SCHEMES:
        raise OptionError("scheduler", f"{address!r}: unknown protocol {m.group('scheme')!r}; one of "
                                         f"{', '.join(_SCHEMES)}")
    if m.group("port") and not 0 < int(m.group("port")) < 65536:
        raise OptionError("scheduler", f"{address!r}: the port must be 1 to 65535")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise OptionError("scheduler", "Dask is not installed; pip install 'secretariat-sim[dask]'") from None
    if m.group("scheme") in (None, "tcp", "tls"):  # reachable? (before the output folder is written)
        host = m.group("host").strip("[]")
        try:
            socket.create_connection((host, int(m.group("port") or 8786)), timeout=10).close()
        except OSError as err:
            raise OptionError("scheduler", f"cannot reach the Dask scheduler at {address}: "
                                             f"{err.strerror or err}") from None


def check_experiment(scenarios: Sequence[Scenario], *, precision: str | None = None, kpis: Iterable[str] = (),
                     targets: Iterable[str] = (), scheduler: str | None = None) -> None:
    """Everything an experiment command's options name, checked before any replication runs."""
    check_scheduler(scheduler)
    check_precision(scenarios, precision)
    check_kpis(scenarios, kpis, option("kpi"))
    check_targets(scenarios, targets)


def check_results_folder(folder: Path) -> None:
    """Before ``sim report``, ``sim plot`` or ``sim export`` reads a results folder
    (:func:`sim.experiments.results.check_folder`, which :func:`sim.experiments.results.load_results` runs too): its
    JSON files are JSON objects and its CSV files readable text."""
    check_folder(folder)
