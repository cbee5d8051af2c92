"""``sim init``: a starting scenario for your own sector, written from a few options.

An analyst describes her sector in one line (departments with their staff, the number of secretaries or the
FTE, the clusters and the setup) and gets a commented config that runs as written: the organisation is hers,
everything else comes from the built-in defaults (the calendar, absence, dispatch, and the sector demand of
:mod:`sim.defaults`, cited or labelled ASSUMPTION), shown in comments where she can change them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.config import WEEKDAYS, ConfigError, OptionError, one_line, option
from sim.defaults import SECTOR_DEMAND_YAML

#: Secretary FTE per staff member when neither --secretaries nor --fte is given: 12 FTE for 450 staff, as in
#: configs/base/sector.yaml (ASSUMPTION).
FTE_PER_STAFF = 12 / 450
#: Full-time shifts of 7.2 hours with 30 minutes of lunch (36-hour week), early and late, as in the sector.
SHIFTS = (("08:30", "16:12"), ("09:18", "17:00"))
#: Lunch starts given in turn within each department or cluster, so someone stays on the phone.
LUNCHES = ("12:00", "12:30", "13:00")
_NAME = re.compile(r"^[^:,]+$")


@dataclass
class Plan:
    name: str
    setup: str
    departments: list[tuple[str, int, str | None]]  # name, staff, cluster
    secretaries: list[tuple[str, list[str], str | None, int]]  # name, departments, cluster, days a week


#: The most staff of a department (as the schema's ``Department.staff``) and the most secretaries a plan makes.
MAX_STAFF = 100_000
MAX_SECRETARIES = 10_000


def check_name(name: str, what: str) -> str:
    """A name given on the command line: one line of printable text (it becomes a YAML value and a cell)."""
    if not name.strip():
        raise ConfigError(what, "a name cannot be empty")
    if not name.isprintable():
        raise ConfigError(what, f"{one_line(name)!r}: control characters and line breaks are not allowed in a name")
    return name


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (JSON's string syntax, a subset of YAML's): any name survives, a
    ``#`` in it is not a comment and ``null`` or ``yes`` stay text."""
    return json.dumps(text, ensure_ascii=False)


def roster_paths(path: Path) -> list[Path]:
    """The files :func:`write_roster` writes for ``path``: one XLSX, or two CSVs beside it."""
    if path.suffix.lower() == ".csv":
        return [path.with_name(f"{path.stem}_departments.csv"), path.with_name(f"{path.stem}_secretaries.csv")]
    return [path]


def parse_departments(text: str) -> list[tuple[str, int]]:
    """``"Stedenbouw:60,Verkeer:40"`` -> [("Stedenbouw", 60), ("Verkeer", 40)]."""
    out: list[tuple[str, int]] = []
    for part in text.split(","):
        name, sep, staff = part.strip().rpartition(":")
        name = name.strip()
        if not sep or not name or not _NAME.match(name):
            raise OptionError("departments", f"{part.strip()!r}: write NAME:STAFF, e.g. Stedenbouw:60")
        try:
            n = int(staff)
        except ValueError:
            raise OptionError("departments", f"{part.strip()!r}: the staff count must be a whole number") from None
        if n < 1:
            raise OptionError("departments", f"{part.strip()!r}: a department has at least 1 staff member")
        if n > MAX_STAFF:
            raise OptionError("departments", f"{one_line(part.strip())!r}: at most {MAX_STAFF:,} staff in a "
                                               "department")
        check_name(name, option("departments"))
        if name in (d for d, _ in out):
            raise OptionError("departments", f"{name!r} is given twice")
        out.append((name, n))
    return out


