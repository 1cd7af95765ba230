"""Progress toward a rep's personal goal, from what they are actually paid.

- **Saved so far** = the amount recorded when the goal was set + ``savings_rate`` % of the
  net pay on approved or paid runs for pay periods starting on or after ``counting_from``.
- **Pace** = the average of that saving over the last three such pay periods (fewer if the
  goal is newer); the projection divides what is left by the pace.
- **Hit quota this month** runs the real engine on the rep's plan twice for the current
  month: with the deals won so far, and with one more deal that brings won revenue up to the
  month's revenue quota, at the rep's usual mix (units and margin per revenue dollar over the
  last 180 days). "You are $X closer" is ``savings_rate`` % of the month's pay at quota.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from django.db.models import Sum

from attain.coaching.models import PersonalGoal
from attain.engine import EngineError
from attain.engine.periods import parse_period, period_of
from attain.people.models import Rep

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
PACE_PERIODS = 3
MIX_DAYS = 180


@dataclass(frozen=True)
class QuotaMonth:
    period: str
    quota: Decimal
    won: Decimal
    pay_so_far: Decimal
    pay_at_quota: Decimal
    closer_by: Decimal

    @property
    def reached(self) -> bool:
        return self.won >= self.quota


@dataclass(frozen=True)
class GoalProgress:
    goal: PersonalGoal
    recorded: Decimal
    from_pay: Decimal
    pay_periods: int
    pace: Decimal | None
    projected_date: dt.date | None
    quota_month: QuotaMonth | None
    quota_note: str = ""

    @property
    def saved(self) -> Decimal:
        return self.recorded + self.from_pay

    @property
    def remaining(self) -> Decimal:
        return max(self.goal.target_amount - self.saved, ZERO)

    @property
    def percent(self) -> int | None:
        if not self.goal.target_amount:
            return None
        share = min(self.saved * 100 / self.goal.target_amount, Decimal(100))
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def on_track(self) -> bool | None:
        if self.goal.target_date is None or self.remaining == 0:
            return None if self.remaining else True
        return self.projected_date is not None and self.projected_date <= self.goal.target_date


def _rate(goal: PersonalGoal) -> Decimal:
    return goal.savings_rate / Decimal(100)


def _saving(goal: PersonalGoal, pay: Decimal) -> Decimal:
    return (pay * _rate(goal)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def pay_by_period(rep: Rep, since: dt.date | None) -> list[tuple[str, Decimal]]:
    """Net pay per pay period on approved and paid runs, oldest first."""
    from attain.payouts.models import CalcRun, LedgerLine

    rows = (
        LedgerLine.objects.filter(rep=rep, run__status__in=CalcRun.CLOSED)
        .values("pay_period")
        .annotate(total=Sum("amount"))
    )
    periods = []
    for row in rows:
        window = parse_period(row["pay_period"])
        if since is None or window.start >= since:
            periods.append((window.start, row["pay_period"], row["total"] or ZERO))
    return [(label, total) for _, label, total in sorted(periods)]


def _projection(goal: PersonalGoal, saved: Decimal, pace: Decimal | None, day: dt.date):
    if pace is None or pace <= 0:
        return None
    left = goal.target_amount - saved
    if left <= 0:
        return day
    months = int((left / pace).to_integral_value(rounding="ROUND_CEILING"))
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def progress(goal: PersonalGoal, day: dt.date, with_quota: bool = True) -> GoalProgress:
    paid = pay_by_period(goal.rep, goal.counting_from)
    from_pay = sum((_saving(goal, total) for _, total in paid), ZERO)
    recent = paid[-PACE_PERIODS:]
    pace = None
    if recent:
        pace = (sum((_saving(goal, t) for _, t in recent), ZERO) / len(recent)).quantize(CENT)
    quota_month, note = (None, "")
    if with_quota:
        quota_month, note = hit_quota_this_month(goal, day)
    return GoalProgress(
        goal=goal,
        recorded=goal.saved_so_far,
        from_pay=from_pay,
        pay_periods=len(paid),
        pace=pace,
        projected_date=_projection(goal, goal.saved_so_far + from_pay, pace, day),
        quota_month=quota_month,
        quota_note=note,
    )


def _month_quota(rep: Rep, month) -> Decimal | None:
    """The month's revenue quota: a monthly quota, else a share by days of a longer one."""
    from attain.quotas.windows import quota_totals

    return quota_totals([rep.id], "revenue", month.start, month.end).get(rep.id)


