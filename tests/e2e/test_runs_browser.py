"""Calculation runs in the browser: the admin (RevOps) starts a run for 2026-02 and cannot
approve it; fiona, a finance user who did not start it, opens it and approves it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def pay_e2e_org(e2e_org):
    """The factory org plus what tests/payouts/conftest.py's pay_org adds."""
    from attain.people.models import User
    from attain.plans.models import PlanAssignment
    from attain.quotas.models import Quota
    from tests.factories import PASSWORD
    from tests.payouts.conftest import MONTHLY_PLAN, add_plan

    e2e_org.users["fiona"] = User.objects.create_user(
        username="fiona", password=PASSWORD, role=User.Role.FINANCE, first_name="Fiona"
    )
    add_plan(MONTHLY_PLAN, e2e_org.users["admin"])
    for name in ("wendy", "will", "eddie"):
        PlanAssignment.objects.create(
            rep=e2e_org.reps[name],
            plan_id="ae-monthly",
            valid_from=dt.date(2026, 1, 1),
            target_incentive=Decimal("2000.00"),
        )
        Quota.objects.create(
            rep=e2e_org.reps[name], quota="revenue", period="2026-02", amount=Decimal("10000.00")
        )
    return e2e_org


def test_admin_starts_a_run_and_another_finance_user_approves_it(new_page, pay_e2e_org):
    from attain.payouts.models import CalcRun

    admin = new_page()
    log_in(admin, "admin")
    admin.goto("/pay/runs/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Calculation runs")
    form = admin.get_by_test_id("start-form")
    form.get_by_label("Period").fill("2026-02")
    form.get_by_label("Note").fill("February close")
    form.get_by_role("button", name="Calculate").click()
    expect(admin.get_by_test_id("run-status")).to_have_text("Draft")
    run = CalcRun.objects.get()
    assert admin.url.endswith(f"/pay/runs/{run.pk}/")
    expect(admin.get_by_test_id("approve")).to_have_count(0)
    expect(admin.get_by_test_id("approve-hint")).to_contain_text("Waiting for approval")
    expect(admin.get_by_test_id("totals-row")).to_contain_text("USD 3,900.00")
    expect(admin.get_by_test_id("rep-row")).to_have_count(3)
    screenshot(admin, "runs-draft-admin")

    fiona = new_page()
    log_in(fiona, "fiona")
    fiona.goto("/pay/runs/")
    fiona.get_by_test_id(f"run-{run.pk}").get_by_role("link", name=f"Run {run.pk}").click()
    expect(fiona.get_by_test_id("run-status")).to_have_text("Draft")
    fiona.get_by_test_id("approve").click()
    expect(fiona.get_by_test_id("run-status")).to_have_text("Approved")
    expect(fiona.locator(".alert")).to_contain_text("approved")
    expect(fiona.get_by_test_id("payroll-csv")).to_be_visible()
    expect(fiona.get_by_test_id("mark-paid")).to_be_visible()
    expect(fiona.get_by_test_id("summary")).to_contain_text("Fiona")
    screenshot(fiona, "runs-approved-by-fiona")
    run.refresh_from_db()
    assert run.status == CalcRun.Status.APPROVED
    assert run.approved_by == pay_e2e_org.users["fiona"]

    fiona.goto("/pay/expense/?year=2026")
    expect(fiona.get_by_test_id("expense-teams")).to_contain_text("USD 2,600.00")
    expect(fiona.locator("#expense-chart .main-svg").first).to_be_visible()
    screenshot(fiona, "runs-expense-2026")
    fiona.goto("/pay/runs/")
    expect(fiona.get_by_test_id(f"run-{run.pk}")).to_contain_text("Approved")
    screenshot(fiona, "runs-list")
