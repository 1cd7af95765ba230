"""attain.territories.selectors: the database rule filter agrees with Territory.matches,
coverage picks the lowest priority, and managers see their subtree's territories."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from attain.sales.models import Account
from attain.territories import selectors
from attain.territories.models import Territory, TerritoryOwner
from tests.factories import ORG_START
from tests.web.conftest import AFTER_MOVE

pytestmark = pytest.mark.django_db


def test_rule_filter_agrees_with_matches(db):
    regions, states = ["West", "east"], ["CA", "ny"]
    postcodes, industries = ["941", "100"], ["Software", "RETAIL"]
    for i, (region, state, postcode, industry) in enumerate(
        itertools.product(regions, states, postcodes, industries)
    ):
        Account.objects.create(
            external_id=f"A{i}",
            name=f"A{i}",
            region=region,
            state=state,
            postcode=postcode + "05",
            industry=industry,
        )
    rules = [
        {"rule_region": "west"},
        {"rule_state": "NY", "rule_industry": "retail"},
        {"rule_postcode_prefix": "94"},
        {"rule_region": "East", "rule_state": "ca", "rule_postcode_prefix": "100"},
        {},
    ]
    for n, rule in enumerate(rules):
        territory = Territory.objects.create(
            external_id=f"T{n}", name=f"T{n}", valid_from=ORG_START, **rule
        )
        in_db = set(selectors.accounts_in(territory, Account.objects.all()))
        in_python = {a for a in Account.objects.all() if territory.matches(a)}
        assert in_db == in_python, rule
    assert selectors.rule_filter(Territory(kind="rule")) is None


def test_territory_for_account_prefers_lowest_priority_and_respects_dates(web_org):
    eddie_account = web_org.accounts["eddie"]  # listed in "East key accounts" (priority 5)
    broad = Territory.objects.create(
        external_id="TR-ALL-CA", name="All of CA", rule_state="CA", priority=1,
        valid_from=dt.date(2026, 6, 1),
    )  # fmt: skip
    assert selectors.territory_for_account(eddie_account, dt.date(2026, 2, 20)).name == (
        "East key accounts"
    )
    assert selectors.territory_for_account(eddie_account, AFTER_MOVE) == broad
    nowhere = Account.objects.create(external_id="A-TX", name="Texan", state="TX", region="South")
    assert selectors.territory_for_account(nowhere, AFTER_MOVE) is None


def test_territories_visible_to_by_role(web_org):
    def names(user, day=None):
        return {t.name for t in selectors.territories_visible_to(web_org.users[user], day)}

    assert names("admin") == names("finance") == {"West California", "East key accounts"}
    assert names("walt") == {"West California"}
    assert names("erin") == {"East key accounts"}
    assert names("vera") == {"West California", "East key accounts"}
    assert names("will") == set()  # reps have no territory pages
    # Wendy owns a territory from the start; after her move it follows her to Erin.
    mine = Territory.objects.create(external_id="TR-W", name="Wendy's", valid_from=ORG_START)
    TerritoryOwner.objects.create(territory=mine, rep=web_org.reps["wendy"], valid_from=ORG_START)
    assert "Wendy's" in names("walt", dt.date(2026, 2, 20))
    assert "Wendy's" not in names("walt", AFTER_MOVE)
    assert "Wendy's" in names("erin", AFTER_MOVE)
