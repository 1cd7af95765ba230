"""Territory selectors and services on the database: bulk assignment with reasons,
overrides, design scenarios, applying with an effective date, realignment."""

from __future__ import annotations

import datetime as dt

import pytest

from attain.sales.models import Account
from attain.territories import selectors, services
from attain.territories.models import AccountOverride, Scenario, Territory, TerritoryOwner
from tests.web.conftest import TODAY

pytestmark = pytest.mark.django_db
APPLY_DAY = dt.date(2026, 3, 1)


def test_every_account_gets_a_territory_and_a_reason_in_a_few_queries(
    geo_org, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        got = selectors.resolve_accounts(Account.objects.all(), TODAY)
    assert len(got) == Account.objects.count() == 30
    eddie = got[geo_org.accounts["eddie"].pk]
    assert eddie.reason == "listed account → East key accounts"
    geo = got[Account.objects.get(external_id="GEO-01").pk]
    assert geo.reason == "region East, state NY → East New York"
    west = got[geo_org.accounts["will"].pk]
    assert west.reason == "region West, state CA → West California"
    # Erin's account is East but in CA: no rule catches it.
    erin = got[geo_org.accounts["erin"].pk]
    assert erin.territory_id is None and erin.kind == "uncaught"
    uncaught = selectors.assignment_rows(Account.objects.all(), TODAY, uncaught_only=True)
    assert [i for i, _ in uncaught] == [geo_org.accounts["erin"].pk]


def test_override_wins_from_its_date_and_replaces_the_previous_one(geo_org):
    account = geo_org.accounts["will"]
    ny = geo_org.territories["ny"]
    first = services.set_override(
        account, ny, dt.date(2026, 2, 1), by=geo_org.users["admin"], note="HQ moved"
    )
    assert selectors.territory_for_account(account, dt.date(2026, 1, 31)).name == "West California"
    assert selectors.territory_for_account(account, TODAY) == ny
    reason = selectors.resolve_accounts(Account.objects.filter(pk=account.pk), TODAY)[account.pk]
    assert reason.reason == "override by Admin (HQ moved) → East New York"
    services.set_override(account, geo_org.territories["west"], dt.date(2026, 3, 1), by=None)
    first.refresh_from_db()
    assert first.valid_to == dt.date(2026, 3, 1)
    assert selectors.territory_for_account(account, dt.date(2026, 3, 2)).name == "West California"
    assert AccountOverride.objects.count() == 2


def test_territory_detail_lists_accounts_after_precedence(geo_org):
    # Eddie's account (East, CA) is listed in "East key accounts"; the NY rule does not
    # match it, so nothing goes elsewhere. Pin a NY account elsewhere: it leaves NY.
    moved = Account.objects.get(external_id="GEO-01")
    services.set_override(moved, geo_org.territories["west"], TODAY, by=None)
    rows, elsewhere = selectors.accounts_of_territory(
        geo_org.territories["ny"], Account.objects.all(), TODAY
    )
    assert elsewhere == 1 and moved not in rows and len(rows) == 11
    west_rows, _ = selectors.accounts_of_territory(
        geo_org.territories["west"], Account.objects.all(), TODAY
    )
    assert moved in west_rows
    assert next(r for r in west_rows if r == moved).reason.startswith("override by an admin")


def test_design_compare_and_apply_keep_history(geo_org):
    scenario = services.create_design(
        name="Two", user=geo_org.users["admin"], as_of=TODAY, k=2, tolerance=0.05, seed=1
    )
    assert scenario.assignments.count() == 30 and scenario.territories.count() == 2
    c = selectors.comparison(scenario)
    assert [col.accounts for col in c.proposed] and sum(col.accounts for col in c.proposed) == 30
    assert {col.name for col in c.current} == {
        "West California", "East key accounts", "East New York"
    }  # fmt: skip
    # Potential balanced within 5% (stored exactly, compared in cents).
    assert c.proposed_quality["balance"]["potential"]["max_deviation"] <= 0.05
    assert sum(col.potential for col in c.proposed) == sum(
        a.potential for a in Account.objects.all()
    )
    old_west = geo_org.territories["west"]
    will_account = geo_org.accounts["will"]

    services.apply_scenario(scenario, APPLY_DAY, by=geo_org.users["admin"])

    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.APPLIED and scenario.applied_from == APPLY_DAY
    old_west.refresh_from_db()
    assert old_west.valid_to == APPLY_DAY
    assert TerritoryOwner.objects.get(territory=old_west).valid_to == APPLY_DAY
    # Before the date the old plan still answers; from it the new one does.
    assert (
        selectors.territory_for_account(will_account, APPLY_DAY - dt.timedelta(days=1)) == old_west
    )
    new = selectors.territory_for_account(will_account, APPLY_DAY)
    assert new.external_id.startswith(f"SCN{scenario.pk}-") and new.valid_from == APPLY_DAY
    after = selectors.resolve_accounts(Account.objects.all(), APPLY_DAY)
    assert all(a.kind == "listed" for a in after.values())  # erin's account is caught now
    new_owners = TerritoryOwner.objects.filter(valid_from=APPLY_DAY)
    assert {o.rep.name for o in new_owners} <= {"Will Example", "Eddie Example"}
    with pytest.raises(services.TerritoryError, match="already applied"):
        services.apply_scenario(scenario, APPLY_DAY)


def test_apply_refuses_a_date_before_existing_territories(geo_org):
    Territory.objects.create(external_id="LATE", name="Late", rule_state="TX",
                             valid_from=dt.date(2026, 6, 1))  # fmt: skip
    scenario = services.create_design(name="S", user=None, as_of=TODAY, k=2)
    with pytest.raises(services.TerritoryError, match="start on or after 2026-03-01"):
        services.apply_scenario(scenario, APPLY_DAY)
    assert Territory.objects.filter(valid_to__isnull=False).count() == 0  # nothing half-done


def test_design_locks_and_bad_requests(geo_org):
    geo = list(Account.objects.filter(external_id__startswith="GEO").order_by("id"))
    locked = {geo[0].pk: 1, geo[1].pk: 1}
    scenario = services.create_design(name="L", user=None, as_of=TODAY, k=2, locked=locked)
    for account_id in locked:
        assert scenario.assignments.get(account_id=account_id).territory.index == 1
    with pytest.raises(services.TerritoryError, match="cannot fill"):
        services.create_design(name="X", user=None, as_of=TODAY, k=99)
    with pytest.raises(services.TerritoryError, match="Unknown measure"):
        services.create_design(name="X", user=None, as_of=TODAY, k=2, primary="vibes")


def test_realignment_never_moves_accounts_with_open_deals(geo_org):
    _, ids, options = services.realign_options(TODAY, penalties=[0, 1000])
    assert len(ids) == 3 and [o.penalty_km for o in options] == [0, 1000]
    assert options[0].moved >= options[1].moved
    scenario = services.create_realignment(name="R", user=None, as_of=TODAY, penalty_km=0)
    for name, account in geo_org.accounts.items():
        row = scenario.assignments.get(account_id=account.pk)
        if row.current_territory_id is not None:  # every factory account has an open deal
            assert row.territory.name == row.current_territory.name, name
            assert row.locked