def _shares(total: int, weights: list[float], least: int) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), then at least ``least`` each, taken
    from the largest shares."""
    exact = [total * w / sum(weights) for w in weights]
    out = [math.floor(x) for x in exact]
    for i in sorted(range(len(out)), key=lambda i: -(exact[i] - out[i]))[: total - sum(out)]:
        out[i] += 1
    while min(out) < least:
        out[out.index(max(out))] -= 1
        out[out.index(min(out))] += 1
    return out


def plan(name: str, departments: list[tuple[str, int]], setup: str, clusters: int, secretaries: int | None,
         fte: float | None) -> Plan:
    """Who serves which department: secretaries spread in proportion to staff, each department (or cluster)
    at least one; the FTE's remainder as one part-timer."""
    if secretaries is not None and fte is not None:
        raise ConfigError("sim init", f"give {option('secretaries')} or {option('fte')}, not both")
    staff_total = sum(s for _, s in departments)
    if fte is None and secretaries is None:
        fte = max(1.0, round(staff_total * FTE_PER_STAFF * 5) / 5)
    if fte is not None:
        whole, part_days = int(fte), round((fte - int(fte)) * 5)
        if part_days == 5:
            whole, part_days = whole + 1, 0
        days = [5] * whole + ([part_days] if part_days else [])
    else:
        days = [5] * int(secretaries or 0)
    n = len(days)
    if n > MAX_SECRETARIES:
        raise ConfigError("sim init", f"{n:,} secretaries; at most {MAX_SECRETARIES:,} "
                                      f"(give {option('fte')} or {option('secretaries')}, "
                                      "or fewer staff)")
    depts: list[tuple[str, int, str | None]]
    if setup == "central":
        k = max(1, min(clusters, len(departments)))
        load = [0] * k
        cluster_of: dict[str, str] = {}
        for dname, staff in sorted(departments, key=lambda d: -d[1]):
            c = min(range(k), key=lambda i: load[i])
            load[c] += staff
            cluster_of[dname] = f"Cluster{c + 1}"
        depts = [(d, s, cluster_of[d]) for d, s in departments]
    else:
        depts = [(d, s, None) for d, s in departments]
    groups: list[tuple[list[str], float, str | None]]  # departments of a group, staff, cluster
    if n >= len(departments):
        groups = [([d], s, c) for d, s, c in depts]
    elif setup == "central":
        names = sorted({c for _, _, c in depts if c})
        groups = [([d for d, _, c2 in depts if c2 == c], sum(s for _, s, c2 in depts if c2 == c), c) for c in names]
        if n < len(groups):
            raise ConfigError("sim init", f"{n} secretaries cannot staff {len(groups)} clusters; give more "
                                          "secretaries (or FTE) or fewer --clusters")
    else:
        raise ConfigError("sim init", f"{n} secretaries cannot staff {len(departments)} departments decentralised; "
                                      f"give more secretaries (or FTE), or {option('setup')} central")
    counts = _shares(n, [g[1] for g in groups], 1)
    people: list[tuple[str, list[str], str | None, int]] = []
    # the part-timer (the FTE's remainder) joins the group with the most secretaries, as its last member, so
    # that no department or cluster rests on her alone
    part = [d for d in days if d < 5]
    part_group = max(range(len(groups)), key=lambda g: (counts[g], -g)) if part else -1
    for g, ((gdepts, _, cluster), count) in enumerate(zip(groups, counts, strict=True)):
        for j in range(count):
            own = gdepts if len(gdepts) <= 1 else [gdepts[j % len(gdepts)]] if count >= len(gdepts) else \
                gdepts[j::count]
            ndays = part[0] if g == part_group and j == count - 1 else 5
            people.append((f"secretary{len(people) + 1:02d}", own, cluster, ndays))
    return Plan(name, setup, depts, people)


def part_time_days(ndays: int) -> list[str]:
    """The days of a part-timer, spread over the week from Monday (the busiest day), so that no stretch of the
    week lacks her: 1 mon; 2 mon, wed; 3 mon, tue, thu; 4 mon-thu."""
    return [WEEKDAYS[math.floor(i * 5 / ndays)] for i in range(ndays)]


def costs_lines(setup: str) -> list[str]:
    """The ``costs`` section with every key, its default and its description (from the schema, so it cannot
    drift); the figures are ASSUMPTIONS to replace with the municipality's own."""
    from sim.config.models import Costs

    lines = ["# The business case's money (sim staff, sim report): every figure euro; the defaults are ASSUMPTIONS,",
             "# replace them with your own. A key commented out takes the default said after it.",
             "costs:"]
    for key, f in Costs.model_fields.items():
        default = f.default
        if key == "manager_fte" and setup == "central":
            default = 1.0  # the article's condition for the central setup: one manager with authority
        text = f.description or ""
        if key == "manager_fte" and setup == "central":
            text = text.replace("set it in central configs", "1 written by sim init for the central setup")
        if default is None:
            lines.append(f"  # {key}:   # {text}")
        else:
            value = f"{default:g}" if isinstance(default, float) else str(default)
            lines.append(f"  {key}: {value}   # {text}")
    return lines


DEPARTMENT_COLUMNS = ("name", "staff", "cluster", "demand_factor")
SECRETARY_COLUMNS = ("name", "departments", "cluster", "days", "start", "end", "lunch_start", "lunch_minutes",
                     "skills", "competences")
