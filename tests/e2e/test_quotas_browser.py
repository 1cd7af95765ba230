"""Quotas in the browser: an admin distributes West's annual number with quarterly
seasonality (20/20/20/40), reads the preview (per rep × quarter, totals row), saves it and
finds the quotas on the list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]


def test_admin_distributes_a_team_number_with_quarterly_seasonality(page, e2e_org):
    log_in(page, "admin")
    page.goto("/quotas/")
    page.get_by_role("link", name="Distribute a team number").click()
    page.get_by_label("Team", exact=True).select_option(label="West")
    page.get_by_label("Team number").fill("1000000")
    page.get_by_label("Period").fill("2026")
    page.get_by_label("Split into").select_option("quarter")
    page.get_by_label("Seasonality").fill("20/20/20/40")
    page.get_by_role("button", name="Preview").click()

    preview = page.get_by_test_id("preview-table")
    expect(preview).to_be_visible()
    expect(page.get_by_test_id("grand-total")).to_have_text("USD 1,000,000.00")
    rows = preview.locator("tbody tr")
    expect(rows).to_have_count(2)
    # Wendy moves to East on 1 July, so West's Q3 and Q4 go to Will alone.
    expect(rows.nth(1)).to_contain_text("USD 400,000.00")
    expect(preview.locator("tfoot")).to_contain_text("USD 200,000.00")
    screenshot(page, "quotas-distribute-preview")

    expect(rows.nth(0)).to_contain_text("not in the team")
    # Wendy gets no West quota for Q3 and Q4: 6 quotas, not 8.
    page.get_by_role("button", name="Save 6 quotas").click()
    page.wait_for_url("**/quotas/?quota=revenue&period=2026")
    expect(page.get_by_text("Distribution saved: 6 quotas created")).to_be_visible()
    expect(page.get_by_test_id("quotas").locator("tbody tr")).to_have_count(6)
    screenshot(page, "quotas-list-after-distribution")
