"""Resolving plans for one calculation: the rules in force on the as-of date, the window.

Every period a calculation computes uses the rules in force on the as-of date. Exactly one
version of each assigned plan and exactly one rate table per component must be in force;
anything else is a ``RuleError``. Modifiers, SPIFFs and clawback rules not in force on the
as-of date simply do not apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .conditions import Node, ValueType, parse_condition
from .errors import RuleError
from .loader import check_conditions, select_plan_version
from .periods import Period, period_of, periods_in
from .spec import (
    Cap,
    Clawback,
    Component,
    Floor,
    Gate,
    Multiplier,
    Plan,
    PlanFloor,
    RateTable,
    Spiff,
)


@dataclass(frozen=True)
class ResolvedMultiplier:
    rule: Multiplier
    condition: Node | None


@dataclass(frozen=True)
class ResolvedComponent:
    component: Component
    table: RateTable
    gates: tuple[Gate, ...]
    multipliers: tuple[ResolvedMultiplier, ...]
    caps: tuple[Cap, ...]
    floors: tuple[Floor, ...]
    measure_parts: tuple[tuple[str, object, Node | None], ...]  # (source, weight, filter)

    @property
    def id(self) -> str:
        return self.component.id

    @property
    def trues_up(self) -> bool:
        """A cumulative retroactive table on the year to date: the year-to-date total picks
        the tier, and earlier periods' credits are re-rated (docs/plans.md, "True-ups")."""
        return (
            self.component.accumulate == "ytd"
            and self.table.semantic == "retroactive"
            and self.table.evaluation == "cumulative"
        )

    @property
    def line_evaluation(self) -> str:
        """The lines' ``evaluation`` column: ``cumulative_ytd`` when the year-to-date total
        picks a retroactive tier (the sentences name the total), else the table's."""
        return "cumulative_ytd" if self.trues_up else self.table.evaluation


@dataclass(frozen=True)
class ResolvedSpiff:
    rule: Spiff
    condition: Node | None


@dataclass(frozen=True)
class ResolvedPlan:
    plan: Plan
    components: tuple[ResolvedComponent, ...]
    spiffs: tuple[ResolvedSpiff, ...]
    clawback: Clawback | None
    window_periods: tuple[Period, ...]
    caps: tuple[Cap, ...] = ()
    floors: tuple[PlanFloor, ...] = ()

    @property
    def id(self) -> str:
        return self.plan.id

    def component(self, component_id: str) -> ResolvedComponent:
        return next(c for c in self.components if c.id == component_id)


@dataclass(frozen=True)
class Window:
    period: Period
    as_of: dt.date
    compute_from: dt.date  # first day whose credits the calculation needs


def _one_rate_table(plan: Plan, component: Component, as_of: dt.date) -> RateTable:
    tables = [t for t in component.rate_tables if t.in_force_on(as_of)]
    if not tables:
        raise RuleError(
            f"plan {plan.id} v{plan.version}, component {component.id!r}: "
            f"no rate table is in force on {as_of}"
        )
    if len(tables) > 1:
        raise RuleError(
            f"plan {plan.id} v{plan.version}, component {component.id!r}: "
            f"{len(tables)} rate tables are in force on {as_of}"
        )
    return tables[0]


def _parse(text: str | None, columns: dict[str, ValueType]) -> Node | None:
    return None if text is None else parse_condition(text, columns)


