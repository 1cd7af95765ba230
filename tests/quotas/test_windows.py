"""Quotas over a date window (quotas.windows): the rows a window reads, and the totals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attain.engine.periods import MONTHS_PER, period_of
from attain.quotas.models import Quota
from attain.quotas.windows import overlapping_labels, quota_totals


def every_label(years: range) -> list:
    return [
        period_of(dt.date(year, month, 1), kind)
        for year in years
        for kind, months in MONTHS_PER.items()
        for month in range(1, 13, months)
    ]


def test_the_labels_of_a_quarter():
    labels = overlapping_labels(dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert labels == ["2026-10", "2026-11", "2026-12", "2026-Q4", "2026-H2", "2026"]


def test_a_window_across_new_year_reads_both_years():
    labels = overlapping_labels(dt.date(2026, 12, 31), dt.date(2027, 1, 2))
    assert set(labels) == {"2026-12", "2026-Q4", "2026-H2", "2026", "2027-01", "2027-Q1"} | {
        "2027-H1",
        "2027",
    }


@given(
    start=st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
    days=st.integers(1, 800),
)
def test_exactly_the_periods_that_meet_the_window(start, days):
    end = start + dt.timedelta(days=days)
    meeting = {p.label for p in every_label(range(2023, 2032)) if p.start < end and p.end > start}
    assert set(overlapping_labels(start, end)) == meeting


@pytest.mark.django_db
def test_totals_share_each_quota_by_its_days_in_the_window(org):
    will, wendy = org.reps["will"], org.reps["wendy"]
    rows = [
        (will, "2026-Q1", "90000.00"),  # 31 of 90 days in January: 31,000.00
        (will, "2026-01", "5000.00"),  # the whole month
        (will, "2025-01", "7777.00"),  # a year before: not read
        (will, "2026", "36500.00"),  # 31 of 365 days: 3,100.00
        (wendy, "2026-02", "28000.00"),  # February only: outside January
    ]
    for rep, period, amount in rows:
        Quota.objects.create(rep=rep, quota="revenue", period=period, amount=Decimal(amount))
    Quota.objects.create(rep=will, quota="margin", period="2026-01", amount=Decimal("1.00"))
    january = quota_totals([will.id, wendy.id], "revenue", dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert january == {will.id: Decimal("39100.00")}
