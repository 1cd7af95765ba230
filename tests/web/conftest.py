"""Fixtures for page tests: a fixed "today" and a little extra data around the factory org.

The factory's won deals close on 2026-02-10 and its open deals have no close date, so on
TODAY (2026-02-20) every rep has won USD 12,000.00 this month and this quarter and has
USD 30,000.00 of open pipeline in one deal.
"""

from __future__ import annotations

import datetime as dt

import pytest

from attain.sales.models import Activity
from attain.territories.models import Territory, TerritoryOwner
from tests.factories import MOVE_DATE, ORG_START

TODAY = dt.date(2026, 2, 20)
AFTER_MOVE = MOVE_DATE + dt.timedelta(days=14)

# Which login plays each role in the permission matrix.
LOGIN_FOR_ROLE = {"rep": "will", "manager": "walt", "finance": "finance", "admin": "admin"}


def set_today(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr("attain.people.selectors.today", lambda: day)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    set_today(monkeypatch, TODAY)


@pytest.fixture
def web_org(org):
    """The factory org plus two territories and an activity per rep."""
    west = Territory.objects.create(
        external_id="TR-WEST-CA",
        name="West California",
        kind=Territory.Kind.RULE,
        rule_region="West",
        rule_state="CA",
        valid_from=ORG_START,
        priority=10,
    )
    TerritoryOwner.objects.create(territory=west, rep=org.reps["will"], valid_from=ORG_START)
    east = Territory.objects.create(
        external_id="TR-EAST-KEY",
        name="East key accounts",
        kind=Territory.Kind.LIST,
        valid_from=ORG_START,
        priority=5,
    )
    east.accounts.add(org.accounts["eddie"])
    TerritoryOwner.objects.create(territory=east, rep=org.reps["eddie"], valid_from=ORG_START)
    org.territories = {"west": west, "east": east}
    for name, rep in org.reps.items():
        Activity.objects.create(
            external_id=f"ACT-{name.upper()}",
            rep=rep,
            kind=Activity.Kind.CALL,
            date=dt.date(2026, 2, 1),
            deal=org.deals[name][1],
            account=org.accounts[name],
            outcome=f"{name} discovery call",
            duration_minutes=30,
        )
    return org
