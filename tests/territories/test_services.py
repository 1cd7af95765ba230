"""Territory selectors and services on the database: bulk assignment with reasons,
overrides, design scenarios, applying with an effective date, realignment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from attain.sales.models import Account
from attain.territories import selectors, services
from attain.territories.design import balance
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


CHICAGO = (dt.date(2025, 1, 1), "41.880000", "-87.630000")


@pytest.fixture
def two_territories(geo_org):
    """geo_org with "East key accounts" ended: West California (Will) holds the 4 West
    factory accounts and the 12 West GEO accounts (16); East New York (Eddie) the 12 East
    GEO accounts plus the two uncaught East factory accounts, which join the nearest
    territory (14). Every factory account has an open deal. Nina is a new hire living in
    Chicago, between the two."""
    from attain.people.models import Rep

    east = geo_org.territories["east"]
    east.valid_to = TODAY
    east.save()
    hired, lat, lon = CHICAGO
    geo_org.reps["nina"] = Rep.objects.create(
        external_id="R-NINA", name="Nina New", hire_date=hired, home_latitude=lat,
        home_longitude=lon,
    )  # fmt: skip
    return geo_org


def test_new_hire_adds_a_territory_filled_from_its_neighbours(two_territories):
    org = two_territories
    nina = org.reps["nina"]
    # Balance the account count with no tolerance: 30 accounts make 3 territories of 10.
    # West must give 6 and East 4; each account that moves costs the penalty, and sending
    # East's accounts to Chicago is cheaper than through West, so exactly 10 move, all
    # into Nina's territory, whatever the penalty.
    book, ids, options = services.realign_options(
        TODAY, primary="accounts", tolerance=0.0, penalties=[0, 400], new_hires=[nina]
    )
    west, ny = org.territories["west"].pk, org.territories["ny"].pk
    assert ids == sorted([west, ny]) and book.new_hires[0].seeded_by == "home"
    for option in options:
        assert option.moved == 10 and option.reps_affected == 3  # Will, Eddie and Nina
        assert option.deviation_before == pytest.approx(1 / 15)  # today: 16 and 14
        assert option.deviation_after == 0.0
        new = option.assignment == 2
        assert new.sum() == 10 and (option.assignment != book.current_index).sum() == 10
        was = book.current_index[new]
        assert (was == ids.index(west)).sum() == 6 and (was == ids.index(ny)).sum() == 4
        assert not (new & book.protected).any()

    scenario = services.create_realignment(
        name="Nina", user=None, as_of=TODAY, penalty_km=400, primary="accounts",
        tolerance=0.0, new_hires=[nina],
    )  # fmt: skip
    territories = list(scenario.territories.order_by("index"))
    assert [t.owner for t in territories] == [org.reps["will"], org.reps["eddie"], nina]
    assert territories[2].name.endswith("(Nina New)")
    assert scenario.parameters["new_hires"][0]["rep"] == nina.pk
    c = selectors.comparison(scenario)
    # The page also counts the two accounts no territory caught today (Erin's, Eddie's):
    # they gain an owner, Eddie, without moving.
    assert c.moved == 12 and c.reps_affected == ["Eddie Example", "Nina New", "Will Example"]
    assert [col.accounts for col in c.proposed] == [10, 10, 10]
    for name, account in org.accounts.items():  # every factory account has an open deal
        row = scenario.assignments.get(account_id=account.pk)
        assert row.territory.index != 2 and row.locked, name
    assert c.potential_moved - 2 * Decimal("250000.00") == sum(
        a.account.potential for a in scenario.assignments.filter(territory__index=2)
    )

    services.apply_scenario(scenario, APPLY_DAY)
    owned = TerritoryOwner.objects.get(rep=nina)
    assert owned.valid_from == APPLY_DAY and owned.territory.external_id.endswith("-03")
    moved = Account.objects.filter(external_id__startswith="GEO").first()
    assert selectors.territory_for_account(moved, APPLY_DAY - dt.timedelta(days=1)).pk == west


def test_new_hire_without_a_home_starts_in_the_area_given(two_territories):
    from attain.people.models import Rep

    omar = Rep.objects.create(external_id="R-OMAR", name="Omar Homeless")
    # Seeded in New York State, among East New York's accounts. West must still give 6 and
    # East 4: each moving account pays the penalty once, so West's go straight to Omar
    # rather than to East New York and East's on to Omar (two moves): 10 move.
    book, ids, (option,) = services.realign_options(
        TODAY, primary="accounts", tolerance=0.0, penalties=[100], new_hires=[omar],
        areas={omar.pk: "ny"},
    )  # fmt: skip
    assert book.new_hires[0].seeded_by == "area ny"
    ny = ids.index(two_territories.territories["ny"].pk)
    x, y = balance.project(book.latitude, book.longitude)
    east = book.current_index == ny
    seed = book.new_hires[0].seed
    assert np.hypot(x[east] - seed[0], y[east] - seed[1]).max() < 50  # km
    was = book.current_index[option.assignment == 2]
    assert (was == ny).sum() == 4 and (was != ny).sum() == 6 and option.moved == 10
    assert np.bincount(option.assignment).tolist() == [10, 10, 10]
    # Without an area it starts in the busiest territory today, West California.
    book, _, _ = services.realign_options(TODAY, penalties=[100], new_hires=[omar])
    assert book.new_hires[0].seeded_by == "busiest territory West California"
    with pytest.raises(services.TerritoryError, match="No located account is in the area 'TX'"):
        services.realign_options(TODAY, new_hires=[omar], areas={omar.pk: "TX"})


def test_new_hires_are_refused_for_large_books(two_territories, monkeypatch):
    monkeypatch.setattr(services, "LARGE_ACCOUNTS", 20)
    with pytest.raises(services.TerritoryError, match="not available for books above 20"):
        services.realign_options(TODAY, new_hires=[two_territories.reps["nina"]])
    with pytest.raises(services.TerritoryError, match="Unknown measure"):
        services.realign_options(TODAY, primary="vibes")