def _usual_mix(rep: Rep, day: dt.date) -> tuple[Decimal, Decimal | None]:
    """Units and margin per revenue dollar on the rep's won deals in the last 180 days."""
    from attain.sales.models import Credit, Deal

    credits = Credit.objects.filter(
        rep=rep,
        deal__status=Deal.Status.WON,
        deal__close_date__gt=day - dt.timedelta(days=MIX_DAYS),
        deal__close_date__lte=day,
    ).values_list("share", "deal__amount", "deal__units", "deal__margin")
    revenue = units = margin = ZERO
    margin_known = False
    for share, amount, deal_units, deal_margin in credits:
        revenue += share * amount
        units += share * deal_units
        if deal_margin is not None:
            margin += share * deal_margin
            margin_known = True
    if revenue <= 0:
        return ZERO, None
    return units / revenue, (margin / revenue if margin_known else None)


def _month_pay(result, rep: Rep) -> Decimal:
    total = ZERO
    for row in result.payouts.to_pylist():
        if row["rep_id"] == rep.external_id:
            total += row["net_payable"]
    return total


def _won_this_month(inputs, rep: Rep, month) -> Decimal:
    won = ZERO
    for row in inputs.credits.to_pylist():
        if row["rep_id"] == rep.external_id and month.start <= row["event_date"] < month.end:
            won += row["amount"] * row["share"]
    return won.quantize(CENT)


def hit_quota_this_month(goal: PersonalGoal, day: dt.date) -> tuple[QuotaMonth | None, str]:
    """What the month pays if the rep reaches quota, by the real engine; or why not known."""
    from attain.payouts.inputs import build_inputs
    from attain.payouts.services import run_engine

    rep = goal.rep
    month = period_of(day, "month")
    quota = _month_quota(rep, month)
    if not quota:
        return None, "No revenue quota for this month."
    try:
        inputs = build_inputs(month.label, month.end - dt.timedelta(days=1), [rep.id])
        if inputs.assignments.num_rows == 0:
            return None, "No plan assigned, so what quota would pay is unknown."
        base = run_engine(inputs)
        won = _won_this_month(inputs, rep, month)
        pay_so_far = _month_pay(base, rep)
        pay_at_quota = pay_so_far
        if won < quota:
            units_per_dollar, margin_per_dollar = _usual_mix(rep, day)
            gap = quota - won
            filler = {
                "credit_id": "what-if-quota",
                "deal_id": "what-if-quota",
                "rep_id": rep.external_id,
                "role": "owner",
                "share": Decimal("1"),
                "event_date": max(day, month.start),
                "amount": gap,
                "units": (gap * units_per_dollar).quantize(CENT),
                "margin": None
                if margin_per_dollar is None
                else (gap * margin_per_dollar).quantize(CENT),
                "currency": goal.currency,
            }
            what_if = build_inputs(
                month.label, month.end - dt.timedelta(days=1), [rep.id], extra_credits=[filler]
            )
            pay_at_quota = _month_pay(run_engine(what_if), rep)
    except EngineError as error:
        return None, f"The plan could not be calculated: {error}"
    quota_month = QuotaMonth(
        period=month.label,
        quota=quota,
        won=won,
        pay_so_far=pay_so_far,
        pay_at_quota=pay_at_quota,
        closer_by=_saving(goal, pay_at_quota),
    )
    return quota_month, ""