#: What each roster column means, with an example (the Help sheet of the roster template).
ROSTER_HELP = (
    ("Departments", "name", "the department's name, as the phone and ticket exports write it", "Verkeer"),
    ("Departments", "staff", "employees, including the head", "40"),
    ("Departments", "cluster", "central setup: the cluster that serves it", "Cluster1"),
    ("Departments", "demand_factor", "scales its demand (1: as many requests per staff member as the sector)",
     "1.2"),
    ("Secretaries", "name", "her name (unique)", "Anna"),
    ("Secretaries", "departments", "the departments she primarily serves, separated by ; , or |", "Verkeer; Groen"),
    ("Secretaries", "cluster", "central setup: her cluster (empty: that of her departments)", "Cluster1"),
    ("Secretaries", "days", "days she works (empty: every working day); ma, di, ... also read", "mon, tue, thu"),
    ("Secretaries", "start", "start of her day (HH:MM)", "08:30"),
    ("Secretaries", "end", "end of her day (HH:MM)", "16:12"),
    ("Secretaries", "lunch_start", "start of her lunch (empty: staggered in calendar.lunch_window)", "12:30"),
    ("Secretaries", "lunch_minutes", "length of her lunch (empty: 30)", "30"),
    ("Secretaries", "skills", "work-time factor per request type (0.8: 20% faster)", "phone=0.8; email=1.2"),
    ("Secretaries", "competences", "the request types she may do (empty: all)", "phone; email; crm; minutes"),
)


def roster_rows(p: Plan) -> tuple[list[list[Any]], list[list[Any]]]:
    """The plan's departments and secretaries as rows of the roster columns (empty: the default)."""
    depts = [[d, s, c or "", ""] for d, s, c in p.departments]
    people = []
    turn: dict[str, int] = {}
    for i, (sname, own, cluster, ndays) in enumerate(p.secretaries):
        start, end = SHIFTS[i % 2]
        key = cluster or own[0]
        lunch = LUNCHES[turn.get(key, 0) % len(LUNCHES)]
        turn[key] = turn.get(key, 0) + 1
        days = "" if ndays >= 5 else ", ".join(part_time_days(ndays))
        people.append([sname, "; ".join(own), "", days, start, end, lunch, "", "", ""])  # cluster: of her departments
    return depts, people


def write_roster(p: Plan, path: Path) -> list[Path]:
    """The roster template: the plan's departments and secretaries with every column (competences included),
    and for XLSX a Help sheet with what each column means and an example. A ``.csv`` path gives two files,
    ``<stem>_departments.csv`` and ``<stem>_secretaries.csv``. The paths written."""
    import csv

    depts, people = roster_rows(p)
    if path.suffix.lower() == ".csv":
        out = roster_paths(path)
        for target, header, rows in ((out[0], DEPARTMENT_COLUMNS, depts), (out[1], SECRETARY_COLUMNS, people)):
            with target.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(header)
                w.writerows(rows)
        return out
    if path.suffix.lower() != ".xlsx":
        raise OptionError("roster", f"{path}: a roster is .xlsx or .csv")
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError:
        raise OptionError("roster", "an XLSX roster needs openpyxl: pip install 'secretariat-sim[xlsx]' (or give "
                                      "a .csv path)") from None
    book = Workbook()
    bold = Font(bold=True)
    first = True
    for title, header, rows in (("Departments", DEPARTMENT_COLUMNS, depts), ("Secretaries", SECRETARY_COLUMNS, people),
                                ("Help", ("sheet", "column", "meaning", "example"), [list(h) for h in ROSTER_HELP])):
        ws = book.active if first else book.create_sheet(title)
        assert ws is not None
        ws.title, first = title, False
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.number_format = "@"  # text: clock times and names stay as written
                if cell.data_type == "f":  # a name that starts with "=" is a name, not a formula
                    cell.data_type = "s"
        for i, h in enumerate(header):
            width = max([len(str(h))] + [len(str(r[i])) for r in rows if i < len(r)])
            ws.column_dimensions[chr(ord("A") + i)].width = min(width + 2, 70)
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return [path]


