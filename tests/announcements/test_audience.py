"""Audience resolution with the effective-dated hierarchy: evaluated on the day it is looked
at, by the teams and territory ownerships in force that day."""

from __future__ import annotations

import pytest

from attain.announcements import selectors
from attain.people.models import User
from tests.announcements.conftest import publish_new
from tests.web.conftest import AFTER_MOVE, TODAY

pytestmark = pytest.mark.django_db


def names(announcement, day):
    return {u.username for u in selectors.audience_users(announcement, day)}


def test_team_audience_is_the_team_and_below_without_the_author(ann_org):
    assert names(ann_org.announcement, TODAY) == {"wendy", "will"}


def test_a_rep_who_leaves_the_team_stops_receiving_it(ann_org):
    """Wendy moves West → East on 2026-07-01: after that she is no longer addressed."""
    wendy = ann_org.users["wendy"]
    assert selectors.is_recipient(wendy, ann_org.announcement, TODAY)
    assert names(ann_org.announcement, AFTER_MOVE) == {"will"}
    assert not selectors.is_recipient(wendy, ann_org.announcement, AFTER_MOVE)


def test_a_later_joiner_receives_an_earlier_announcement(web_org):
    """Published (on TODAY) to East before Wendy joins East; she receives it after the move."""
    east = publish_new(web_org.users["erin"], team=web_org.teams["east"])
    assert names(east, TODAY) == {"eddie"}
    assert names(east, AFTER_MOVE) == {"eddie", "wendy"}
    assert selectors.is_recipient(web_org.users["wendy"], east, AFTER_MOVE)


def test_parent_team_reaches_everyone_below_it(web_org):
    sales = publish_new(web_org.users["vera"], team=web_org.teams["sales"])
    assert names(sales, TODAY) == {"walt", "erin", "wendy", "will", "eddie"}


def test_region_audience_follows_team_regions(web_org):
    west = publish_new(web_org.users["vera"], audience="region", region="west")
    assert names(west, TODAY) == {"walt", "wendy", "will"}
    assert names(west, AFTER_MOVE) == {"walt", "will"}


def test_territory_audience_is_its_owners_on_the_day(web_org):
    from attain.territories.models import TerritoryOwner

    announcement = publish_new(
        web_org.users["walt"], audience="territory", territory=web_org.territories["west"]
    )
    assert names(announcement, TODAY) == {"will"}
    TerritoryOwner.objects.filter(territory=web_org.territories["west"]).update(valid_to=AFTER_MOVE)
    assert names(announcement, AFTER_MOVE) == set()


def test_everyone_means_every_active_login_but_the_author(web_org):
    web_org.users["eddie"].is_active = False
    web_org.users["eddie"].save()
    everyone = publish_new(web_org.users["admin"], audience="everyone")
    assert names(everyone, TODAY) == {"finance", "vera", "walt", "erin", "wendy", "will"}


def test_drafts_reach_no_one(web_org):
    from attain.announcements import services
    from tests.announcements.conftest import draft

    services.create_draft(author=web_org.users["walt"], draft=draft(team=web_org.teams["west"]))
    assert not selectors.received_by(web_org.users["will"], TODAY).exists()


@pytest.mark.parametrize("day", [TODAY, AFTER_MOVE])
def test_per_user_and_per_announcement_resolution_agree(web_org, day):
    """received_by (the banner's query) and audience_users (the author's list) must agree
    for every login, every kind of audience, before and after the team move."""
    org = web_org
    announcements = [
        publish_new(org.users["walt"], team=org.teams["west"]),
        publish_new(org.users["erin"], team=org.teams["east"]),
        publish_new(org.users["vera"], team=org.teams["sales"]),
        publish_new(org.users["vera"], audience="region", region="East"),
        publish_new(org.users["erin"], audience="territory", territory=org.territories["east"]),
        publish_new(org.users["admin"], audience="everyone"),
    ]
    for user in User.objects.all():
        received = set(selectors.received_by(user, day).values_list("id", flat=True))
        expected = {a.id for a in announcements if user in selectors.audience_users(a, day)}
        assert received == expected, user.username
