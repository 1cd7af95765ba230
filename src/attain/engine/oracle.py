"""The oracle: a plain per-row Python calculation, written to be read, not to be fast.

It implements the semantics of docs/plans.md directly with exact rationals
(``fractions.Fraction``) and rounds each line once, half-even, to the cent. The compiled
DuckDB query must agree with it to the byte.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa

from .cash import oracle_cash_lines
from .conditions import evaluate
from .errors import RuleError
from .explain import add_explanations
from .fx import missing_rate_message
from .money import round_half_even, round_money
from .oracle_crediting import TeamTotals, derived_credits
from .periods import period_of, year_periods
from .prepare import Prepared
from .resolve import ResolvedComponent, ResolvedPlan
from .results import LINE_SCHEMA, Result, build_result
from .spec import PLAN_FLOOR_ID, Plan


@dataclass
class Event:
    """One credit's measure value entering a running total (virtual: a clawed-back credit)."""

    credit: dict
    value: Fraction
    date: dt.date
    period: str
    scope: str
    virtual: bool


def measure_value(component: ResolvedComponent, credit: dict) -> tuple[Fraction, bool]:
    total = Fraction(0)
    included = False
    for source, weight, condition in component.measure_parts:
        if condition is not None and evaluate(condition, credit) is not True:
            continue
        included = True
        if source == "deals":
            value = Fraction(1)
        else:
            value = Fraction(credit[source] or 0) * Fraction(credit["share"])
        total += Fraction(weight) * value
    return total, included


def clawback_applies(plan: ResolvedPlan, credit: dict, window_end: dt.date) -> bool:
    cancelled = credit["cancellation_date"]
    if plan.clawback is None or cancelled is None or cancelled >= window_end:
        return False
    return 0 <= (cancelled - credit["event_date"]).days <= plan.clawback.within_days


def tier_index(value: Fraction, lowers: list[Fraction], tie_break: str) -> int:
    """0-based tier holding ``value``; a value on a boundary goes to the higher or lower tier."""
    if tie_break == "higher":
        return sum(1 for lower in lowers[1:] if value >= lower)
    return sum(1 for lower in lowers[1:] if value > lower)


