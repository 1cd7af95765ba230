"""With many reps, a rep is searched for, not scrolled to: finance types part of a name in
the estimator's rep box, the matching reps are suggested, and picking one opens that rep's
open deals."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]


def test_finance_searches_for_a_rep_and_the_estimator_opens_their_deals(page, e2e_org, monkeypatch):
    from attain.people import forms

    monkeypatch.setattr(forms, "REP_PICKER_LIMIT", 1)  # the test org's 6 reps count as many
    log_in(page, "finance")
    page.goto("/pay/estimator/")
    box = page.get_by_label("Rep")
    expect(box).to_have_attribute("type", "search")

    box.press_sequentially("edd")
    options = page.locator("#id_rep-suggestions option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "Eddie Example (R-EDDIE)")
    screenshot(page, "rep-picker-suggestions", full_page=False)

    # Picking a suggestion puts its text in the box (a datalist's pick is an input event),
    # and the estimator loads that rep's open deals at once.
    box.fill("Eddie Example (R-EDDIE)")
    page.wait_for_url("**/pay/estimator/?rep=Eddie+Example*")
    expect(page.get_by_label("Rep")).to_have_value("Eddie Example (R-EDDIE)")
    expect(page.get_by_label("Open deal")).to_contain_text("D-EDDIE-2")
    screenshot(page, "rep-picker-estimator")
