"""Coaching fixtures: the factory org seen on 2026-02-20, with one 1:1 between walt and
wendy (West), an action item, a call review, wendy's personal goal and a group training
for West."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from attain.coaching import services
from tests.web.conftest import TODAY, set_today


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    set_today(monkeypatch, TODAY)


@pytest.fixture(autouse=True)
def _library(request):
    """The seeded skills and scenarios, put back if a transactional test flushed them."""
    uses_db = request.node.get_closest_marker("django_db") or "db" in request.fixturenames
    if uses_db:
        request.getfixturevalue("db")
        services.seed_library()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def coaching_org(org):
    reps, users = org.reps, org.users
    session = services.schedule_session(
        manager=reps["walt"], rep=reps["wendy"], scheduled_at=at(dt.date(2026, 2, 25))
    )
    services.update_session(session, agenda="Pipeline review", notes="Wendy's private notes")
    item = services.add_action_item(
        session, owner=reps["wendy"], text="Send the mutual action plan", due_date=TODAY
    )
    review = services.add_call_review(
        session, title="Discovery call", link="https://recordings.example.com/1"
    )
    services.save_goal(
        rep=reps["wendy"],
        by=users["wendy"],
        goal="House deposit",
        motivator="Buying a first home",
        target_amount=Decimal("20000.00"),
        saved_so_far=Decimal("5000.00"),
    )
    training = services.schedule_training(
        team=org.teams["west"],
        led_by=reps["walt"],
        scheduled_at=at(dt.date(2026, 2, 26)),
        topic="Discovery questions",
    )
    org.session, org.item, org.review, org.training = session, item, review, training
    return org