class PlanOracle:
    def __init__(self, prepared: Prepared, plan: ResolvedPlan, credits: list[dict]) -> None:
        self.prepared = prepared
        self.plan = plan
        self.credits = credits
        self.kind = plan.plan.period
        self.targets = {
            (t["rep_id"], t["component_id"], t["period"]): t
            for t in prepared.targets.to_pylist()
            if t["plan_id"] == plan.id
        }
        self.events: dict[str, list[Event]] = {}
        self.totals: dict[tuple[str, str, str], Fraction] = {}
        self.scoped: dict[tuple[str, str, str, str], Fraction] = {}
        self.team = TeamTotals(prepared, plan)

    def label(self, day: dt.date) -> str:
        return period_of(day, self.kind).label

    # -- running totals ----------------------------------------------------------------

    def build_events(self, component: ResolvedComponent) -> list[Event]:
        ytd = component.component.accumulate == "ytd"
        reduces = self.plan.clawback is not None and self.plan.clawback.reduces_attainment
        events = []
        roles = component.component.roles
        for credit in self.credits:
            value, included = measure_value(component, credit)
            if not included or (roles is not None and credit["role"] not in roles):
                continue
            period = self.label(credit["event_date"])
            scope = period[:4] if ytd else period
            events.append(Event(credit, value, credit["event_date"], period, scope, False))
            if reduces and clawback_applies(self.plan, credit, self.prepared.window.end):
                day = credit["cancellation_date"]
                label = self.label(day)
                events.append(Event(credit, -value, day, label, label[:4] if ytd else label, True))
        events.sort(
            key=lambda e: (e.credit["rep_id"], e.scope, e.date, e.credit["credit_id"], e.virtual)
        )
        return events

    def period_totals(self, component: ResolvedComponent, events: list[Event]) -> None:
        """Totals per rep and targeted period: the period's sum, or the sum of the year's
        targeted periods up to it (year to date)."""
        per_period: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        for event in events:
            per_period[(event.credit["rep_id"], event.period)] += event.value
        ytd = component.component.accumulate == "ytd"
        targeted = sorted(
            (rep, period) for rep, comp, period in self.targets if comp == component.id
        )
        running: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        for rep_id, period in targeted:  # sorted: a rep's periods in order within each year
            running[(rep_id, period[:4])] += per_period[(rep_id, period)]
            year_to_date = running[(rep_id, period[:4])]
            self.scoped[(rep_id, component.id, period, "period")] = per_period[(rep_id, period)]
            self.scoped[(rep_id, component.id, period, "ytd")] = year_to_date
            total = year_to_date if ytd else per_period[(rep_id, period)]
            self.totals[(rep_id, component.id, period)] = total

    def total(self, rep_id: str, component_id: str, period: str) -> Fraction:
        return self.totals.get((rep_id, component_id, period), Fraction(0))

    # -- modifiers ---------------------------------------------------------------------

    def attained(
        self, rep_id: str, component_id: str, period: str, level: Decimal, scope: str | None
    ) -> bool:
        target = self.targets[(rep_id, component_id, period)]
        if scope is None:
            total, quota = self.total(rep_id, component_id, period), target["tier_quota"]
        else:
            total = self.scoped[(rep_id, component_id, period, scope)]
            quota = target["quota" if scope == "period" else "ytd_quota"]
        return total >= Fraction(level) * Fraction(quota) / 100

    def factor(
        self, component: ResolvedComponent, credit: dict, period: str
    ) -> tuple[Fraction, bool]:
        rep_id = credit["rep_id"]

        def reaches(rule, level: Decimal) -> bool:
            """The rule's attainment test: the rep's, or (``team: true``) the team's."""
            ref = rule.component or component.id
            if rule.team:
                tested = self.plan.component(ref)
                return self.team.attained(rep_id, tested, period, level, rule.attainment_scope)
            return self.attained(rep_id, ref, period, level, rule.attainment_scope)

        factor = Fraction(1)
        for resolved in component.multipliers:
            rule = resolved.rule
            if resolved.condition is not None and evaluate(resolved.condition, credit) is not True:
                continue
            if rule.attainment_at_least is not None and not reaches(rule, rule.attainment_at_least):
                continue
            if rule.attainment_below is not None and reaches(rule, rule.attainment_below):
                continue
            factor *= Fraction(rule.factor)
        gated = any(not reaches(gate, gate.attainment_at_least) for gate in component.gates)
        return factor, gated

    # -- tier lines --------------------------------------------------------------------

    def lines_for(self, component: ResolvedComponent, event: Event, before: Fraction) -> list[dict]:
        table = component.table
        credit = event.credit
        rep_id = credit["rep_id"]
        target = self.targets.get((rep_id, component.id, event.period))
        if target is None:
            raise RuleError(
                f"rep {rep_id!r} has no targets for {event.period} in plan {self.plan.id}"
            )
        quota = Fraction(target["tier_quota"]) if target["tier_quota"] is not None else None

        def to_amount(bound: Decimal | None) -> Fraction | None:
            if bound is None:
                return None
            return Fraction(bound) * quota / 100 if table.basis == "attainment" else Fraction(bound)

        factor, gated = self.factor(component, credit, event.period)
        applied = Fraction(0) if gated else factor
        common = {
            "rep_id": rep_id,
            "period": event.period,
            "plan_id": self.plan.id,
            "plan_version": self.plan.plan.version,
            "component_id": component.id,
            "line_kind": "earning",
            "event_date": event.date,
            "credit_id": credit["credit_id"],
            "deal_id": credit["deal_id"],
            "basis": table.basis,
            "semantic": table.semantic,
            "evaluation": component.line_evaluation,
            "rate_kind": table.rate,
            "rate_from": None,
            "period_total": None,
            "quota": target["tier_quota"],
            "target_incentive": target["target_incentive"],
            "proration": target["proration"],
            "deal_currency": credit["deal_currency"],
            "fx_rate": credit["fx_rate"],
            "fx_via": credit["fx_via"],
            "fx_rate_to_via": credit["fx_rate_to_via"],
            "fx_rate_from_via": credit["fx_rate_from_via"],
            "multiplier": factor,
            "gated": gated,
            "currency": self.plan.plan.currency,
        }
        x = event.value
        lines = []
        if table.semantic == "retroactive":
            tiers = table.tiers
            lowers = [to_amount(t.from_) for t in tiers]
            cumulative = table.evaluation == "cumulative"
            reference = self.total(rep_id, component.id, event.period) if cumulative else x
            k = tier_index(reference, lowers, table.tie_break)
            rate = Fraction(tiers[k].rate)
            exact = {
                "percent": x * rate / 100,
                "per_unit": x * rate,
                "per_deal": rate,
            }[table.rate] * applied
            lines.append(
                {
                    **common,
                    "tier": k + 1,
                    "tier_from": tiers[k].from_,
                    "tier_to": tiers[k].to,
                    "rate": tiers[k].rate,
                    "base": x,
                    "period_total": reference if cumulative else None,
                    "amount_before_cap": round_money(exact),
                }
            )
            return lines
        low, high = (before, before + x) if table.evaluation == "cumulative" else (Fraction(0), x)
        if table.semantic == "marginal":
            segments = [(t.from_, t.to, None, t.rate) for t in table.tiers]
        else:
            points = table.points
            segments = [
                (p.at, q.at, p.payout, q.payout) for p, q in zip(points, points[1:], strict=False)
            ]
        for index, (bound_low, bound_high, rate_from, rate) in enumerate(segments):
            lo, hi = to_amount(bound_low), to_amount(bound_high)
            top = high if hi is None else min(high, hi)
            piece = max(Fraction(0), top - max(low, lo))
            if piece == 0:
                continue
            if table.semantic == "marginal":
                exact = piece * Fraction(rate) / (100 if table.rate == "percent" else 1)
            else:
                increase = (
                    Fraction(target["target_incentive"])
                    * (Fraction(rate) - Fraction(rate_from))
                    / 100
                )
                exact = increase * piece / (hi - lo)
            lines.append(
                {
                    **common,
                    "tier": index + 1,
                    "tier_from": bound_low,
                    "tier_to": bound_high,
                    "rate_from": rate_from,
                    "rate": rate,
                    "base": piece,
                    "amount_before_cap": round_money(exact * applied),
                }
            )
        return lines

    def component_lines(self, component: ResolvedComponent) -> list[dict]:
        lines = []
        running: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
        for event in self.events[component.id]:
            key = (event.credit["rep_id"], event.scope)
            before = running[key]
            running[key] = before + event.value
            if not event.virtual:
                lines.extend(self.lines_for(component, event, before))
        if component.trues_up:
            lines.extend(self.true_up_lines(component, lines))
        return self.apply_caps(component, lines)

    def retro_tier(self, component: ResolvedComponent, rep_id: str, period: str) -> int:
        """0-based tier of a cumulative retroactive table reached by the total at the end of
        the period (the year to date, against the year-to-date quota)."""
        table = component.table
        quota = self.targets[(rep_id, component.id, period)]["tier_quota"]
        lowers = [
            Fraction(t.from_) * Fraction(quota) / 100
            if table.basis == "attainment"
            else Fraction(t.from_)
            for t in table.tiers
        ]
        return tier_index(self.total(rep_id, component.id, period), lowers, table.tie_break)

    def true_up_lines(self, component: ResolvedComponent, earnings: list[dict]) -> list[dict]:
        """Year-to-date retroactive tiers: in each period whose rate differs from the previous
        period's, each credit of the year's earlier periods is re-rated: a line of what it
        earns at the new rate less what it earned at the old one, each rounded half-even to
        the cent as its earning line was (docs/plans.md, "True-ups")."""
        table = component.table
        periods: dict[tuple[str, str], list[str]] = defaultdict(list)
        for rep_id, component_id, period in sorted(self.targets):
            if component_id == component.id:
                periods[(rep_id, period[:4])].append(period)
        tiers: dict[tuple[str, str], int] = {}
        previous: dict[tuple[str, str], str] = {}
        for (rep_id, _), labels in periods.items():
            for before, label in zip([None, *labels], labels, strict=False):
                tiers[(rep_id, label)] = self.retro_tier(component, rep_id, label)
                if before is not None:
                    previous[(rep_id, label)] = before
        by_credit = {c["credit_id"]: c for c in self.credits}
        end = self.prepared.window.end

        def earned(line: dict, rate: Decimal) -> Decimal:
            rate_f = Fraction(rate)
            exact = {
                "percent": line["base"] * rate_f / 100,
                "per_unit": line["base"] * rate_f,
                "per_deal": rate_f,
            }[table.rate]
            return round_money(exact * line["multiplier"])

        lines = []
        for line in earnings:
            if line["gated"]:
                continue  # a gated credit earned nothing, at any rate
            rep_id = line["rep_id"]
            credit = by_credit[line["credit_id"]]
            cancelled = (
                self.label(credit["cancellation_date"])
                if clawback_applies(self.plan, credit, end)
                else None
            )
            for period in periods[(rep_id, line["period"][:4])]:
                if period <= line["period"]:
                    continue
                if cancelled is not None and cancelled <= period:
                    break  # clawed back: re-rated no more (its true-ups are reversed too)
                old = table.tiers[tiers[(rep_id, previous[(rep_id, period)])]]
                k = tiers[(rep_id, period)]
                new = table.tiers[k]
                if new.rate == old.rate:
                    continue
                target = self.targets[(rep_id, component.id, period)]
                amount = earned(line, new.rate) - earned(line, old.rate)
                lines.append(
                    {
                        **line,
                        "period": period,
                        "line_kind": "true_up",
                        "event_date": target["period_last_day"],
                        "tier": k + 1,
                        "tier_from": new.from_,
                        "tier_to": new.to,
                        "rate_from": old.rate,
                        "rate": new.rate,
                        "period_total": self.total(rep_id, component.id, period),
                        "quota": target["tier_quota"],
                        "target_incentive": target["target_incentive"],
                        "proration": target["proration"],
                        "amount_before_cap": amount,
                    }
                )
        return lines

    def apply_caps(self, component: ResolvedComponent, lines: list[dict]) -> list[dict]:
        for line in lines:
            line["amount"] = line["amount_before_cap"]
        for cap in component.caps:
            groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
            for line in lines:
                scope = line["period"] if cap.per == "period" else line["period"][:4]
                groups[(line["rep_id"], scope)].append(line)
            for group in groups.values():
                group.sort(key=lambda line: (line["event_date"], line["credit_id"], line["tier"]))
                cumulative = Decimal(0)
                for line in group:
                    target = self.targets[(line["rep_id"], component.id, line["period"])]
                    if cap.amount is not None:
                        limit = cap.amount
                    else:
                        incentive = target[
                            "target_incentive" if cap.per == "period" else "year_target_incentive"
                        ]
                        limit = round_money(Fraction(cap.multiple_of_target) * Fraction(incentive))
                    paid_before = min(cumulative, limit)
                    cumulative += line["amount"]
                    line["amount"] = min(cumulative, limit) - paid_before
        for line in lines:
            line["cap_reduction"] = line["amount_before_cap"] - line["amount"]
        return lines

    def apply_plan_caps(self, lines: list[dict]) -> None:
        """Caps on all components together, after each component's own caps."""
        incentives: dict[tuple[str, str], dict[str, Decimal]] = {}
        for (rep_id, _, period), target in self.targets.items():
            totals = incentives.setdefault(
                (rep_id, period), {"period": Decimal(0), "year": Decimal(0)}
            )
            totals["period"] += target["target_incentive"]
            totals["year"] += target["year_target_incentive"]
        for cap in self.plan.caps:
            groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
            for line in lines:
                scope = line["period"] if cap.per == "period" else line["period"][:4]
                groups[(line["rep_id"], scope)].append(line)
            for group in groups.values():
                group.sort(
                    key=lambda line: (
                        line["event_date"],
                        line["credit_id"],
                        line["component_id"],
                        line["tier"],
                    )
                )
                cumulative = Decimal(0)
                for line in group:
                    if cap.amount is not None:
                        limit = cap.amount
                    else:
                        incentive = incentives[(line["rep_id"], line["period"])][cap.per]
                        limit = round_money(Fraction(cap.multiple_of_target) * Fraction(incentive))
                    paid_before = min(cumulative, limit)
                    cumulative += line["amount"]
                    paid = min(cumulative, limit) - paid_before
                    line["cap_reduction"] += line["amount"] - paid
                    line["amount"] = paid

    def floor_lines(self, component: ResolvedComponent, lines: list[dict]) -> list[dict]:
        """A top-up line for each rep and period paid below the highest floor in force."""
        if not component.floors:
            return []
        paid: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for line in lines:
            paid[(line["rep_id"], line["period"])] += line["amount"]
        top_ups = []
        for (rep_id, component_id, period), target in sorted(self.targets.items()):
            if component_id != component.id:
                continue
            limit = max(
                floor.amount
                if floor.amount is not None
                else round_money(
                    Fraction(floor.multiple_of_target) * Fraction(target["target_incentive"])
                )
                for floor in component.floors
            )
            earned = paid[(rep_id, period)]
            if earned >= limit:
                continue
            top_ups.append(
                {
                    "rep_id": rep_id,
                    "period": period,
                    "plan_id": self.plan.id,
                    "plan_version": self.plan.plan.version,
                    "component_id": component.id,
                    "line_kind": "floor",
                    "event_date": target["period_last_day"],
                    "credit_id": None,
                    "deal_id": None,
                    "tier": None,
                    "basis": None,
                    "semantic": None,
                    "evaluation": None,
                    "rate_kind": "floor",
                    "tier_from": None,
                    "tier_to": None,
                    "rate_from": None,
                    "rate": limit,
                    "base": earned,
                    "period_total": None,
                    "quota": target["tier_quota"],
                    "target_incentive": target["target_incentive"],
                    "proration": target["proration"],
                    "deal_currency": None,
                    "fx_rate": None,
                    "fx_via": None,
                    "fx_rate_to_via": None,
                    "fx_rate_from_via": None,
                    "multiplier": None,
                    "gated": False,
                    "amount_before_cap": limit - earned,
                    "cap_reduction": Decimal("0.00"),
                    "amount": limit - earned,
                    "currency": self.plan.plan.currency,
                }
            )
        return top_ups

    def plan_floor_lines(self, paid_lines: list[dict]) -> list[dict]:
        """Plan floors: what all the plan's components paid together (earnings after every
        cap, and the components' own floor top-ups) is topped up per rep and period to the
        highest period floor in force; then each rep's year, in the year's last plan period,
        to the highest year floor (counting the period top-ups too)."""
        if not self.plan.floors:
            return []
        # The plan's targets per rep and period: its components' target incentives summed.
        plan_targets: dict[tuple[str, str], dict] = {}
        for (rep_id, _, period), target in sorted(self.targets.items()):
            entry = plan_targets.setdefault(
                (rep_id, period),
                {"last_day": target["period_last_day"], "period": Decimal(0), "year": Decimal(0)},
            )
            entry["period"] += target["target_incentive"]
            entry["year"] += target["year_target_incentive"]
        paid: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for line in paid_lines:
            paid[(line["rep_id"], line["period"])] += line["amount"]

        def highest(floors, incentive: Decimal) -> Decimal:
            return max(
                f.amount
                if f.amount is not None
                else round_money(Fraction(f.multiple_of_target) * Fraction(incentive))
                for f in floors
            )

        top_ups = []
        period_floors = [f for f in self.plan.floors if f.per == "period"]
        if period_floors:
            for (rep_id, period), target in sorted(plan_targets.items()):
                limit = highest(period_floors, target["period"])
                earned = paid[(rep_id, period)]
                if earned < limit:
                    top_ups.append(
                        self.plan_floor_line(
                            rep_id, period, target, "plan_floor", limit, earned, target["period"]
                        )
                    )
        year_floors = [f for f in self.plan.floors if f.per == "year"]
        if year_floors:
            per_year: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
            for (rep_id, period), amount in paid.items():
                per_year[(rep_id, period[:4])] += amount
            for line in top_ups:
                per_year[(line["rep_id"], line["period"][:4])] += line["amount"]
            for (rep_id, period), target in sorted(plan_targets.items()):
                year = period[:4]
                if period != year_periods(int(year), self.kind)[-1].label:
                    continue  # an annual floor is settled in the year's last period only
                limit = highest(year_floors, target["year"])
                earned = per_year[(rep_id, year)]
                if earned < limit:
                    top_ups.append(
                        self.plan_floor_line(
                            rep_id, period, target, "plan_year_floor", limit, earned, target["year"]
                        )
                    )
        return top_ups

    def plan_floor_line(
        self,
        rep_id: str,
        period: str,
        target: dict,
        kind: str,
        limit: Decimal,
        earned: Decimal,
        incentive: Decimal,
    ) -> dict:
        return {
            "rep_id": rep_id,
            "period": period,
            "plan_id": self.plan.id,
            "plan_version": self.plan.plan.version,
            "component_id": PLAN_FLOOR_ID,
            "line_kind": "floor",
            "event_date": target["last_day"],
            "credit_id": None,
            "deal_id": None,
            "tier": None,
            "basis": None,
            "semantic": None,
            "evaluation": None,
            "rate_kind": kind,
            "tier_from": None,
            "tier_to": None,
            "rate_from": None,
            "rate": limit,
            "base": earned,
            "period_total": None,
            "quota": None,
            "target_incentive": incentive,
            "proration": None,
            "deal_currency": None,
            "fx_rate": None,
            "multiplier": None,
            "gated": False,
            "amount_before_cap": limit - earned,
            "cap_reduction": Decimal("0.00"),
            "amount": limit - earned,
            "currency": self.plan.plan.currency,
        }

    # -- SPIFFs and clawbacks ----------------------------------------------------------

    def spiff_lines(self) -> list[dict]:
        lines = []
        for resolved in self.plan.spiffs:
            rule = resolved.rule
            for credit in self.credits:
                if not rule.window_from <= credit["event_date"] < rule.window_to:
                    continue
                if rule.roles is not None and credit["role"] not in rule.roles:
                    continue
                if (
                    resolved.condition is not None
                    and evaluate(resolved.condition, credit) is not True
                ):
                    continue
                share = Fraction(credit["share"])
                if rule.fixed is not None:
                    base, rate, kind = share, rule.fixed, "spiff_fixed"
                    exact = Fraction(rule.fixed) * share
                else:
                    base = Fraction(credit["amount"]) * share
                    rate, kind = rule.percent, "spiff_percent"
                    exact = base * Fraction(rule.percent) / 100
                amount = round_money(exact)
                lines.append(
                    {
                        "rep_id": credit["rep_id"],
                        "period": self.label(credit["event_date"]),
                        "plan_id": self.plan.id,
                        "plan_version": self.plan.plan.version,
                        "component_id": rule.id,
                        "line_kind": "spiff",
                        "event_date": credit["event_date"],
                        "credit_id": credit["credit_id"],
                        "deal_id": credit["deal_id"],
                        "tier": None,
                        "basis": None,
                        "semantic": None,
                        "evaluation": None,
                        "rate_kind": kind,
                        "tier_from": None,
                        "tier_to": None,
                        "rate_from": None,
                        "rate": rate,
                        "base": base,
                        "period_total": None,
                        "quota": None,
                        "target_incentive": None,
                        "proration": None,
                        "deal_currency": credit["deal_currency"],
                        "fx_rate": credit["fx_rate"],
                        "fx_via": credit["fx_via"],
                        "fx_rate_to_via": credit["fx_rate_to_via"],
                        "fx_rate_from_via": credit["fx_rate_from_via"],
                        "multiplier": None,
                        "gated": False,
                        "amount_before_cap": amount,
                        "cap_reduction": Decimal("0.00"),
                        "amount": amount,
                        "currency": self.plan.plan.currency,
                    }
                )
        return lines

    def clawback_lines(self, lines: list[dict]) -> list[dict]:
        by_credit = {c["credit_id"]: c for c in self.credits}
        reversals = []
        for line in lines:
            if line["credit_id"] is None:  # a floor top-up belongs to no credit
                continue
            credit = by_credit[line["credit_id"]]
            if not clawback_applies(self.plan, credit, self.prepared.window.end):
                continue
            day = credit["cancellation_date"]
            reversals.append(
                {
                    **line,
                    "line_kind": "clawback",
                    "period": self.label(day),
                    "event_date": day,
                    "base": -line["base"],
                    "amount_before_cap": -line["amount"],
                    "cap_reduction": Decimal("0.00"),
                    "amount": -line["amount"],
                }
            )
        return reversals

    def run(self) -> list[dict]:
        """The plan's lines of every computed period (the caller keeps the window's)."""
        for component in self.plan.components:
            events = self.build_events(component)
            self.events[component.id] = events
            self.period_totals(component, events)
        earnings = []
        for component in self.plan.components:
            earnings.extend(self.component_lines(component))
        self.apply_plan_caps(earnings)
        lines = list(earnings)
        for component in self.plan.components:
            own = [line for line in earnings if line["component_id"] == component.id]
            lines.extend(self.floor_lines(component, own))
        lines.extend(self.plan_floor_lines(lines))
        lines.extend(self.spiff_lines())
        lines.extend(self.clawback_lines(lines))
        lines.extend(self.cash_lines(earnings))
        return lines

    def cash_lines(self, earnings: list[dict]) -> list[dict]:
        """Pay on cash: hold, release and hold-reversal lines (``cash.oracle_cash_lines``)."""
        credits = self.prepared.credits.select(["credit_id", "amount"]).to_pylist()
        end = self.prepared.window.end
        return oracle_cash_lines(
            self.plan,
            self.credits,
            {c["credit_id"]: c["amount"] for c in credits},
            earnings,
            self.prepared.payments.to_pylist(),
            end,
            self.label,
            lambda credit: clawback_applies(self.plan, credit, end),
        )


