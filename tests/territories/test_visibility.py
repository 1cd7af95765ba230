"""A manager sees the territories their subtree owns on the day viewed, not ones it once owned."""

import datetime as dt

import pytest

from attain.leaderboards.models import Competition
from attain.leaderboards.selectors import competitions_visible_to
from attain.territories.models import Territory, TerritoryOwner
from attain.territories.selectors import territories_visible_to

pytestmark = pytest.mark.django_db

HANDOVER = dt.date(2026, 3, 1)


@pytest.fixture
def handed_over(org):
    territory = Territory.objects.create(
        external_id="T-HANDOVER", name="Handed over", valid_from=dt.date(2025, 1, 1)
    )
    TerritoryOwner.objects.create(
        territory=territory, rep=org.reps["will"], valid_from=dt.date(2025, 1, 1), valid_to=HANDOVER
    )
    TerritoryOwner.objects.create(territory=territory, rep=org.reps["eddie"], valid_from=HANDOVER)
    return territory


def test_past_ownership_does_not_keep_a_territory_visible(org, handed_over):
    walt, erin = org.users["walt"], org.users["erin"]
    before, after = HANDOVER - dt.timedelta(days=1), HANDOVER
    assert handed_over in territories_visible_to(walt, before)
    assert handed_over not in territories_visible_to(walt, after)
    assert handed_over in territories_visible_to(erin, after)


def test_territory_page_is_404_for_the_former_owners_manager(org, handed_over, client, monkeypatch):
    monkeypatch.setattr("attain.people.selectors.today", lambda: HANDOVER)
    org.login(client, "walt")
    assert client.get(f"/territories/{handed_over.pk}/").status_code == 404
    client.logout()
    org.login(client, "erin")
    assert client.get(f"/territories/{handed_over.pk}/").status_code == 200


def test_territory_competition_follows_current_ownership(org, handed_over):
    cup = Competition.objects.create(
        name="Territory cup", subject="territories", start_date=HANDOVER, end_date=HANDOVER
    )
    cup.territories.set([handed_over])
    assert cup not in competitions_visible_to(org.users["walt"], HANDOVER)
    assert cup in competitions_visible_to(org.users["erin"], HANDOVER)
