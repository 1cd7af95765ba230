"""The oracle's crediting: derived credits and team totals, in plain loops.

Written independently of ``crediting.py``'s SQL and of its hierarchy closure: the oracle
walks the reporting line one manager at a time, on each credit's own event date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from .periods import period_of
from .prepare import Prepared
from .resolve import ResolvedComponent, ResolvedPlan

TEAM_ROLES = ("owner", "split")


def _in_force(row: dict, day: dt.date) -> bool:
    return row["valid_from"] <= day and (row["valid_to"] is None or day < row["valid_to"])


class Hierarchy:
    def __init__(self, rows: list[dict]) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            self.rows[row["rep_id"]].append(row)

    def manager(self, rep_id: str, day: dt.date) -> str | None:
        for row in self.rows.get(rep_id, []):
            if _in_force(row, day):
                return row["manager_id"]
        return None

    def managers(self, rep_id: str, day: dt.date) -> list[str]:
        """The chain above ``rep_id`` on ``day``: direct manager first."""
        chain = []
        current = self.manager(rep_id, day)
        while current is not None:
            chain.append(current)
            current = self.manager(current, day)
        return chain


def _plan_on(assignments: dict[str, list[dict]], rep_id: str, day: dt.date) -> str | None:
    for row in assignments.get(rep_id, []):
        if _in_force(row, day):
            return row["plan_id"]
    return None


def _derived(credit: dict, rep_id: str, role: str) -> dict:
    return {
        **credit,
        "credit_id": f"{credit['credit_id']}/{role}/{rep_id}",
        "rep_id": rep_id,
        "role": role,
    }


def derived_credits(
    prepared: Prepared, credits: list[dict], assignments: dict[str, list[dict]]
) -> list[dict]:
    """Territory credits, then manager credits for every manager up the chain whose plan on
    the credit's date rolls up credits of that role from that depth (docs/plans.md)."""
    plans = prepared.plans

    def crediting(rep_id: str, day: dt.date):
        plan_id = _plan_on(assignments, rep_id, day)
        return None if plan_id is None else plans[plan_id].plan.crediting

    territories: dict[str, list[dict]] = defaultdict(list)
    for row in prepared.crediting.territories.to_pylist():
        territories[row["territory_id"]].append(row)
    territory_credits = []
    for credit in credits:
        if credit.get("territory_id") is None:
            continue
        owners = [
            t["rep_id"]
            for t in territories.get(credit["territory_id"], [])
            if _in_force(t, credit["event_date"])
        ]
        for owner in owners:
            rules = crediting(owner, credit["event_date"])
            if rules and rules.territory and credit["role"] in rules.territory.roles:
                territory_credits.append(_derived(credit, owner, "territory"))
    hierarchy = Hierarchy(prepared.crediting.hierarchy.to_pylist())
    manager_credits = []
    for credit in credits + territory_credits:
        day = credit["event_date"]
        for level, manager in enumerate(hierarchy.managers(credit["rep_id"], day), start=1):
            rules = crediting(manager, day)
            if rules is None or rules.roll_up is None:
                continue
            deep_enough = rules.roll_up.levels == "all" or level <= rules.roll_up.levels
            if deep_enough and credit["role"] in rules.roll_up.roles:
                manager_credits.append(_derived(credit, manager, "manager"))
    return territory_credits + manager_credits


class TeamTotals:
    """Team totals of one plan's components, per (manager, period), summed credit by credit."""

    def __init__(self, prepared: Prepared, plan: ResolvedPlan) -> None:
        self.prepared = prepared
        self.plan = plan
        self.hierarchy = Hierarchy(prepared.crediting.hierarchy.to_pylist())
        self.targets = {
            (t["rep_id"], t["component_id"], t["period"]): t
            for t in prepared.crediting.team_targets.to_pylist()
            if t["plan_id"] == plan.id
        }
        self.totals: dict[str, dict[tuple[str, str], Fraction]] = {}

    def _sum(self, component: ResolvedComponent) -> dict[tuple[str, str], Fraction]:
        from .oracle import convert_currency, measure_value

        managers = {t["manager_id"] for t in self.targets.values()}
        fx_rows = self.prepared.fx.to_pylist()
        totals: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        for credit in self.prepared.credits.to_pylist():
            day = credit["event_date"]
            if not self.prepared.compute_from <= day < self.prepared.window.end:
                continue
            if credit["role"] not in TEAM_ROLES:
                continue
            team = {credit["rep_id"], *self.hierarchy.managers(credit["rep_id"], day)}
            if not team & managers:
                continue
            (converted,) = convert_currency([credit], self.plan.plan, fx_rows)
            value, included = measure_value(component, converted)
            if not included:
                continue
            period = period_of(day, self.plan.plan.period).label
            for manager in team & managers:
                totals[(manager, period)] += value
        return totals

    def attained(
        self,
        rep_id: str,
        component: ResolvedComponent,
        period: str,
        level: Decimal,
        scope: str | None = None,
    ) -> bool:
        """The team of the rep's manager (on the period's last day) reaches ``level`` % of
        the manager's quota: in the period, or (``scope`` ``ytd``) in the year so far."""
        if component.id not in self.totals:
            self.totals[component.id] = self._sum(component)
        target = self.targets[(rep_id, component.id, period)]
        manager = target["manager_id"]
        totals = self.totals[component.id]
        if scope == "ytd":
            # the manager's team's sums of this year's periods, up to and including this one
            total = sum(
                (
                    value
                    for (team, label), value in totals.items()
                    if team == manager and label[:4] == period[:4] and label <= period
                ),
                Fraction(0),
            )
            quota = target["team_ytd_quota"]
        else:
            total = totals.get((manager, period), Fraction(0))
            quota = target["team_quota"]
        return total >= Fraction(level) * Fraction(quota) / 100