def _plan_of(assignments: dict[str, list[dict]], credit: dict) -> str | None:
    for row in assignments.get(credit["rep_id"], []):
        if row["valid_from"] <= credit["event_date"] and (
            row["valid_to"] is None or credit["event_date"] < row["valid_to"]
        ):
            return row["plan_id"]
    return None


def oracle_lines(prepared: Prepared) -> list[dict]:
    assignments: dict[str, list[dict]] = defaultdict(list)
    for row in prepared.assignments.to_pylist():
        assignments[row["rep_id"]].append(row)
    by_plan: dict[str, list[dict]] = defaultdict(list)
    unassigned = []
    credits = [
        credit
        for credit in prepared.credits.to_pylist()
        if prepared.compute_from <= credit["event_date"] < prepared.window.end
    ]
    for credit in credits + derived_credits(prepared, credits, assignments):
        plan_id = _plan_of(assignments, credit)
        if plan_id is None:
            unassigned.append(credit)
        else:
            by_plan[plan_id].append(credit)
    if unassigned and prepared.unassigned == "error":
        first = min(unassigned, key=lambda c: c["credit_id"])
        raise RuleError(
            f"{len(unassigned)} credit(s) have no plan assignment on their date, e.g. credit "
            f"{first['credit_id']!r} of rep {first['rep_id']!r} on {first['event_date']}"
        )
    fx_rows = prepared.fx.to_pylist()
    lines, every_period = [], []
    for plan_id, plan in sorted(prepared.plans.items()):
        credits = convert_currency(by_plan.get(plan_id, []), plan.plan, fx_rows)
        plan_lines = PlanOracle(prepared, plan, credits).run()
        every_period.extend(plan_lines)
        wanted = {p.label for p in plan.window_periods}
        lines.extend(line for line in plan_lines if line["period"] in wanted)
    lines.extend(draw_lines(prepared.draws.to_pylist(), every_period))
    return lines


