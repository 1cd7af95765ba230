"""Unit tests for the numbers behind the home pages (attain.reports.selectors)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.reports import selectors
from attain.sales.models import Deal

D = dt.date


@pytest.mark.parametrize(
    ("day", "quarter", "q_start", "q_end", "m_end", "trailing"),
    [
        (D(2026, 2, 20), "Q1 2026", D(2026, 1, 1), D(2026, 3, 31), D(2026, 2, 28), D(2025, 2, 21)),
        (
            D(2026, 12, 31),
            "Q4 2026",
            D(2026, 10, 1),
            D(2026, 12, 31),
            D(2026, 12, 31),
            D(2026, 1, 1),
        ),
        (D(2028, 2, 29), "Q1 2028", D(2028, 1, 1), D(2028, 3, 31), D(2028, 2, 29), D(2027, 3, 1)),
        (D(2026, 7, 1), "Q3 2026", D(2026, 7, 1), D(2026, 9, 30), D(2026, 7, 31), D(2025, 7, 2)),
    ],
)
def test_periods(day, quarter, q_start, q_end, m_end, trailing):
    p = selectors.periods_for(day)
    assert p.quarter_label == quarter
    assert (p.quarter_start, p.quarter_end) == (q_start, q_end)
    assert p.month_start == day.replace(day=1)
    assert p.month_end == m_end
    assert p.trailing_start == trailing


@pytest.mark.parametrize(
    ("won", "lost", "rate"),
    [(0, 0, None), (1, 0, Decimal("100.0")), (1, 2, Decimal("33.3")), (2, 1, Decimal("66.7"))],
)
def test_win_rate(won, lost, rate):
    assert selectors.win_rate(won, lost) == rate


def test_money_format():
    assert selectors.format_money(Decimal("1234567.5")) == "USD 1,234,567.50"
    assert selectors.format_money(Decimal("0"), "EUR") == "EUR 0.00"
    assert str(selectors.Total()) == "USD 0.00"


@pytest.mark.django_db
def test_won_leaves_out_cancelled_and_other_periods_and_sums_per_currency(org):
    will = org.reps["will"]
    account = org.accounts["will"]

    def deal(ext, amount, close, currency="USD", status="won", cancelled=None):
        return Deal.objects.create(
            external_id=ext, account=account, owner=will, status=status, amount=Decimal(amount),
            currency=currency, created_date=D(2026, 1, 1), close_date=close,
            cancellation_date=cancelled,
        )  # fmt: skip

    deal("X1", "100.10", D(2026, 3, 31))
    deal("X2", "5000", D(2026, 3, 1), currency="EUR")
    deal("X3", "999", D(2026, 2, 1), cancelled=D(2026, 3, 1))  # cancelled before today
    deal("X4", "777", D(2026, 2, 1), cancelled=D(2026, 6, 1))  # cancelled only later
    deal("X5", "888", D(2026, 4, 1))  # next quarter
    deal("X6", "555", D(2026, 2, 1), status="lost")
    today = D(2026, 3, 31)
    home = selectors.rep_home(will, today)
    # Q1: factory won deal 12,000 + X1 100.10 + X4 777 in USD; X2 in EUR.
    assert str(home.won_quarter) == "EUR 5,000.00 + USD 12,877.10"
    assert home.won_quarter.in_currency("USD") == Decimal("12877.10")
    assert home.won_quarter.count == 4
    assert str(home.won_month) == "EUR 5,000.00 + USD 100.10"
    # Trailing 12 months: won = factory, X1, X2, X3, X4 (X5 is after today) ; lost = X6.
    assert home.win_rate == Decimal("83.3")


@pytest.mark.django_db
def test_data_health_normalises_stored_errors(org):
    from django.utils import timezone

    from attain.imports.models import ImportRun

    now = timezone.now()
    bad = [{"row": i, "column": "amount", "reason": "bad"} for i in range(12)]
    errors = ["file is empty", *bad]
    ImportRun.objects.create(
        entity="deals", file_name="x.csv", source="cli", status="rejected", rows=0,
        errors=errors, started_at=now, finished_at=now,
    )  # fmt: skip
    health = selectors.data_health()
    failure = health.recent_failures[0]
    assert failure.errors[0] == {
        "row": None,
        "column": None,
        "value": None,
        "reason": "file is empty",
    }
    assert len(failure.errors) == 10 and failure.more == 3
    assert health.last_import.file_name == "x.csv"
    assert not health.is_empty


@pytest.mark.django_db
def test_won_in_quarter_by_rep(org):
    will, eddie = org.reps["will"].id, org.reps["eddie"].id
    totals = selectors.won_in_quarter_by_rep([will, eddie], D(2026, 2, 20))
    assert {k: str(v) for k, v in totals.items()} == {will: "USD 12,000.00", eddie: "USD 12,000.00"}
    later = selectors.won_in_quarter_by_rep([will], D(2026, 5, 1))
    assert str(later[will]) == "USD 0.00"


@pytest.mark.django_db
def test_recent_deals_order_by_latest_past_event(org):
    will = org.reps["will"]
    account = org.accounts["will"]
    for ext, created, close, status in [
        ("R-OPEN-FUTURE", D(2026, 2, 1), D(2027, 1, 1), "open"),  # event: created 02-01
        ("R-WON-LATE", D(2025, 12, 1), D(2026, 2, 15), "won"),  # event: closed 02-15
        ("R-NEWEST", D(2026, 3, 1), None, "open"),  # event: created 03-01
    ]:
        Deal.objects.create(
            external_id=ext, account=account, owner=will, status=status, amount=Decimal(1),
            created_date=created, close_date=close,
        )  # fmt: skip
    recent = selectors.recent_deals(Deal.objects.filter(owner=will), D(2026, 2, 20))
    # Factory deals: won closed 2026-02-10; open created 2026-03-01. Ties: newest id first.
    assert [d.external_id for d in recent] == [
        "R-NEWEST", "D-WILL-2", "R-WON-LATE", "D-WILL-1", "R-OPEN-FUTURE"
    ]  # fmt: skip