def resolve_plan(
    plan: Plan, as_of: dt.date, window: Period, columns: dict[str, ValueType]
) -> ResolvedPlan:
    check_conditions(plan, columns)
    components = []
    for component in plan.components:
        measure = plan.measures[component.measure]
        if measure.blend is not None:
            parts = tuple(
                (
                    plan.measures[p.measure].source,
                    p.weight,
                    _parse(plan.measures[p.measure].where, columns),
                )
                for p in measure.blend
            )
        else:
            parts = ((measure.source, 1, _parse(measure.where, columns)),)
        modifiers = component.modifiers
        for rule in [*modifiers.gates, *modifiers.multipliers]:
            referenced = plan_component(plan, rule.component or component.id)
            needs_quota = isinstance(rule, Gate) or (
                rule.attainment_at_least is not None or rule.attainment_below is not None
            )
            if needs_quota and referenced.quota is None:
                raise RuleError(
                    f"plan {plan.id}: component {component.id!r} tests the attainment of "
                    f"{referenced.id!r}, which has no quota"
                )
        components.append(
            ResolvedComponent(
                component=component,
                table=_one_rate_table(plan, component, as_of),
                gates=tuple(g for g in modifiers.gates if g.in_force_on(as_of)),
                multipliers=tuple(
                    ResolvedMultiplier(m, _parse(m.when, columns))
                    for m in modifiers.multipliers
                    if m.in_force_on(as_of)
                ),
                caps=tuple(c for c in modifiers.caps if c.in_force_on(as_of)),
                floors=tuple(f for f in modifiers.floors if f.in_force_on(as_of)),
                measure_parts=parts,
            )
        )
    spiffs = tuple(
        ResolvedSpiff(s, _parse(s.where, columns)) for s in plan.spiffs if s.in_force_on(as_of)
    )
    clawback = plan.clawback if plan.clawback and plan.clawback.in_force_on(as_of) else None
    return ResolvedPlan(
        plan=plan,
        components=tuple(components),
        spiffs=spiffs,
        clawback=clawback,
        window_periods=tuple(periods_in(window, plan.period)),
        caps=tuple(c for c in plan.caps if c.in_force_on(as_of)),
        floors=tuple(f for f in plan.floors if f.in_force_on(as_of)),
    )


def plan_component(plan: Plan, component_id: str) -> Component:
    return next(c for c in plan.components if c.id == component_id)


def resolve_plans(
    plans: Iterable[Plan],
    plan_ids: Iterable[str],
    as_of: dt.date,
    window: Period,
    columns: dict[str, ValueType],
) -> dict[str, ResolvedPlan]:
    plans = list(plans)
    return {
        plan_id: resolve_plan(select_plan_version(plans, plan_id, as_of), as_of, window, columns)
        for plan_id in sorted(set(plan_ids))
    }


def compute_from(window: Period, plans: Iterable[ResolvedPlan], draws: bool = False) -> dt.date:
    """The first day the calculation reads (its credits, targets and lines): the start of
    the earliest plan period the window's lines depend on.

    A period-local plan (``period_local``) is computed from the window's first day or, with
    clawbacks, from the start of the plan period holding the first day a deal cancelled in
    the window may have been booked on; a plan reading the year to date, from
    1 January of that year. So recalculating the open period of a book reads that period
    (and the clawback's reach) only, not the year before it. ``draws``: draw balances are
    carried from 1 January, so any draw in force reads the whole year."""
    earliest = window.start
    for resolved in plans:
        start = window.start  # a window holds whole periods of every plan
        if resolved.clawback is not None:
            reach = window.start - dt.timedelta(days=resolved.clawback.within_days)
            start = min(start, period_of(reach, resolved.plan.period).start)
        if draws or not period_local(resolved):
            start = dt.date(start.year, 1, 1)
        earliest = min(earliest, start)
    return earliest


def period_local(resolved: ResolvedPlan) -> bool:
    """Whether the plan's lines of a period depend on that period's credits alone (and, for a
    clawback, on the cancelled deal's own period): every earning paid at booking, no
    year-to-date accumulation, attainment test, true-up, cap or floor."""
    plan = resolved.plan
    for component in resolved.components:
        if (component.component.pay_on or plan.pay_on) != "booking":
            return False  # releases read the earnings of deals booked earlier
        if component.component.accumulate == "ytd":
            return False
        tests = (*component.gates, *(m.rule for m in component.multipliers))
        if any(test.attainment_scope == "ytd" for test in tests):
            return False
        if any(cap.per == "year" for cap in component.caps):
            return False
    return all(cap.per == "period" for cap in resolved.caps) and all(
        floor.per == "period" for floor in resolved.floors
    )