def draw_lines(schedule: list[dict], lines: list[dict]) -> list[dict]:
    """Draw and draw-recovery lines, period by period, carrying the balance (docs/plans.md).

    Written as the plain recursion: the SQL uses its closed form (running sum and minimum).
    """
    net: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        net[(line["rep_id"], line["period"])] += line["amount"]
    periods: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in schedule:
        periods[(row["rep_id"], row["draw_year"])].append(row)
    result = []
    for _, rows in sorted(periods.items()):
        balance = Decimal("0.00")
        for row in sorted(rows, key=lambda r: r["period_start"]):
            paid_net = net[(row["rep_id"], row["period"])]
            draw = row["draw_amount"]
            kind = row["draw_kind"]
            paid = draw - paid_net if kind != "none" and paid_net < draw else Decimal(0)
            surplus = max(Decimal(0), paid_net - draw)
            recovered = min(balance, surplus)
            if kind == "recoverable":
                balance += paid
            balance -= recovered
            if not row["in_window"]:
                continue
            for line_kind, amount in (("draw", paid), ("draw_recovery", -recovered)):
                if amount == 0:
                    continue
                result.append(
                    {
                        "rep_id": row["rep_id"],
                        "period": row["period"],
                        "plan_id": row["plan_id"],
                        "plan_version": row["plan_version"],
                        "component_id": "draw",
                        "line_kind": line_kind,
                        "event_date": row["period_last_day"],
                        "credit_id": None,
                        "deal_id": None,
                        "tier": None,
                        "basis": None,
                        "semantic": None,
                        "evaluation": None,
                        "rate_kind": kind,
                        "tier_from": None,
                        "tier_to": None,
                        "rate_from": None,
                        "rate": draw,
                        "base": paid_net,
                        "period_total": balance,
                        "quota": None,
                        "target_incentive": None,
                        "proration": None,
                        "deal_currency": None,
                        "fx_rate": None,
                        "fx_via": None,
                        "fx_rate_to_via": None,
                        "fx_rate_from_via": None,
                        "multiplier": None,
                        "gated": False,
                        "amount_before_cap": amount,
                        "cap_reduction": Decimal("0.00"),
                        "amount": amount,
                        "currency": row["currency"],
                    }
                )
    return result