def scenario_text(p: Plan, roster: list[str] | None = None) -> str:
    """The commented scenario of a plan; with ``roster`` (the paths relative to the config: one XLSX, or the
    departments and secretaries CSVs) the organisation's people are read from that spreadsheet."""
    staff = sum(s for _, s, _ in p.departments)
    fte = sum(d for *_, d in p.secretaries) / 5
    lines = [
        f"# {one_line(p.name)}: a {p.setup} secretariat for {staff} staff in {len(p.departments)} departments, "
        f"{len(p.secretaries)} secretaries ({fte:g} FTE).",
        "# Written by `sim init`; it runs as it is: sim run THIS_FILE. Everything not given here takes the built-in",
        "# defaults (see docs/METHODS.md, 'The config format'); numbers without a source are ASSUMPTIONS.",
        f"name: {quoted(p.name)}",
        "run:",
        "  days: 40              # working days measured",
        "  warmup_days: 10",
        "  seed: 1",
        "calendar:",
        "  working_days: [mon, tue, wed, thu, fri]",
        "  open: \"08:30\"         # opening hours of the secretariat and its phone line (ASSUMPTION)",
        "  close: \"17:00\"",
        "  full_time_hours_per_week: 36   # Dutch municipal CAO full-time week",
        "  start_date: 2025-01-06         # a Monday: only labels the request log (sim run --event-log)",
        "organisation:",
        f"  setup: {p.setup}",
        "  cost_per_fte_per_year: 62000   # euro (ASSUMPTION)",
    ]
    if roster:
        xlsx = len(roster) == 1
        lines += [
            "  # the roster is kept in a spreadsheet (written by sim init --roster: every column, Help sheet with an",
            "  # example); edit it there. Columns: docs/METHODS.md, 'Roster from a spreadsheet'.",
            f"  departments_file: {quoted(roster[0])}",
            *(["  departments_sheet: Departments"] if xlsx else []),
            f"  secretaries_file: {quoted(roster[-1])}",
            *(["  secretaries_sheet: Secretaries"] if xlsx else []),
        ]
    else:
        lines += [
            "  # staff: employees of the department, including its head; demand_factor (default 1) scales its demand",
            "  # (to keep the roster in a spreadsheet instead: sim init --roster roster.xlsx, or departments_file",
            "  # and secretaries_file here)",
            "  departments:",
        ]
    for dname, s, cluster in ([] if roster else p.departments):
        c = f", cluster: {quoted(cluster)}" if cluster else ""
        lines.append(f"    - {{name: {quoted(dname)}, staff: {s}{c}}}")
    if not roster:
        lines += [
            "  # Full-time is 5 x 7.2 h: an early shift 08:30-16:12 or a late one 09:18-17:00, lunch 30 minutes, "
            "lunches",
            "  # in turn so the phone stays covered. skills: {phone: 0.8} = 20% faster on the phone. A part-timer's",
            "  # days are spread over the week from Monday, the busiest day.",
            "  secretaries:",
        ]
    turn: dict[str, int] = {}
    for i, (sname, own, cluster, ndays) in enumerate([] if roster else p.secretaries):
        start, end = SHIFTS[i % 2]
        key = cluster or own[0]  # lunches in turn within a cluster (central) or a department
        lunch = LUNCHES[turn.get(key, 0) % len(LUNCHES)]
        turn[key] = turn.get(key, 0) + 1
        days = "" if ndays >= 5 else f", days: [{', '.join(part_time_days(ndays))}]"
        own_text = ", ".join(quoted(o) for o in own)
        lines.append(f"    - {{name: {quoted(sname)}, departments: [{own_text}], start: \"{start}\", end: \"{end}\", "
                     f"lunch_start: \"{lunch}\"{days}}}")
    lines += costs_lines(p.setup)
    if p.setup == "central":
        lines += [
            "dispatch:",
            "  exchange:",
            "    policy: idle        # help other clusters when your own has no waiting work (or none, overflow, pool)",
            "    topology: all",
            "  calls: preempt         # a call interrupts back-office work, which is resumed afterwards",
            "  custom_penalty: 1.5    # custom work takes 1.5x as long for someone else than the own secretary "
            "(ASSUMPTION)",
        ]
    else:
        lines += ["dispatch:", "  exchange: {policy: none}   # decentralised: each department only its own"]
    lines += [
        "absence:",
        "  sickness: {share: 0.06, episodes_per_fte_year: 1.5}   # A&O fonds Gemeenten Personeelsmonitor (2021-2023)",
        "  leave: {days_per_year: 25, block_days: 5}              # ASSUMPTION",
        "# Demand: the built-in sector demand (that of configs/base/sector.yaml). To change a figure, uncomment it",
        "# with the keys above it (the rest stays built in), or calibrate it from your own logs: sim calibrate.",
        "demand:",
        "  base: sector",
    ]
    lines += [f"  # {line[2:]}" if line.strip() else "  #" for line in SECTOR_DEMAND_YAML.rstrip("\n").splitlines()]
    return "\n".join(lines) + "\n"


__all__ = ["check_name", "parse_departments", "part_time_days", "plan", "quoted", "roster_paths", "roster_rows",
           "scenario_text", "write_roster"]
