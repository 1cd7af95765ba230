"""The weekly email's page: reached from the header, shows the rep's own week, stops and
restarts the email."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]


def test_a_rep_reads_and_stops_the_weekly_email(page, e2e_org):
    log_in(page, "will")
    page.get_by_role("link", name="Weekly email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your weekly report")
    preview = page.get_by_test_id("weekly-preview")
    expect(preview).to_contain_text("Your week in Attain")
    expect(preview).to_contain_text("Open pipeline now")
    expect(preview).to_contain_text("USD 30,000.00")
    expect(preview).not_to_contain_text("Eddie")
    expect(preview).to_contain_text("Your forecast for")
    expect(preview.get_by_role("link", name="Forecast")).to_have_attribute(
        "href", re.compile(r"/forecasts/\?period=\d{4}-Q[1-4]$")
    )
    box = page.get_by_test_id("weekly-subscription")
    expect(box).to_contain_text("will@example.com")
    screenshot(page, "weekly-report-rep")
    page.get_by_role("button", name="Stop the weekly email").click()
    expect(page.get_by_text("The weekly email is stopped.")).to_be_visible()
    page.get_by_role("button", name="Send me the weekly email").click()
    expect(page.get_by_text("The weekly email is on.")).to_be_visible()
