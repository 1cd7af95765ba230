"""Browser: an admin compares the per-unit plan with the margin plan and sees the warning,
first on a hand-made example, then on a small demo organisation built by the generator."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
NARROW = {"width": 800, "height": 900}


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
    assert "40 units" in page.get_by_test_id("comparison").inner_text()  # not 40.000000
    # Both reps earn $1,000 under both plans: one bar each, and a note saying why.
    assert page.get_by_test_id("same-pay").is_visible()
    _assert_fits(page)
    page.locator("#distribution-chart .main-svg").first.wait_for()
    page.locator("#bands-chart .main-svg").first.wait_for()
    screenshot(page, "modelling-compare")
    page.set_viewport_size(NARROW)
    _assert_fits(page)
    screenshot(page, "modelling-compare-800")


def _assert_fits(page) -> None:
    """No table of the page scrolls sideways and nothing in the page's main part is wider
    than the window (the site's top bar is the base layout's business)."""
    page.wait_for_function(  # Plotly redraws its charts a moment after the window resizes
        """() => [...document.querySelectorAll('.main-svg')]
            .every(svg => svg.getBoundingClientRect().right <= window.innerWidth)"""
    )
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')]
            .filter(w => w.scrollWidth > w.clientWidth + 1).length"""
    )
    assert overflowing == 0
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.getAttribute('class'))"""
    )
    assert too_wide == []


@pytest.fixture
def small_demo(transactional_db, monkeypatch):
    """A small demo org written by the generator, with the demo's two plans and runs."""
    from attain.demo.config import DemoConfig
    from attain.demo.pay import create_pay_demo
    from attain.demo.services import load
    from tests.demo.conftest import AS_OF
    from tests.web.conftest import set_today

    config = DemoConfig(as_of=AS_OF, reps=8, deals=400, months=4, accounts=60)
    load(config, to_db=True, parquet=None)
    create_pay_demo(AS_OF)
    set_today(monkeypatch, AS_OF)
    return AS_OF


def test_demo_per_unit_plan_warns_and_margin_plan_does_not(small_demo, page):
    from attain.demo.logins import LOGIN_SPECS
    from attain.demo.pay import MARGIN_PLAN, PER_UNIT_PLAN

    password = next(spec[2] for spec in LOGIN_SPECS if spec[1] == "admin")
    page.goto("/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto("/pay/modelling/")
    # Defaults: the last complete month before the demo's "today", and the plan reps are on.
    assert page.get_by_label("Period").input_value() == "2026-10"
    assert page.get_by_label("Current plan").input_value() == PER_UNIT_PLAN
    page.get_by_label("Period").fill("2026-10")
    page.get_by_label("Current plan").select_option(PER_UNIT_PLAN)
    page.get_by_label(f"({MARGIN_PLAN} v1)", exact=False).check()
    page.get_by_role("button", name="Compare").click()
    page.get_by_test_id("comparison").wait_for()

    warnings = page.get_by_test_id("warning").all_inner_texts()
    unit_label = f"Current: {PER_UNIT_PLAN}:"
    assert any(w.startswith(unit_label) and "used-car lot" in w for w in warnings), warnings
    assert all(w.startswith(unit_label) for w in warnings), warnings  # none for demo-margin
    ok = page.get_by_test_id("warnings").locator("p.ok").inner_text()
    assert ok.startswith(f"Share of margin ({MARGIN_PLAN} v1):")
    cost = page.locator("[data-testid=comparison] tbody tr").first.locator("td")
    costs = cost.all_inner_texts()
    assert len(costs) == 2 and all(c.startswith("USD ") and c != "USD 0.00" for c in costs)
    assert not page.get_by_test_id("scenario-error").count()
    _assert_fits(page)
    page.locator("#distribution-chart .main-svg").first.wait_for()
    page.locator("#bands-chart .main-svg").first.wait_for()
    screenshot(page, "modelling-demo")
    page.set_viewport_size(NARROW)
    screenshot(page, "modelling-demo-800")
    _assert_fits(page)
    page.set_viewport_size(DESKTOP)
