"""The engine inputs a run reads from the database: credits only as far back as the plans
need (``inputs.credits_reach``), and the same pay whatever that reach."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.payouts import services
from attain.payouts.inputs import build_inputs
from attain.sales.models import Credit, Deal
from tests.payouts.conftest import MONTHLY_PLAN, add_plan

pytestmark = pytest.mark.django_db

NO_CLAWBACK = MONTHLY_PLAN.replace(
    "clawback: {valid_from: 2026-01-01, within_days: 365, reduces_attainment: false}\n", ""
)
YEAR_TO_DATE = NO_CLAWBACK.replace(
    "    measure: revenue\n", "    measure: revenue\n    accumulate: ytd\n"
)
ON_COLLECTION = MONTHLY_PLAN.replace("period: month\n", "period: month\npay_on: collection\n")


def _won(org, ref: str, closed: dt.date) -> None:
    wendy = org.deals["wendy"][0]
    deal = Deal.objects.create(
        external_id=ref, account=wendy.account, owner=wendy.owner, status=Deal.Status.WON,
        amount=Decimal("1000.00"), created_date=closed, close_date=closed,
    )  # fmt: skip
    Credit.objects.create(deal=deal, rep=wendy.owner, role="owner", share=Decimal("1"))


@pytest.fixture
def history(pay_org):
    _won(pay_org, "D-2025-01", dt.date(2025, 1, 15))
    _won(pay_org, "D-2025-03", dt.date(2025, 3, 1))
    _won(pay_org, "D-2026-01", dt.date(2026, 1, 20))
    return pay_org


def _history_read(period: str = "2026-02") -> list[str]:
    """Which of the ``history`` deals (closed before February 2026) the run reads."""
    deals = set(build_inputs(period).credits["deal_id"].to_pylist())
    return sorted(d for d in deals if d.startswith("D-20"))


@pytest.mark.parametrize(
    ("plan", "read"),
    [
        # a 365-day clawback reaches back to the month of 10 Feb 2025
        pytest.param(MONTHLY_PLAN, ["D-2025-03", "D-2026-01"], id="clawback"),
        pytest.param(NO_CLAWBACK, [], id="period-local: February alone"),
        pytest.param(YEAR_TO_DATE, ["D-2026-01"], id="year to date: from 1 January"),
        # the look-back depends on the payments: from the year before, as before
        pytest.param(ON_COLLECTION, ["D-2025-01", "D-2025-03", "D-2026-01"], id="on cash"),
    ],
)
def test_credits_are_read_as_far_back_as_the_plans_need(history, plan, read):
    add_plan(plan)  # the latest revision of ae-monthly
    assert _history_read() == read
    assert "D-WENDY-1" in build_inputs("2026-02").credits["deal_id"].to_pylist()


def test_a_narrower_read_pays_the_same(history, monkeypatch):
    narrowed = services.calculate_period("2026-02")
    monkeypatch.setattr(
        "attain.payouts.inputs.credits_reach", lambda texts, window, as_of: dt.date(2025, 1, 1)
    )
    everything = services.calculate_period("2026-02")
    assert everything.inputs.credits.num_rows > narrowed.inputs.credits.num_rows
    assert everything.result_fingerprint == narrowed.result_fingerprint


def test_a_plan_that_does_not_resolve_falls_back_to_the_year_before(history):
    add_plan(
        MONTHLY_PLAN.replace("valid_from: 2026-01-01\nperiod", "valid_from: 2026-06-01\nperiod")
    )
    assert "D-2025-01" in _history_read()
