"""Coaching in the browser, on the demo organisation (whose reps have real weaknesses):
the West manager sees ranked opportunities, starts a 1:1 from one, records notes, an
action item and the rep's goal; the rep then sees the action item and their goal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.web.conftest import set_today

pytestmark = [pytest.mark.e2e]

AS_OF = dt.date(2026, 11, 27)
ITEM = "Bring one enterprise prospect to the next 1:1"


@pytest.fixture
def demo_org(transactional_db, monkeypatch):
    from attain.demo.config import DemoConfig
    from attain.demo.services import load
    from attain.people.models import Rep

    set_today(monkeypatch, AS_OF)
    load(DemoConfig(as_of=AS_OF), to_db=True, parquet=None)
    return {"rep": Rep.objects.get(user__username="rep")}


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def worth_of(text: str) -> int:
    found = re.search(r"USD ([\d,]+) more won", text)
    return int(found.group(1).replace(",", "")) if found else -1


def test_manager_coaches_from_an_opportunity_and_the_rep_follows_up(new_page, demo_org):
    rep_name = demo_org["rep"].name
    manager = new_page()
    log_in(manager, "manager", "attain-manager-demo")
    manager.locator("nav.mainnav").get_by_role("link", name="Coaching").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Coaching")
    opportunities = manager.get_by_test_id("opportunity")
    expect(opportunities.first).to_be_visible()
    assert opportunities.count() >= 3
    worths = [worth_of(t) for t in opportunities.all_inner_texts()]
    priced = [w for w in worths if w >= 0]
    assert priced == sorted(priced, reverse=True) and len(priced) >= 2
    expect(manager.get_by_test_id("insights")).to_contain_text("Team median")
    screenshot(manager, "coaching-manager")

    mine = opportunities.filter(has_text=rep_name).first
    expect(mine).to_contain_text("Wins small deals only")
    mine.get_by_role("link", name="Start a 1:1").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(f"Schedule with {rep_name}")
    expect(manager.get_by_label("Agenda")).to_have_value(re.compile("Wins small deals only"))
    screenshot(manager, "coaching-schedule")
    manager.get_by_role("button", name="Schedule").click()

    expect(manager.get_by_role("heading", level=1)).to_have_text(f"1:1 with {rep_name}")
    manager.get_by_label("Notes", exact=True).fill("Talked about qualifying bigger accounts.")
    manager.get_by_role("button", name="Save notes").click()
    expect(manager.locator(".alert")).to_contain_text("Notes saved")
    manager.get_by_label("Action item", exact=True).fill(ITEM)
    manager.get_by_label("Due", exact=True).fill("2026-12-11")
    manager.get_by_role("button", name="Add item").click()
    expect(manager.get_by_test_id("session-items")).to_contain_text(ITEM)
    expect(manager.get_by_test_id("session-items")).to_contain_text("due 2026-12-11")
    screenshot(manager, "coaching-session-manager")

    manager.goto(f"/coaching/reps/{demo_org['rep'].pk}/goal/")
    manager.get_by_label("Goal", exact=True).fill("House deposit")
    manager.get_by_label("Target amount").fill("20000")
    manager.get_by_label("Saved before pay counts").fill("5000")
    manager.get_by_role("button", name="Save goal").click()
    # The profile compares with the same team as the opportunities page, so agrees with it.
    expect(manager.get_by_test_id("rep-insights")).to_contain_text("Credibly below the team")
    screenshot(manager, "coaching-rep-profile-manager")

    rep = new_page()
    log_in(rep, "rep", "attain-rep-demo")
    rep.goto("/coaching/")
    items = rep.get_by_test_id("my-items")
    expect(items).to_contain_text(ITEM)
    expect(rep.get_by_test_id("goal")).to_contain_text("USD 5,000.00 of USD 20,000.00 (25%)")
    expect(rep.get_by_test_id("opportunities")).to_have_count(0)  # a rep sees no team list
    screenshot(rep, "coaching-rep")
    items.get_by_role("button", name=f"Mark done: {ITEM}").click()
    expect(rep.get_by_test_id("my-items")).not_to_contain_text(ITEM)
    rep.get_by_role("link", name="Open").first.click()
    expect(rep.get_by_test_id("notes")).to_contain_text("qualifying bigger accounts")
    expect(rep.get_by_label("Notes", exact=True)).to_have_count(0)  # read only for the rep
    screenshot(rep, "coaching-session-rep")


def test_coaching_page_fits_a_phone(new_page, demo_org):
    phone = new_page(PHONE)
    log_in(phone, "manager", "attain-manager-demo")
    phone.goto("/coaching/")
    expect(phone.get_by_test_id("opportunity").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(phone, "coaching-manager-phone")


def test_role_play_feeds_the_skills_heat_map_and_training_attendance(new_page, e2e_org):
    from attain.coaching.services import seed_library
    from tests.e2e.conftest import log_in as log_in_factory

    seed_library()  # an earlier transactional test may have flushed the seeded library
    wendy = e2e_org.reps["wendy"]
    page = new_page()
    log_in_factory(page, "walt")
    page.goto(f"/coaching/sessions/new/?rep={wendy.pk}&kind=coaching")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching session with Wendy Example")
    page.get_by_label("Scenario").select_option(label="Agency sells cybersecurity consulting")
    page.get_by_label("Score").select_option("2")
    page.get_by_label("How it went").fill("Argued with 'IT has it covered' instead of asking.")
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".alert")).to_contain_text("Role-play recorded")
    page.get_by_label("Call", exact=True).fill("Discovery with Acme")
    page.get_by_label("Recording link").fill("https://recordings.example.com/acme")
    page.get_by_role("button", name="Add call").click()
    page.get_by_label("At (m:ss)").fill("4:35")
    page.get_by_label("Comment", exact=True).fill("Good open question here")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("main")).to_contain_text("4:35")
    screenshot(page, "coaching-session-roleplay")

    page.goto(f"/coaching/reps/{wendy.pk}/")
    page.get_by_label("Assign a role-play").get_by_label("Scenario").select_option(
        label="Solar installer sells to a sceptical homeowner"
    )
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("assignments")).to_contain_text("to prepare")
    page.get_by_label("Skill", exact=True).select_option(label="Closing")
    page.get_by_label("Rating (1–5)").select_option("5")
    page.get_by_role("button", name="Rate").click()
    expect(page.get_by_test_id("skill-trend")).to_contain_text("Objection handling")
    page.goto("/coaching/skills/")
    heat = page.get_by_test_id("heat-map")
    expect(heat.locator("td.r2").first).to_be_visible()
    expect(heat.locator("td.r5")).to_have_count(1)
    expect(heat).to_contain_text("Will Example")
    screenshot(page, "coaching-skills")

    page.goto("/coaching/training/new/")
    page.get_by_label("Topic").fill("Handling price objections")
    page.get_by_role("button", name="Schedule").click()
    attendance = page.get_by_test_id("attendance")
    expect(attendance).to_contain_text("Wendy Example")
    expect(attendance).to_contain_text("Will Example")
    attendance.get_by_label("Will Example").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".alert")).to_contain_text("Attendance saved")
    expect(page.get_by_test_id("attendance").get_by_label("Will Example")).to_be_checked()
    screenshot(page, "coaching-training")
