"""Log in as each role through the form, see the right home page; scoping; logout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, WALL, log_in, screenshot

pytestmark = [pytest.mark.e2e]

HOME = {
    # username: (role badge, heading, a figure only this role's home shows)
    "admin": ("Admin", "Data health", "Credits"),
    "finance": ("Finance", "Company totals", "USD 180,000.00"),
    "walt": ("Manager", "Team overview", "USD 36,000.00"),
    "will": ("Rep", "Hello, Will Example", "USD 12,000.00"),
}


@pytest.mark.parametrize("username", list(HOME))
def test_each_role_logs_in_and_sees_its_home(page, e2e_org, username):
    badge, heading, figure = HOME[username]
    log_in(page, username)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_test_id("user-role")).to_have_text(badge)
    expect(page.locator("main")).to_contain_text(figure)
    expect(page.locator("nav.mainnav a.active")).to_have_text("Home")
    if username == "walt":
        # Plotly draws the bar chart from the server-built figure.
        expect(page.locator("#won-chart .main-svg").first).to_be_visible()
        expect(page.get_by_test_id("team-table")).to_contain_text("Wendy Example")
        expect(page.get_by_test_id("team-table")).not_to_contain_text("Eddie Example")
    if username == "will":
        expect(page.get_by_test_id("won-quarter")).to_have_text("USD 12,000.00")
        expect(page.locator("nav.mainnav")).not_to_contain_text("Territories")
    screenshot(page, f"home-{username}")


def test_rep_cannot_open_another_reps_deal(page, e2e_org):
    eddie_deal = e2e_org.deals["eddie"][0]
    log_in(page, "will")
    response = page.goto(f"/sales/deals/{eddie_deal.pk}/")
    assert response.status == 404
    own = page.goto(f"/sales/deals/{e2e_org.deals['will'][0].pk}/")
    assert own.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Will won deal")
    page.goto("/sales/deals/")
    expect(page.locator("#results")).to_contain_text("Will open deal")
    expect(page.locator("#results")).not_to_contain_text("Eddie")
    screenshot(page, "deals-rep")


def test_logout(page, e2e_org):
    log_in(page, "finance")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Attain")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    screenshot(page, "login")


def test_wrong_password_is_refused(page, e2e_org):
    page.goto("/login/")
    page.get_by_label("Username").fill("will")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")


def test_live_search_updates_results_and_url(page, e2e_org):
    log_in(page, "admin")
    page.goto("/sales/deals/")
    expect(page.locator("#results")).to_contain_text("12 deals")
    page.get_by_label("Search").fill("wendy")
    expect(page.locator("#results")).to_contain_text("2 deals")
    expect(page).to_have_url(re.compile(r"q=wendy"))
    page.get_by_label("Status").select_option("won")
    expect(page.locator("#results")).to_contain_text("1 deal")
    expect(page).to_have_url(re.compile(r"status=won"))
    screenshot(page, "deals-admin-search")


def test_detail_pages_render(page, e2e_org):
    log_in(page, "walt")
    page.goto(f"/people/reps/{e2e_org.reps['wendy'].pk}/")
    expect(page.get_by_test_id("team-history")).to_contain_text("2026-07-01")
    screenshot(page, "rep-detail-manager")
    page.goto(f"/sales/deals/{e2e_org.deals['wendy'][0].pk}/")
    expect(page.get_by_test_id("credits")).to_contain_text("100%")
    screenshot(page, "deal-detail-manager")
    page.goto("/people/reps/")
    screenshot(page, "reps-manager")


def test_phone_and_wall_screen_layouts(new_page, e2e_org):
    phone = new_page(PHONE)
    log_in(phone, "walt")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Team overview")
    # Nothing wider than the screen except inside the scrollable table wrappers.
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(phone, "home-walt-phone")
    phone.goto("/sales/deals/")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(phone, "deals-walt-phone")
    wall = new_page(WALL)
    log_in(wall, "walt")
    expect(wall.locator("#won-chart .main-svg").first).to_be_visible()
    screenshot(wall, "home-walt-wall", full_page=False)
