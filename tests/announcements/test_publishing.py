"""Who may publish to which audience, the draft → published flow, and links."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.announcements import selectors, services
from attain.announcements.models import Announcement
from attain.announcements.services import Link
from tests.announcements.conftest import draft, publish_new
from tests.web.conftest import AFTER_MOVE, TODAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["will", "wendy", "finance"])
def test_reps_and_finance_cannot_write_announcements(web_org, username):
    user = web_org.users[username]
    assert not selectors.can_publish(user, TODAY)
    with pytest.raises(PermissionDenied):
        services.create_draft(author=user, draft=draft(audience="everyone"))


@pytest.mark.parametrize(
    ("username", "target", "allowed"),
    [
        ("walt", ("team", "west"), True),
        ("walt", ("team", "east"), False),
        ("walt", ("team", "sales"), False),
        ("walt", ("region", "West"), True),
        ("walt", ("region", "East"), False),
        ("walt", ("territory", "west"), True),  # owned by will, in walt's team
        ("walt", ("territory", "east"), False),  # owned by eddie
        ("walt", ("everyone", None), False),
        ("vera", ("team", "sales"), True),
        ("vera", ("region", "East"), True),
        ("vera", ("everyone", None), False),
        ("erin", ("territory", "east"), True),
        ("admin", ("everyone", None), True),
        ("admin", ("team", "east"), True),
    ],
)
def test_managers_address_only_their_subtree_admins_anyone(web_org, username, target, allowed):
    kind, key = target
    extra = {"audience": kind}
    if kind == "team":
        extra["team"] = web_org.teams[key]
    elif kind == "region":
        extra["region"] = key
    elif kind == "territory":
        extra["territory"] = web_org.territories[key]
    user = web_org.users[username]
    if allowed:
        assert publish_new(user, **extra).is_published
    else:
        with pytest.raises(PermissionDenied):
            services.create_draft(author=user, draft=draft(**extra))


def test_publishing_rechecks_the_audience_against_todays_hierarchy(web_org, monkeypatch):
    """A draft to West written by walt cannot be published once walt no longer leads West."""
    from attain.people.models import TeamMembership
    from tests.web.conftest import set_today

    walt = web_org.users["walt"]
    announcement = services.create_draft(author=walt, draft=draft(team=web_org.teams["west"]))
    TeamMembership.objects.filter(rep=web_org.reps["walt"]).update(valid_to=AFTER_MOVE)
    set_today(monkeypatch, AFTER_MOVE)
    with pytest.raises(PermissionDenied):
        services.publish(announcement, by=walt)
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.DRAFT


def test_draft_to_published(web_org):
    walt = web_org.users["walt"]
    announcement = services.create_draft(author=walt, draft=draft(team=web_org.teams["west"]))
    assert announcement.status == "draft" and announcement.published_at is None
    with pytest.raises(PermissionDenied):
        services.publish(announcement, by=web_org.users["admin"])
    services.publish(announcement, by=walt)
    announcement.refresh_from_db()
    assert announcement.is_published and announcement.published_at is not None
    with pytest.raises(ValidationError, match="already published"):
        services.publish(announcement, by=walt)
    with pytest.raises(ValidationError, match="no longer be edited"):
        services.update_draft(announcement, by=walt, draft=draft(team=web_org.teams["west"]))


def test_an_empty_announcement_cannot_be_published(web_org):
    walt = web_org.users["walt"]
    empty = draft(team=web_org.teams["west"], why="", priorities="", adjustments="", unchanged="")
    announcement = services.create_draft(author=walt, draft=empty)
    with pytest.raises(ValidationError, match="at least one section"):
        services.publish(announcement, by=walt)


def test_audience_needs_its_target(web_org):
    with pytest.raises(ValidationError, match="Choose the team"):
        services.create_draft(author=web_org.users["admin"], draft=draft(team=None))


def test_sections_and_links_are_kept_in_order(web_org):
    links = (Link("Quota change", "https://q.example.com/1"), Link("", "/territories/"))
    announcement = publish_new(
        web_org.users["walt"], team=web_org.teams["west"], links=links, adjustments=""
    )
    assert [k for k, _h, _t in announcement.sections()] == ["why", "priorities", "unchanged"]
    assert [(lk.title, lk.url) for lk in announcement.links.all()] == [
        ("Quota change", "https://q.example.com/1"),
        ("/territories/", "/territories/"),
    ]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>", "//evil.example.com", "ftp://x.y"]
)
def test_links_refuse_unsafe_urls(web_org, url):
    with pytest.raises(ValidationError, match="must start with"):
        services.create_draft(
            author=web_org.users["walt"],
            draft=draft(team=web_org.teams["west"], links=(Link("x", url),)),
        )
