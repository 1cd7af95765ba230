"""Quotas over any date window: each quota's amount shared by the days of its period that
fall inside the window (a Q1 quota of 90,000 gives 31,000 to January). Exact Decimal,
rounded to the cent half-even at the end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from attain.engine.periods import MONTHS_PER, Period, parse_period, period_of

CENT = Decimal("0.01")


def quota_totals(
    rep_ids: Iterable[int], name: str, start: dt.date, end: dt.date
) -> dict[int, Decimal]:
    """Quota named ``name`` per rep for the half-open window ``[start, end)``; reps without
    any quota overlapping the window are absent."""
    from attain.quotas.models import Quota

    totals: dict[int, Decimal] = defaultdict(Decimal)
    rows = Quota.objects.filter(
        rep_id__in=list(rep_ids), quota=name, period__in=overlapping_labels(start, end)
    ).values_list("rep_id", "period", "amount")
    windows: dict[str, Period] = {}  # a few labels, shared by every rep: parse each once
    for rep_id, label, amount in rows:
        window = windows.get(label) or windows.setdefault(label, parse_period(label))
        overlap = (min(window.end, end) - max(window.start, start)).days
        if overlap > 0:
            totals[rep_id] += amount * overlap / window.days
    return {rep: total.quantize(CENT, rounding=ROUND_HALF_EVEN) for rep, total in totals.items()}


def overlapping_labels(start: dt.date, end: dt.date) -> list[str]:
    """Every period label (year, half, quarter, month) whose days meet the half-open window
    ``[start, end)``: the quota rows that can count in it. Read by label, a window reads
    its own rows instead of every quota a rep ever had (years of monthly quotas)."""
    labels = []
    for year in range(start.year, (end - dt.timedelta(days=1)).year + 1):
        for kind, months in MONTHS_PER.items():
            for first_month in range(1, 13, months):
                period = period_of(dt.date(year, first_month, 1), kind)
                if period.start < end and period.end > start:
                    labels.append(period.label)
    return labels
