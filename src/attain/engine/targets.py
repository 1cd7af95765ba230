"""Targets per rep, component and period: quota (seasonal, prorated) and target incentive.

These are the small dimension of a calculation (reps × components × periods), computed
once in exact Python and handed to every backend as a table. A prorated or seasonal quota
and a period's target incentive are published targets: each is rounded half-even to the
cent when derived, and the calculation then uses that published figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa

from .errors import RuleError
from .money import round_half_even, round_money
from .periods import PERIODS_PER_YEAR, Period, period_of, year_periods
from .resolve import ResolvedComponent, ResolvedPlan

TARGET_SCHEMA = pa.schema(
    [
        ("rep_id", pa.string()),
        ("plan_id", pa.string()),
        ("component_id", pa.string()),
        ("period", pa.string()),
        ("period_last_day", pa.date32()),
        ("proration", pa.decimal128(9, 6)),
        ("quota", pa.decimal128(18, 2)),
        ("tier_quota", pa.decimal128(18, 2)),
        ("ytd_quota", pa.decimal128(18, 2)),
        ("target_incentive", pa.decimal128(18, 2)),
        ("year_target_incentive", pa.decimal128(18, 2)),
    ]
)


@dataclass(frozen=True)
class Coverage:
    days: int
    incentive_days: Fraction  # Σ annual target incentive × covered days
    latest_incentive: Decimal


def check_assignment_overlaps(assignments: list[dict]) -> None:
    by_rep: dict[str, list[dict]] = defaultdict(list)
    for row in assignments:
        by_rep[row["rep_id"]].append(row)
    for rep_id, rows in by_rep.items():
        rows.sort(key=lambda r: r["valid_from"])
        for earlier, later in zip(rows, rows[1:], strict=False):
            if earlier["valid_to"] is None or later["valid_from"] < earlier["valid_to"]:
                raise RuleError(
                    f"rep {rep_id!r} has overlapping plan assignments: {earlier['plan_id']} "
                    f"from {earlier['valid_from']} and {later['plan_id']} "
                    f"from {later['valid_from']}"
                )


def _coverage(rows: list[dict], period: Period) -> Coverage:
    days = 0
    incentive_days = Fraction(0)
    latest = Decimal(0)
    for row in sorted(rows, key=lambda r: r["valid_from"]):
        start = max(row["valid_from"], period.start)
        end = min(row["valid_to"] or dt.date.max, period.end)
        if end > start:
            covered = (end - start).days
            days += covered
            incentive_days += Fraction(row["target_incentive"]) * covered
            latest = row["target_incentive"]
    return Coverage(days, incentive_days, latest)


class TargetBuilder:
    def __init__(self, plan: ResolvedPlan, assignments: list[dict], quotas: list[dict]) -> None:
        self.plan = plan
        self.assignments: dict[str, list[dict]] = defaultdict(list)
        for row in assignments:
            if row["plan_id"] == plan.id:
                self.assignments[row["rep_id"]].append(row)
        self.quotas = {(q["rep_id"], q["quota"], q["period"]): q["amount"] for q in quotas}
        # Most reps share their assignment dates and target incentive: their coverage and
        # incentives per year are computed once per such shape (5,000 reps: 0.8 s → 0.1 s).
        self._coverages: dict[tuple, dict[str, Coverage]] = {}
        self._incentives: dict[tuple, dict[str, Decimal]] = {}

    def _proration(self, coverage: Coverage, period: Period) -> Fraction:
        if coverage.days == 0:
            return Fraction(0)
        if not self.plan.plan.proration:
            return Fraction(1)
        return Fraction(coverage.days, period.days)

    def _incentive(
        self, component: ResolvedComponent, coverage: Coverage, period: Period
    ) -> Decimal:
        if coverage.days == 0:
            return Decimal("0.00")
        per_year = PERIODS_PER_YEAR[self.plan.plan.period]
        weight = Fraction(component.component.weight)
        if self.plan.plan.proration:
            annual = coverage.incentive_days / period.days
        else:
            annual = Fraction(coverage.latest_incentive)
        return round_money(annual * weight / per_year)

    def _period_quota(self, rep_id: str, component: ResolvedComponent, period: Period) -> Decimal:
        ref = component.component.quota
        assert ref is not None
        if ref.source == "period":
            key = (rep_id, ref.name, period.label)
            if key not in self.quotas:
                raise RuleError(
                    f"no quota {ref.name!r} for rep {rep_id!r} in {period.label} "
                    f"(plan {self.plan.id}, component {component.id!r})"
                )
            return self.quotas[key]
        key = (rep_id, ref.name, str(period.year))
        if key not in self.quotas:
            raise RuleError(
                f"no annual quota {ref.name!r} for rep {rep_id!r} in {period.year} "
                f"(plan {self.plan.id}, component {component.id!r})"
            )
        annual = self.quotas[key]
        count = PERIODS_PER_YEAR[self.plan.plan.period]
        weights = (
            [Fraction(w) for w in ref.seasonality]
            if ref.seasonality
            else [Fraction(100, count)] * count
        )
        shares = [round_money(Fraction(annual) * w / 100) for w in weights[:-1]]
        shares.append(annual - sum(shares, Decimal(0)))  # the last period takes the remainder
        return shares[period.index_in_year]

    def rows_for_rep(self, rep_id: str, compute_from: dt.date, until: dt.date) -> list[dict]:
        rows = self.assignments.get(rep_id, [])
        out = []
        years = range(compute_from.year, (until - dt.timedelta(days=1)).year + 1)
        periods_of = {year: year_periods(year, self.plan.plan.period) for year in years}
        shape = tuple((r["valid_from"], r["valid_to"], r["target_incentive"]) for r in rows)
        # The rep's days on the plan: the same for every component.
        coverage_of = {year: self._coverage_of(shape, rows, periods_of[year]) for year in years}
        for component in self.plan.components:
            for year in years:
                periods = periods_of[year]
                coverage = coverage_of[year]
                incentives = self._incentives_of(component, shape, coverage, periods)
                year_incentive = sum(incentives.values(), Decimal("0.00"))
                ytd_quota = Decimal("0.00")
                for period in periods:
                    if period.start >= until or period.start < compute_from:
                        continue
                    cover = coverage[period.label]
                    if cover.days == 0:
                        continue
                    proration = self._proration(cover, period)
                    quota = tier_quota = None
                    if component.component.quota is not None:
                        published = self._period_quota(rep_id, component, period)
                        exact = published if proration == 1 else Fraction(published) * proration
                        quota = round_money(exact)
                        ytd_quota += quota
                        tier_quota = ytd_quota if component.component.accumulate == "ytd" else quota
                        if tier_quota <= 0 and self._needs_positive_quota(component):
                            raise RuleError(
                                f"quota {component.component.quota.name!r} of rep {rep_id!r} in "
                                f"{period.label} is {tier_quota}: attainment is undefined"
                            )
                    out.append(
                        {
                            "rep_id": rep_id,
                            "plan_id": self.plan.id,
                            "component_id": component.id,
                            "period": period.label,
                            "period_last_day": period.end - dt.timedelta(days=1),
                            "proration": round_half_even(proration, 6),
                            "quota": quota,
                            "tier_quota": tier_quota,
                            "ytd_quota": ytd_quota if quota is not None else None,
                            "target_incentive": incentives[period.label],
                            "year_target_incentive": year_incentive,
                        }
                    )
        return out

    def _coverage_of(
        self, shape: tuple, rows: list[dict], periods: list[Period]
    ) -> dict[str, Coverage]:
        key = (shape, periods[0].year)
        if key not in self._coverages:
            self._coverages[key] = {p.label: _coverage(rows, p) for p in periods}
        return self._coverages[key]

    def _incentives_of(
        self,
        component: ResolvedComponent,
        shape: tuple,
        coverage: dict[str, Coverage],
        periods: list[Period],
    ) -> dict[str, Decimal]:
        key = (component.id, shape, periods[0].year)
        if key not in self._incentives:
            self._incentives[key] = {
                p.label: self._incentive(component, coverage[p.label], p) for p in periods
            }
        return self._incentives[key]

    def _needs_positive_quota(self, component: ResolvedComponent) -> bool:
        # Attainment tiers and curves divide by the quota; a gate only compares with it.
        return component.table.basis == "attainment"


def build_targets(
    plans: dict[str, ResolvedPlan],
    assignments: list[dict],
    quotas: list[dict],
    compute_from: dt.date,
    until: dt.date,
) -> list[dict]:
    rows: list[dict] = []
    for plan_id, plan in sorted(plans.items()):
        builder = TargetBuilder(plan, assignments, quotas)
        reps = sorted({a["rep_id"] for a in assignments if a["plan_id"] == plan_id})
        for rep_id in reps:
            rows.extend(builder.rows_for_rep(rep_id, compute_from, until))
    return rows


def targets_table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=TARGET_SCHEMA)


def period_label(day: dt.date, kind: str) -> str:
    return period_of(day, kind).label
