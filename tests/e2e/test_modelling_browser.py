"""Browser: an admin compares the per-unit plan with the margin plan and sees the warning."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_compares_plans_and_sees_the_warning(e2e_org, page):
    from tests.payouts.test_modelling import build_model_org

    org = build_model_org(e2e_org)
    log_in(page, "admin")
    page.goto("/pay/modelling/")
    page.get_by_label("Period").fill("2026-03")
    page.get_by_label("Current plan").select_option("unit-plan")
    page.get_by_label(org.plans["margin"].name, exact=False).check()
    page.get_by_role("button", name="Compare").click()
    warning = page.get_by_test_id("warning").first
    warning.wait_for()
    assert "used-car lot" in warning.inner_text()
    assert "Current: unit-plan" in warning.inner_text()
    texts = page.get_by_test_id("warning").all_inner_texts()
    assert texts and all(t.startswith("Current: unit-plan") for t in texts)  # margin plan: none
    page.locator("#distribution-chart .main-svg").first.wait_for()
    page.locator("#bands-chart .main-svg").first.wait_for()
    screenshot(page, "modelling-compare")
