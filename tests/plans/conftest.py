"""Plans test fixtures: a valid plan text, a saved plan, and the plans API mounted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from attain.plans import services

PLAN = (
    Path(__file__).resolve().parents[1]
    / "engine"
    / "conformance"
    / "01_marginal_tiers_on_attainment"
    / "plan.yaml"
).read_text()


def plan_text(*pairs: tuple[str, str]) -> str:
    """The example plan (id ae, version 1) with some text replaced: (old, new) pairs."""
    text = PLAN
    for old, new in pairs:
        text = text.replace(old, new)
    return text


@pytest.fixture
def plan_org(org):
    org.plan = services.save_plan(org.users["admin"], PLAN, "first draft").document
    return org


def assignment(org, rep="wendy", **overrides) -> services.AssignmentData:
    values = dict(
        rep=org.reps[rep],
        plan_id="ae",
        valid_from=dt.date(2026, 1, 1),
        valid_to=None,
        target_incentive=Decimal("10000.00"),
        currency="USD",
        draw_per_period=Decimal("0"),
        draw_recoverable=True,
    )
    values.update(overrides)
    return services.AssignmentData(**values)


@pytest.fixture
def plans_api_urls(settings):
    settings.ROOT_URLCONF = "tests.plans.api_urls"
