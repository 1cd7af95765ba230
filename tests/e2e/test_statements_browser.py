"""Statements in the browser: admin starts and finance approves February's run; wendy
opens Pay, her 2026-02 statement ($1,300), drills a line down to its deal, and questions
the line; the inquiry shows her message and an Open status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def approved_run(e2e_org):
    from attain.payouts import services
    from attain.plans.models import PlanAssignment
    from attain.quotas.models import Quota
    from tests.payouts.conftest import MONTHLY_PLAN, add_plan

    add_plan(MONTHLY_PLAN, e2e_org.users["admin"])
    for name in ("wendy", "will", "eddie"):
        PlanAssignment.objects.create(
            rep=e2e_org.reps[name],
            plan_id="ae-monthly",
            valid_from=dt.date(2026, 1, 1),
            target_incentive=Decimal("2000.00"),
        )
        Quota.objects.create(
            rep=e2e_org.reps[name], quota="revenue", period="2026-02", amount=Decimal("10000")
        )
    run = services.start_run(e2e_org.users["admin"], "2026-02")
    return services.approve_run(e2e_org.users["finance"], run)


def test_rep_reads_statement_drills_down_and_raises_an_inquiry(page, e2e_org, approved_run):
    log_in(page, "wendy")
    page.locator("nav.mainnav").get_by_role("link", name="Pay").click()
    own = page.get_by_test_id("own-statements")
    expect(own).to_contain_text("2026-02")
    expect(own).to_contain_text("USD 1,300.00")
    screenshot(page, "statements-1-pay-home")

    own.get_by_role("link", name="2026-02").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statement 2026-02")
    expect(page.get_by_test_id("net-pay")).to_have_text("USD 1,300.00")
    expect(page.get_by_test_id("lines")).to_contain_text("fell in tier 2")
    screenshot(page, "statements-2-statement")

    tier2 = approved_run.lines.get(rep=e2e_org.reps["wendy"], tier=2)
    page.get_by_test_id(f"line-{tier2.pk}").get_by_role("link", name="Details").click()
    expect(page.get_by_test_id("explanation")).to_contain_text("at 15%")
    screenshot(page, "statements-3-line")

    page.get_by_test_id("deal").get_by_role("link").click()
    expect(page.locator("body")).to_contain_text("D-WENDY-1")
    screenshot(page, "statements-4-deal")

    page.go_back()
    page.get_by_role("link", name="Question this line").click()
    page.get_by_label("Subject").fill("Tier 2 rate")
    page.get_by_label("What looks wrong?").fill("My plan letter says 18% above $10,000.")
    screenshot(page, "statements-5-inquiry-form")
    page.get_by_role("button", name="Send to finance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tier 2 rate")
    expect(page.get_by_test_id("status")).to_have_text("Open")
    expect(page.get_by_test_id("thread")).to_contain_text("18% above $10,000")
    screenshot(page, "statements-6-inquiry")


def test_rep_estimates_an_open_deal(page, e2e_org, approved_run):
    log_in(page, "wendy")
    page.goto("/pay/estimator/")
    page.get_by_label("Open deal").select_option(
        label="D-WENDY-2 · Wendy open deal · USD 30,000.00"
    )
    page.get_by_label("Closes in period").fill("2026-02")
    page.get_by_role("button", name="Estimate").click()
    expect(page.get_by_test_id("difference")).to_have_text("USD 4,500.00")
    screenshot(page, "statements-7-estimator")


def test_finance_sees_a_draft_and_adjusts_an_inquiry(new_page, e2e_org, approved_run):
    from attain.payouts import inquiries, services
    from attain.payouts.models import ManualAdjustment

    line = approved_run.lines.get(rep=e2e_org.reps["wendy"], tier=2)
    inquiry = inquiries.raise_inquiry(e2e_org.users["wendy"], line, "Tier 2 rate", "18%?")
    ManualAdjustment.objects.create(
        rep=e2e_org.reps["wendy"],
        amount=Decimal("25.00"),
        reason="Webinar spiff",
        created_by=e2e_org.users["finance"],
    )
    services.start_run(e2e_org.users["admin"], "2026-03")
    finance = new_page()
    log_in(finance, "finance")
    finance.goto("/pay/")
    finance.get_by_label("Rep").select_option(label="Wendy Example")
    finance.get_by_role("button", name="Show statements").click()
    screenshot(finance, "statements-8-finance-home")
    finance.get_by_role("link", name="2026-03").click()
    expect(finance.get_by_test_id("draft-banner")).to_contain_text("Draft — not approved")
    screenshot(finance, "statements-9-draft")

    finance.goto(f"/pay/inquiries/{inquiry.pk}/")
    finance.get_by_label("Outcome").select_option("adjusted")
    finance.get_by_label("Message to the rep").fill("You're right: 18% applies from March.")
    finance.get_by_label("Adjustment amount").fill("60.00")
    finance.get_by_label("Adjustment reason").fill("18% on $2,000")
    finance.get_by_role("button", name="Save outcome").click()
    expect(finance.get_by_test_id("status")).to_have_text("Adjusted")
    screenshot(finance, "statements-10-adjusted")
