"""Announcement fixtures: the web test org (factory org + territories) seen on 2026-02-20,
with one announcement published by walt to his West team (wendy and will)."""

from __future__ import annotations

import pytest

from attain.announcements import services
from attain.announcements.services import Draft, Link
from tests.web import conftest as web_conftest
from tests.web.conftest import TODAY, set_today

web_org = web_conftest.web_org  # the web tests' org fixture, reused here


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    set_today(monkeypatch, TODAY)


def draft(**overrides) -> Draft:
    fields = {
        "title": "West focuses on mid-market",
        "audience": "team",
        "why": "Enterprise deals take **nine months** to close.",
        "priorities": "- Mid-market first\n- Renewals second",
        "adjustments": "Qualify on budget in the first call.",
        "unchanged": "Your quota and your accounts.",
        "links": (Link("Q3 quota change", "https://plans.example.com/q3"),),
    }
    fields.update(overrides)
    return Draft(**fields)


def publish_new(author, **overrides):
    announcement = services.create_draft(author=author, draft=draft(**overrides))
    return services.publish(announcement, by=author)


@pytest.fixture
def ann_org(web_org):
    """web_org plus ``web_org.announcement``: walt → team West, published."""
    web_org.announcement = publish_new(web_org.users["walt"], team=web_org.teams["west"])
    return web_org
