"""The forecast: a rep reads their projection and calls the quarter; their manager sees the
call in the team's table and calls for the team (tests/forecasts/scenario.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, log_in, screenshot
from tests.forecasts.scenario import build

pytestmark = [pytest.mark.e2e]


def test_a_rep_calls_the_quarter_and_the_manager_sees_it(new_page, e2e_org):
    build(e2e_org)
    page = new_page()
    log_in(page, "will")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Forecast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My forecast")
    expect(page.get_by_test_id("fc-projection")).to_have_text("USD 25,789.11")
    deals = page.get_by_test_id("forecast-deals")
    expect(deals.get_by_role("row")).to_have_count(5)  # header + four deals
    expect(deals).to_contain_text("late")
    expect(deals).to_contain_text("no rate to USD")  # the EUR deal, without a rate
    form = page.get_by_test_id("call-form")
    form.get_by_label("Commit").fill("24000")
    form.get_by_label("Best case").fill("30000")
    form.get_by_label("Why").fill("P1 signs in March; P2 is late but alive.")
    form.get_by_role("button", name="Submit the call").click()
    expect(page.get_by_text("Call for Q1 2026 saved: commit 24,000.00.")).to_be_visible()
    expect(page.get_by_test_id("latest-call")).to_contain_text("USD 24,000.00")
    screenshot(page, "forecast-rep")

    form = page.get_by_test_id("call-form")
    form.get_by_label("Commit").fill("24000")
    form.get_by_label("Best case").fill("100")
    form.get_by_role("button", name="Submit the call").click()
    expect(page.get_by_text("must be at least the commit")).to_be_visible()

    manager = new_page(PHONE)
    log_in(manager, "walt")
    manager.goto("/forecasts/?sort=risk")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Team forecast")
    table = manager.get_by_test_id("forecast-reps")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Will Example")
    expect(table.get_by_role("row").nth(1)).to_contain_text("USD 24,000.00")
    expect(manager.get_by_test_id("reps-commit")).to_have_text("USD 24,000.00")
    form = manager.get_by_test_id("call-form")
    form.get_by_label("Commit").fill("30000")
    form.get_by_label("Best case").fill("45000")
    form.get_by_role("button", name="Submit the call").click()
    expect(manager.get_by_test_id("team-call")).to_contain_text("USD 30,000.00")
    screenshot(manager, "forecast-manager-phone")


def test_finance_reads_the_rates_and_the_forecast_converts_with_them(new_page, e2e_org):
    """Finance finds the exchange rates from the runs list; with 1 EUR = 1.10 USD, Will's
    EUR 7,000.00 deal counts as USD 7,700.00 (weighted at 44.24%: USD 3,406.48)."""
    import datetime as dt
    from decimal import Decimal

    from attain.sales.models import FxRate

    build(e2e_org)
    page = new_page()
    log_in(page, "finance")
    page.goto("/pay/runs/")
    page.get_by_role("link", name="Exchange rates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exchange rates")
    expect(page.get_by_test_id("fx-empty")).to_contain_text("No exchange rates.")
    FxRate.objects.create(
        from_currency="EUR", to_currency="USD", rate=Decimal("1.1"), valid_from=dt.date(2026, 1, 1)
    )
    page.reload()
    rates = page.get_by_test_id("fx-rates")
    expect(rates.get_by_role("row").nth(1)).to_contain_text("EUR")
    expect(rates.get_by_role("row").nth(1)).to_contain_text("in force today")
    screenshot(page, "fx-rates")

    rep = new_page()
    log_in(rep, "will")
    rep.goto("/forecasts/")
    deals = rep.get_by_test_id("forecast-deals")
    expect(deals).to_contain_text("USD 7,700.00 at 1.1")
    expect(deals).to_contain_text("USD 3,406.48")
    expect(rep.get_by_test_id("forecast-notes")).to_contain_text("is converted")
    screenshot(rep, "forecast-converted")
