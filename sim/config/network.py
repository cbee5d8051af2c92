"""The routing network of a scenario: groups, who may serve whom, owners and buddies, derived once.

A *group* is the unit that shares a queue. In the **decentralised** setup each set of departments linked by
secretaries who serve more than one of them is a group, served only by its own secretaries (each only her own
departments). In the **central** setup each cluster is a group serving its departments; with task exchange
(``dispatch.exchange``) groups help each other (``all``: every other cluster; ``chain``: the next one helps); with
the ``pool`` policy the whole secretariat is one group. A buddy (``organisation.cover``) also serves the
departments she covers.

:class:`Network` holds that relation as plain data, by index (departments and secretaries in config order), as
Ciw declares a network: the runtime organisation (:class:`sim.core.organisation.Organisation`), the config check
(:func:`competence_gaps`), lunch planning (:mod:`sim.config.lunches`) and the control variate
(:mod:`sim.decisions.staffing.control`) all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.schema import Scenario


def _components(n_depts: int, primary: list[frozenset[int]]) -> list[list[int]]:
    """Departments linked by secretaries who serve more than one of them, in order of their first department
    (a decentralised group: the departments that share people)."""
    parent = list(range(n_depts))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for own in primary:
        first, *rest = sorted(own)
        for d in rest:
            parent[find(d)] = find(first)
    comps: dict[int, list[int]] = {}
    for d in range(n_depts):
        comps.setdefault(find(d), []).append(d)
    return sorted(comps.values(), key=lambda c: c[0])


@dataclass(frozen=True)
class Network:
    """Who may serve whom in one scenario, by index: departments and secretaries in config order, groups in
    the order :func:`Network.of` builds them."""

    departments: tuple[str, ...]
    secretaries: tuple[str, ...]
    #: each secretary's cluster (her home cluster; decentralised: her first department)
    homes: tuple[str, ...]
    #: each secretary's own departments
    primary: tuple[frozenset[int], ...]
    #: each secretary's team in the staffing search and in lunch planning: her home cluster (central), her
    #: first department (decentralised) (:meth:`sim.config.OrganisationSpec.group_of`)
    teams: tuple[str, ...]
    group_names: tuple[str, ...]
    group_departments: tuple[tuple[int, ...], ...]
    #: each secretary's group
    group_of_secretary: tuple[int, ...]
    #: per group: the groups whose secretaries may take its work, and the groups it helps
    helpers: tuple[tuple[int, ...], ...]
    helps: tuple[tuple[int, ...], ...]
    #: the departments of her group whose work she may take: her own ones (decentralised), all (central)
    may: tuple[frozenset[int], ...]
    #: the departments each secretary covers as a buddy, in the order of ``organisation.cover``
    covers: tuple[tuple[int, ...], ...]
    #: every department each secretary may serve: her group's she may take, those of the groups hers helps,
    #: and those she covers
    serves: tuple[frozenset[int], ...]
    #: per department: its own secretaries, and its buddies
    owners: tuple[tuple[int, ...], ...]
    buddies: tuple[tuple[int, ...], ...]

    @classmethod
    def of(cls, scenario: Scenario) -> Network:
        org = scenario.organisation
        exchange = scenario.dispatch.exchange
        depts = tuple(d.name for d in org.departments)
        index = {n: i for i, n in enumerate(depts)}
        primary = [frozenset(index[d] for d in s.departments) for s in org.secretaries]
        homes = tuple(org.home_cluster(s) or s.departments[0] for s in org.secretaries)
        n_secs = len(primary)
        helpers: list[tuple[int, ...]]
        if org.setup == "decentralised":
            comps = _components(len(depts), primary)
            names = ["+".join(depts[d] for d in c) for c in comps]
            group_depts = [tuple(c) for c in comps]
            group_of_d = {d: g for g, c in enumerate(comps) for d in c}
            of_sec = [group_of_d[min(own)] for own in primary]
            may = list(primary)  # only her own departments
            helpers = [() for _ in comps]
        elif exchange.policy == "pool":
            names, group_depts = ["pool"], [tuple(range(len(depts)))]
            of_sec = [0] * n_secs
            may = [frozenset(group_depts[0])] * n_secs
            helpers = [()]
        else:
            names = org.clusters()
            group_depts = [tuple(index[d.name] for d in org.departments if d.cluster == c) for c in names]
            at = {c: g for g, c in enumerate(names)}
            of_sec = [at[h] for h in homes]
            may = [frozenset(group_depts[g]) for g in of_sec]
            k = len(names)
            if exchange.policy == "none":
                helpers = [() for _ in names]
            elif exchange.topology == "chain":
                helpers = [((g + 1) % k,) if k > 1 else () for g in range(k)]
            else:
                helpers = [tuple(h for h in range(k) if h != g) for g in range(k)]
        helps = [tuple(h for h in range(len(names)) if g in helpers[h]) for g in range(len(names))]
        covers: list[list[int]] = [[] for _ in range(n_secs)]
        for cover in org.cover:
            d = index[cover.department]
            for i, own in enumerate(primary):
                if index[cover.by] in own and d not in own and d not in covers[i]:
                    covers[i].append(d)
        serves = []
        for i in range(n_secs):
            reach = set(may[i])
            for h in helps[of_sec[i]]:
                reach.update(group_depts[h])
            reach.update(covers[i])
            serves.append(frozenset(reach))
        return cls(
            depts, tuple(s.name for s in org.secretaries), homes, tuple(primary),
            tuple(org.group_of(s) for s in org.secretaries), tuple(names), tuple(group_depts), tuple(of_sec),
            tuple(helpers), tuple(helps), tuple(may), tuple(tuple(c) for c in covers), tuple(serves),
            tuple(tuple(i for i in range(n_secs) if d in primary[i]) for d in range(len(depts))),
            tuple(tuple(i for i in range(n_secs) if d in covers[i]) for d in range(len(depts))),
        )

    def cover_rings(self, scenario: Scenario) -> list[tuple[str, ...]]:
        """Departments that answer for each other, decentralised: joined by a secretary who works for several
        (a group) or by buddy cover (``organisation.cover``), as connected sets of two or more, in order of
        their first department; none in the central setup (a cluster is its own phone group)."""
        if scenario.organisation.setup != "decentralised":
            return []
        index = {n: i for i, n in enumerate(self.departments)}
        links = list(self.primary) + [frozenset({index[c.department], index[c.by]})
                                      for c in scenario.organisation.cover]
        return [tuple(self.departments[d] for d in c) for c in _components(len(self.departments), links)
                if len(c) > 1]

    def group_of_department(self) -> tuple[int, ...]:
        """Each department's group."""
        of = {d: g for g, ds in enumerate(self.group_departments) for d in ds}
        return tuple(of[d] for d in range(len(self.departments)))

    def serving(self, department: int) -> list[int]:
        """The secretaries who may serve a department (coverage: someone who may is present)."""
        return [i for i, reach in enumerate(self.serves) if department in reach]

    def may_serve(self) -> dict[str, set[str]]:
        """For each department (by name), the secretaries (by name) who may take its work."""
        return {name: {self.secretaries[i] for i in self.serving(d)} for d, name in enumerate(self.departments)}


