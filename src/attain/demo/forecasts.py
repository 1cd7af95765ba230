"""Forecast calls for the demo, so the forecast pages show calls and accuracy on day one.

Every rep who owns deals called each of the last four quarters at its midpoint, and the
current quarter a few days ago; each manager called for the team they led. Reps differ in
how they call: a deterministic bias per rep (0.80–1.20 of the truth) makes some sandbag and
some overreach, which the accuracy table then shows. Written in bulk, as the system: a
call's history is the point, and the services' per-call audit entries would be noise here.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Sum
from django.utils import timezone

from attain.forecasts import selectors
from attain.forecasts.models import ForecastCall
from attain.people.models import Rep, TeamMembership
from attain.people.selectors import subtree_rep_ids
from attain.reports.selectors import won_between
from attain.sales.models import Deal

PAST_QUARTERS = 4
HUNDRED = Decimal("100")


def _bias(rep: Rep) -> Decimal:
    return Decimal(80 + zlib.crc32(rep.external_id.encode()) % 41) / 100


def _hundreds(amount: Decimal) -> Decimal:
    return (amount / HUNDRED).quantize(Decimal("1"), rounding=ROUND_HALF_EVEN) * HUNDRED


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))


def _quarters(as_of: dt.date) -> list[tuple[selectors.ForecastPeriod, dt.date]]:
    """(quarter, day of the call): the past quarters at their midpoints, then this one."""
    current = selectors.current_period(as_of)
    quarters = []
    quarter = current
    for _ in range(PAST_QUARTERS):
        quarter = selectors.current_period(quarter.start - dt.timedelta(days=1))
        quarters.append((quarter, quarter.midpoint))
    called = max(current.start, as_of - dt.timedelta(days=3))
    return [*reversed(quarters), (current, called)]


def _truth(reps: list[Rep], quarter, day: dt.date, as_of: dt.date) -> dict[int, Decimal]:
    """What each rep would honestly call: the quarter's final won amount for a past quarter,
    the projection (won + weighted pipeline) for the current one."""
    if quarter.has_ended(as_of):
        deals = Deal.objects.filter(owner__in=reps).order_by()
        won = won_between(deals, quarter.start, quarter.end, as_of)
        sums = won.values("owner_id").annotate(s=Sum("amount"))
        return {row["owner_id"]: row["s"] for row in sums}
    rows = selectors.forecast_rows(Rep.objects.filter(id__in=[r.id for r in reps]), quarter, day)
    return {row.rep.id: row.projection for row in rows}


def create_forecast_calls(as_of: dt.date) -> int:
    reps = list(
        Rep.objects.filter(owned_deals__isnull=False)
        .distinct()
        .select_related("user")
        .order_by("id")
    )
    if not reps:
        return 0
    calls = []
    managers = TeamMembership.objects.filter(role=TeamMembership.Role.MANAGER)
    for quarter, day in _quarters(as_of):
        truth = _truth(reps, quarter, day, as_of)
        commits: dict[int, Decimal] = defaultdict(Decimal)
        for rep in reps:
            commit = _hundreds(truth.get(rep.id, Decimal("0")) * _bias(rep))
            commits[rep.id] = commit
            calls.append(_call(rep, "own", quarter, commit, day))
        leading = managers.filter(valid_from__lte=day).exclude(valid_to__lte=day)
        for manager in (
            Rep.objects.filter(id__in=leading.values("rep_id"))
            .select_related("user")
            .order_by("id")
        ):
            team = subtree_rep_ids(manager, day)
            commit = _hundreds(sum((commits[i] for i in team), Decimal("0")) * Decimal("0.95"))
            calls.append(_call(manager, "team", quarter, commit, day))
    ForecastCall.objects.bulk_create(calls, batch_size=1000)
    return len(calls)


def _call(rep: Rep, scope: str, quarter, commit: Decimal, day: dt.date) -> ForecastCall:
    return ForecastCall(
        rep=rep,
        scope=scope,
        period=quarter.label,
        commit=commit,
        best_case=_hundreds(commit * Decimal("1.25")),
        note="" if scope == "own" else "Sum of the reps' calls, less a little for slippage.",
        submitted_by=rep.user,
        submitted_at=_at(day),
    )