def _rate_on(fx_rows: list[dict], source: str, target: str, day: dt.date) -> Decimal | None:
    for row in fx_rows:
        if (row["from_currency"], row["to_currency"]) != (source, target):
            continue
        if row["valid_from"] <= day and (row["valid_to"] is None or day < row["valid_to"]):
            return row["rate"]
    return None


def convert_currency(credits: list[dict], plan: Plan, fx_rows: list[dict]) -> list[dict]:
    """Credits with amount and margin in the plan's currency, at the rate of the event date,
    rounded half-even to the cent; each keeps its deal currency and the rate used.

    The rate is the direct one; failing that, with a pivot P (the plan's ``fx_pivot``, when
    it is neither currency), deal→P × P→plan rounded half-even to 8 places."""
    currency = plan.currency
    converted, missing = [], []
    for credit in credits:
        deal_currency = credit.get("currency") or currency
        day = credit["event_date"]
        rate, via, to_via, from_via = Decimal(1), None, None, None
        if deal_currency != currency:
            rate = _rate_on(fx_rows, deal_currency, currency, day)
            pivot = plan.fx_pivot
            if rate is None and pivot is not None and pivot not in (deal_currency, currency):
                to_via = _rate_on(fx_rows, deal_currency, pivot, day)
                from_via = _rate_on(fx_rows, pivot, currency, day)
                if to_via is not None and from_via is not None:
                    cross = round_half_even(Fraction(to_via) * Fraction(from_via), 8)
                    if cross > 0:
                        rate, via = cross, pivot
            if rate is None:
                missing.append((credit, to_via is not None, from_via is not None))
                continue
            if via is None:
                to_via = from_via = None
        row = {
            **credit,
            "deal_currency": deal_currency,
            "fx_rate": rate,
            "fx_via": via,
            "fx_rate_to_via": to_via,
            "fx_rate_from_via": from_via,
        }
        if deal_currency != currency:
            for column in ("amount", "margin"):
                if row[column] is not None:
                    row[column] = round_money(Fraction(row[column]) * Fraction(rate))
        converted.append(row)
    if missing:
        first, leg_in, leg_out = min(missing, key=lambda m: m[0]["credit_id"])
        detail = f"credit {first['credit_id']!r}; {len(missing)} credit(s) lack a rate"
        raise RuleError(
            missing_rate_message(
                plan, first.get("currency"), first["event_date"], detail, leg_in, leg_out
            )
        )
    return converted


def _to_decimal(value):
    if isinstance(value, Fraction):
        # Exact by construction: bases and multipliers have at most 8 and 12 places.
        scaled = value * 10**12
        if scaled.denominator != 1:
            raise ArithmeticError(f"{value} is not a finite decimal")
        return Decimal(scaled.numerator).scaleb(-12)
    return value


def calculate_with_oracle(prepared: Prepared) -> Result:
    rows = [{k: _to_decimal(v) for k, v in line.items()} for line in oracle_lines(prepared)]
    for row in rows:
        row["explanation"] = ""
    table = pa.Table.from_pylist(rows, schema=LINE_SCHEMA)
    return build_result(add_explanations(table))
