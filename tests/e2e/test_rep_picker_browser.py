"""With many reps, a rep is searched for, not scrolled to: finance types part of a name in
the estimator's rep box, the matching reps are suggested, and picking one opens that rep's
open deals."""

from __future__ import annotations

import re

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


def test_an_admin_adds_reps_to_a_competition_by_search(page, e2e_org, monkeypatch):
    """Many reps to choose from: the competition's reps are a list of lines, and each
    suggestion picked in the box under it is added as a line, once."""
    from attain.leaderboards.models import Competition
    from attain.people import forms

    monkeypatch.setattr(forms, "REP_PICKER_LIMIT", 1)
    log_in(page, "admin")
    page.goto("/leaderboards/competitions/new/")
    page.get_by_label("Name").fill("Search sprint")
    page.get_by_label("Start date").fill("2026-02-01")
    page.get_by_label("End date").fill("2026-02-28")
    adder = page.get_by_label("Add a rep")
    reps = page.locator("#id_reps")
    for typed, label in [("edd", "Eddie Example (R-EDDIE)"), ("r-wi", "Will Example (R-WILL)")]:
        adder.press_sequentially(typed)
        expect(page.locator("#id_reps-suggestions option")).to_have_count(1)
        adder.fill(label)  # picking a suggestion
        expect(adder).to_have_value("")
    adder.press_sequentially("edd")
    expect(page.locator("#id_reps-suggestions option")).to_have_count(1)
    adder.fill("Eddie Example (R-EDDIE)")  # a second time: not repeated
    expect(reps).to_have_value("Eddie Example (R-EDDIE)\nWill Example (R-WILL)")
    adder.fill("R-WENDY")
    adder.press("Enter")  # adds the typed text as a line; does not submit the form
    expect(reps).to_have_value("Eddie Example (R-EDDIE)\nWill Example (R-WILL)\nR-WENDY")
    screenshot(page, "rep-picker-many")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/leaderboards/competitions/\d+/$"))
    competition = Competition.objects.get(name="Search sprint")
    assert sorted(r.external_id for r in competition.reps.all()) == [
        "R-EDDIE",
        "R-WENDY",
        "R-WILL",
    ]
