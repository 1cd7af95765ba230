"""Announcements in the browser: walt publishes to West; will sees the banner on every
page, opens it, acknowledges, asks a public and a private question; walt sees the
acknowledgement and both questions, answers the public one, and it joins the FAQ. A script
in the body or a question never runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, log_in, screenshot

pytestmark = [pytest.mark.e2e]

PUBLIC_Q = "Do renewals still count towards quota?"
PRIVATE_Q = "Can I keep my one enterprise deal <script>document.title='pwned'</script>?"
ANSWER = "Yes: renewals count at full value, as before."


@pytest.fixture
def published(e2e_org):
    from attain.announcements import services
    from attain.announcements.services import Draft, Link

    draft = Draft(
        title="West focuses on mid-market from March",
        audience="team",
        team=e2e_org.teams["west"],
        why=(
            "Enterprise deals in the West took **nine months** on average last year, and we"
            " lost three of four to incumbents.\n\n<script>document.title='pwned'</script>"
            "<img src=x onerror=\"document.title='pwned'\">"
        ),
        priorities="1. Mid-market accounts (50–500 staff)\n2. Renewals\n3. Enterprise only"
        " when the customer comes to us",
        adjustments=(
            "- **Targeting**: work the mid-market list first.\n"
            "- **Positioning**: lead with time-to-value, not the feature list.\n"
            "- **Process**: qualify budget in the first call; a deal without budget stays in"
            " *Discovery*.\n\nWhy: shorter cycles pay you sooner and fill the pipeline."
        ),
        unchanged="Your territory, your quota and your commission rates.",
        links=(Link("Q1 quota change", "https://plans.example.com/q1"),),
    )
    walt = e2e_org.users["walt"]
    return services.publish(services.create_draft(author=walt, draft=draft), by=walt)


def test_rep_acknowledges_and_asks_and_the_author_answers(new_page, published):
    rep = new_page()
    log_in(rep, "will")
    banner = rep.get_by_test_id("announcement-banner")
    expect(banner).to_contain_text(published.title)
    screenshot(rep, "announcements-banner-home")
    rep.locator("nav.mainnav").get_by_role("link", name="Deals").click()
    expect(rep.get_by_test_id("announcement-banner")).to_be_visible()

    banner.get_by_role("link", name="Read and acknowledge").click()
    expect(rep.get_by_role("heading", level=1)).to_have_text(published.title)
    expect(rep.get_by_test_id("section-why")).to_contain_text("nine months")
    expect(rep.get_by_test_id("section-adjustments").locator("strong").first).to_have_text(
        "Targeting"
    )
    # The script and the onerror image in the body are inert text or gone.
    assert rep.title() != "pwned"
    assert rep.locator("main img, main script").count() == 0
    screenshot(rep, "announcements-rep-detail")

    rep.get_by_role("button", name="I have read and understood this").click()
    expect(rep.get_by_test_id("ack-state")).to_contain_text("You acknowledged this")
    rep.get_by_label("Your question").fill(PUBLIC_Q)
    rep.get_by_label("Everyone who received the announcement").check()
    rep.get_by_role("button", name="Ask").click()
    expect(rep.get_by_test_id("question").filter(has_text=PUBLIC_Q)).to_contain_text(
        "Awaiting answer"
    )
    rep.get_by_label("Your question").fill(PRIVATE_Q)
    rep.get_by_label("Only the author").check()
    rep.get_by_role("button", name="Ask").click()
    private = rep.get_by_test_id("question").filter(has_text="enterprise deal")
    expect(private).to_contain_text("Private to the author")
    expect(private).to_contain_text("<script>")  # shown as text, not run
    assert rep.title() != "pwned"
    screenshot(rep, "announcements-rep-questions-asked")
    rep.goto("/")
    expect(rep.get_by_test_id("announcement-banner")).to_have_count(0)

    author = new_page()
    log_in(author, "walt")
    expect(author.get_by_test_id("announcement-banner")).to_have_count(0)
    author.locator("nav.mainnav").get_by_role("link", name="Announcements").click()
    author.get_by_test_id("mine").get_by_role("link", name="Who has read it").click()
    expect(author.get_by_test_id("count-acknowledged")).to_have_text("1")
    will_row = author.get_by_test_id("recipient").filter(has_text="Will Example")
    wendy_row = author.get_by_test_id("recipient").filter(has_text="Wendy Example")
    expect(will_row).not_to_contain_text("Not yet")
    expect(wendy_row).to_contain_text("Unread")
    author.get_by_role("button", name="Remind the 1 who haven't acknowledged").click()
    expect(author.locator(".alert")).to_contain_text("Reminder recorded for 1 person")
    expect(wendy_row).not_to_contain_text("—")
    screenshot(author, "announcements-author-readers")

    author.get_by_role("link", name=published.title).click()
    questions = author.get_by_test_id("question")
    expect(questions).to_have_count(2)
    expect(questions.filter(has_text="enterprise deal")).to_contain_text("Private to the author")
    assert author.title() != "pwned"
    public = questions.filter(has_text=PUBLIC_Q)
    public.get_by_label("Your answer").fill(ANSWER)
    public.get_by_role("button", name="Answer").click()
    expect(author.get_by_test_id("faq")).to_contain_text(ANSWER)
    expect(author.get_by_test_id("question").filter(has_text=PUBLIC_Q)).to_contain_text("Answered")
    screenshot(author, "announcements-author-answered")

    teammate = new_page(PHONE)
    log_in(teammate, "wendy")
    expect(teammate.get_by_test_id("banner-reminder")).to_be_visible()
    screenshot(teammate, "announcements-phone-reminder-banner")
    teammate.get_by_role("link", name="Read and acknowledge").click()
    expect(teammate.get_by_test_id("faq")).to_contain_text(ANSWER)
    expect(teammate.get_by_test_id("questions")).not_to_contain_text("enterprise deal")
    screenshot(teammate, "announcements-phone-faq")


def test_manager_writes_and_publishes_in_the_browser(new_page, e2e_org):
    page = new_page()
    log_in(page, "erin")
    page.goto("/announcements/new/")
    page.get_by_label("Title", exact=True).fill("East: new partner motion")
    page.get_by_label("Audience", exact=True).select_option("team")
    page.get_by_label("Team", exact=True).select_option(label="East")
    page.get_by_label("Why the change is happening").fill("Partners bring **warm** leads.")
    page.get_by_label("What stays the same").fill("Quotas.")
    screenshot(page, "announcements-form")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Only you can see this draft.")).to_be_visible()
    page.get_by_role("button", name="Publish to Team East and below").click()
    expect(page.locator(".alert")).to_contain_text("Published to Team East and below")

    rep = new_page()
    log_in(rep, "eddie")
    expect(rep.get_by_test_id("announcement-banner")).to_contain_text("East: new partner motion")