def may_serve(scenario: Scenario) -> dict[str, set[str]]:
    """For each department, the secretaries who may take its work under the scenario's setup and exchange
    policy (own group, clusters that help it, buddies that cover it)."""
    return Network.of(scenario).may_serve()


def competence_gaps(scenario: Scenario) -> list[tuple[str, str]]:
    """(department, request type) pairs with demand that nobody who may serve the department is competent for:
    the rule the config check holds, and the staffing search's moves too (a secretary may not leave if that
    opens a gap)."""
    org = scenario.organisation
    competent = {s.name: set(s.competences) if s.competences is not None else None for s in org.secretaries}
    demand = scenario.demand
    wanted = ["phone"] if demand.calls.per_staff_per_day > 0 else []
    if demand.calls.per_staff_per_day > 0 and demand.calls.callback_share > 0:
        wanted.append("callback")
    wanted += [name for name, t in demand.tasks.items() if t.per_staff_per_day > 0]
    if demand.meetings is not None and demand.meetings.per_department_per_week > 0:
        wanted.append("minutes")
    serving = may_serve(scenario)
    gaps = []
    for d in org.departments:
        if d.staff * d.demand_factor <= 0:
            continue
        for t in wanted:
            if not any(competent[n] is None or t in competent[n] for n in serving[d.name]):  # type: ignore[operator]
                gaps.append((d.name, t))
    return gaps


__all__ = ["Network", "competence_gaps", "may_serve"]
