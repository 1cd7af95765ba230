"""Plans in the browser: an admin opens a plan, edits its YAML, introduces a mistake and
sees the engine's path and reason next to the editor (with the text kept), fixes it, saves,
and sees the change as a coloured diff."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def plan(e2e_org):
    from attain.plans import services
    from tests.plans.conftest import PLAN

    return services.save_plan(e2e_org.users["admin"], PLAN, "first draft").document


def test_admin_edits_a_plan_sees_the_error_inline_fixes_it_and_sees_the_diff(page, plan):
    log_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plans").click()
    page.get_by_role("link", name="ae", exact=True).click()
    expect(page.get_by_test_id("plan-yaml")).to_contain_text("semantic: marginal")
    page.get_by_role("link", name="Edit YAML").click()

    editor = page.get_by_label("Plan YAML")
    text = editor.input_value()
    assert "rate: 8" in text
    broken = text.replace("semantic: marginal", "semantic: sideways").replace("rate: 8", "rate: 10")
    editor.fill(broken)
    page.get_by_label("What changed and why").fill("Top tier pays 10%")
    page.get_by_role("button", name="Save").click()

    problems = page.get_by_test_id("plan-problems")
    expect(problems).to_be_visible()
    expect(page.get_by_test_id("problem-path")).to_contain_text(
        "components[0].rate_tables[0].semantic"
    )
    expect(page.get_by_test_id("problem-reason")).to_contain_text("marginal")
    line = broken.splitlines().index("        semantic: sideways") + 1
    expect(page.get_by_test_id("problem-line")).to_have_text(f"line {line}")
    expect(problems).to_contain_text("semantic: sideways")
    assert "rate: 10" in page.get_by_label("Plan YAML").input_value()  # the text is kept
    page.get_by_test_id("problem-line").click()  # selects the line in the editor
    screenshot(page, "plans-editor-error")

    page.get_by_label("Plan YAML").fill(broken.replace("semantic: sideways", "semantic: marginal"))
    page.get_by_label("What changed and why").fill("Top tier pays 10%")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Revision 2 ae v1")
    expect(page.get_by_text("Saved ae v1 (revision 2).")).to_be_visible()
    diff = page.get_by_test_id("diff")
    expect(diff.locator("tr.removed")).to_contain_text("rate: 8")
    expect(diff.locator("tr.added")).to_contain_text("rate: 10")
    expect(page.get_by_test_id("diff-stats")).to_contain_text("+1 added")
    screenshot(page, "plans-revision-diff")

    page.get_by_role("link", name="ae v1").click()
    revisions = page.get_by_test_id("revisions")
    expect(revisions).to_contain_text("Top tier pays 10%")
    expect(revisions).to_contain_text("first draft")
    screenshot(page, "plans-detail")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    audit = page.get_by_test_id("audit")
    expect(audit).to_contain_text("revised")
    expect(audit.locator("ins").first).to_be_visible()
    screenshot(page, "audit-log")


def test_admin_assigns_a_plan_and_an_overlap_is_refused(page, plan, e2e_org):
    log_in(page, "admin")
    page.goto("/plans/assignments/new/")
    page.get_by_label("Rep").select_option(label="Wendy Example")
    page.get_by_label("Plan", exact=True).select_option("ae")
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("Target incentive per period").fill("15000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("assignments")).to_contain_text("15000.00 USD")

    page.goto("/plans/assignments/new/")
    page.get_by_label("Rep").select_option(label="Wendy Example")
    page.get_by_label("Plan", exact=True).select_option("ae")
    page.get_by_label("From", exact=True).fill("2026-04-01")
    page.get_by_label("Target incentive per period").fill("16000")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("assignments of one rep cannot overlap")).to_be_visible()
    screenshot(page, "plans-assignment-overlap")

    page.goto("/plans/assignments/")
    page.get_by_role("link", name="End").click()
    page.get_by_label("First day off the plan").fill("2026-04-01")
    page.get_by_role("button", name="End the assignment").click()
    expect(page.get_by_test_id("assignments")).to_contain_text("2026-04-01")
    screenshot(page, "plans-assignments")
