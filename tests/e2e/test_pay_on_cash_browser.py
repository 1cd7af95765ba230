"""Pay on cash in the browser: on a plan paying on collection, wendy's February statement
shows her $1,300 earning held and the third of it collected in February released (a
summary tile of its own, so the tiles add up to the net pay); the deal page lists the
invoice and the payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def cash_run(e2e_org):
    from attain.payouts import services
    from attain.plans.models import PlanAssignment
    from attain.sales.models import Payment
    from tests.payouts.conftest import MONTHLY_PLAN, add_plan

    add_plan(MONTHLY_PLAN.replace("period: month\n", "period: month\npay_on: collection\n"))
    PlanAssignment.objects.create(
        rep=e2e_org.reps["wendy"],
        plan_id="ae-monthly",
        valid_from=dt.date(2026, 1, 1),
        target_incentive=Decimal("2000.00"),
    )
    deal = e2e_org.deals["wendy"][0]
    Payment.objects.create(
        external_id="INV-1", deal=deal, kind="invoice", date=dt.date(2026, 2, 10),
        amount=Decimal("12000.00"),
    )  # fmt: skip
    Payment.objects.create(
        external_id="PAY-1", deal=deal, kind="payment", date=dt.date(2026, 2, 18),
        amount=Decimal("4000.00"),
    )  # fmt: skip
    run = services.start_run(e2e_org.users["admin"], "2026-02")
    return services.approve_run(e2e_org.users["finance"], run)


def test_statement_shows_the_hold_and_the_release_and_the_deal_its_payments(
    page, e2e_org, cash_run
):
    log_in(page, "wendy")
    page.goto(f"/pay/statements/{e2e_org.reps['wendy'].pk}/2026-02/")
    expect(page.get_by_test_id("net-pay")).to_have_text("USD 433.33")
    summary = page.get_by_test_id("summary")
    expect(summary).to_contain_text("USD 1,300.00")  # earned at booking
    # held (−1,300) and released (+433.33): the tiles add up to the net pay
    expect(page.get_by_test_id("held-or-released")).to_have_text("USD -866.67")
    # two thirds of the deal are still to be collected
    expect(page.get_by_test_id("still-held")).to_have_text("USD 866.67")
    lines = page.get_by_test_id("lines")
    expect(lines).to_contain_text("is held, and released as the $12,000 deal is collected")
    expect(lines).to_contain_text("$4,000 collected by 2026-02-18")
    screenshot(page, "pay-on-cash-1-statement")

    page.goto(f"/sales/deals/{e2e_org.deals['wendy'][0].pk}/")
    payments = page.get_by_test_id("payments")
    expect(payments).to_contain_text("INV-1")
    expect(payments).to_contain_text("USD 4,000.00")
    screenshot(page, "pay-on-cash-2-deal")
