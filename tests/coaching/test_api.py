"""The coaching JSON API × roles: the same visibility as the pages.

The subject is wendy (West, walt's team; vera is the VP above him; erin manages East).
Personal goals never appear in the API; session notes reach the rep and her managers only.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from attain.coaching.models import ActionItem, CoachingSession
from attain.people.tokens import create_token
from tests.api.conftest import ApiClient

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.coaching.api_urls")]
BASE = "/api/coaching"
USERS = ["anonymous", "wendy", "will", "walt", "vera", "erin", "finance", "admin"]


@pytest.fixture
def api(coaching_org):
    keys = {n: create_token(u, "tests")[1] for n, u in coaching_org.users.items()}
    return lambda name: ApiClient(None if name == "anonymous" else keys[name])


def names(rows) -> list[str]:
    return sorted(row["rep"]["name"].split()[0].lower() for row in rows)


def no_goal(response) -> None:
    text = response.content.decode()
    assert "House deposit" not in text and "first home" not in text


@pytest.mark.parametrize(
    "user,status,rows",
    [
        ("anonymous", 401, None),
        ("wendy", 200, ["wendy"]),  # her own row only
        ("will", 200, ["will"]),
        ("walt", 200, ["wendy", "will"]),  # his subtree
        ("vera", 200, ["eddie", "erin", "walt", "wendy", "will"]),
        ("erin", 200, ["eddie"]),
        ("finance", 403, None),
        ("admin", 404, None),  # must name a rep
    ],
)
def test_insights_default_scope(api, user, status, rows):
    response = api(user).get(f"{BASE}/insights")
    assert response.status_code == status, response.content
    no_goal(response)
    if rows is not None:
        assert names(response.json()["rows"]) == rows


@pytest.mark.parametrize(
    "user,status",
    [
        ("anonymous", 401),
        ("wendy", 200),
        ("will", 404),
        ("walt", 200),
        ("vera", 200),
        ("erin", 404),
        ("finance", 403),
        ("admin", 200),
    ],
)
def test_insights_for_wendy(api, coaching_org, user, status):
    wendy = coaching_org.reps["wendy"]
    response = api(user).get(f"{BASE}/insights", rep=wendy.pk, period="2026Q1")
    assert response.status_code == status
    no_goal(response)
    if status == 200:
        body = response.json()
        assert names(body["rows"]) == ["wendy"]
        assert body["period"]["key"] == "2026Q1"
        row = body["rows"][0]
        assert row["won"] == 1 and row["win_rate"]["trials"] == 1
        assert [s["stage"] for s in row["stages"]][0] == "Prospecting"
        # Two reps compared: medians hidden from the rep herself, shown to her coaches.
        assert (body["medians"] is None) is (user == "wendy")


@pytest.mark.parametrize(
    "user,status,count,sees_notes",
    [
        ("anonymous", 401, None, False),
        ("wendy", 200, 1, True),
        ("will", 200, 0, False),
        ("walt", 200, 1, True),
        ("vera", 200, 1, True),
        ("erin", 200, 0, False),
        ("finance", 403, None, False),
        ("admin", 200, 1, True),
    ],
)
def test_list_sessions(api, coaching_org, user, status, count, sees_notes):
    response = api(user).get(f"{BASE}/sessions")
    assert response.status_code == status
    assert ("Wendy's private notes" in response.content.decode()) is sees_notes
    no_goal(response)
    if count is not None:
        body = response.json()
        assert body["count"] == count
        if count:
            session = body["items"][0]
            assert session["rep"]["external_id"] == "R-WENDY"
            assert [i["text"] for i in session["action_items"]] == ["Send the mutual action plan"]
    one = api(user).get(f"{BASE}/sessions/{coaching_org.session.pk}")
    assert one.status_code == {200: 200 if count else 404}.get(status, status)


@pytest.mark.parametrize(
    "user,status",
    [
        ("anonymous", 401),
        ("wendy", 403),  # sees herself, may not schedule
        ("will", 404),
        ("walt", 201),
        ("vera", 201),  # the VP above walt coaches too
        ("erin", 404),
        ("finance", 403),
        ("admin", 403),  # read only
    ],
)
def test_schedule_session(api, coaching_org, user, status):
    wendy = coaching_org.reps["wendy"]
    before = CoachingSession.objects.count()
    body = {"rep": wendy.pk, "scheduled_at": "2026-03-02T10:00:00+00:00"}
    response = api(user).post(f"{BASE}/sessions", body)
    assert response.status_code == status, response.content
    assert CoachingSession.objects.count() == before + (status == 201)
    if status == 201:
        made = response.json()
        assert made["kind"] == "one_on_one" and made["rep"]["id"] == wendy.pk
        assert "Open action items:" in made["agenda"]  # prefilled as on the page
        # the open item is carried onto the new session's agenda
        assert [i["text"] for i in made["action_items"]] == ["Send the mutual action plan"]


def test_schedule_session_validation(api, coaching_org):
    wendy, will = coaching_org.reps["wendy"], coaching_org.reps["will"]
    walt = api("walt")
    missing = walt.post(f"{BASE}/sessions", {"rep": wendy.pk})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["field"] == "scheduled_at"
    bad_kind = walt.post(
        f"{BASE}/sessions", {"rep": wendy.pk, "scheduled_at": "2026-03-02T10:00", "kind": "x"}
    )
    assert bad_kind.status_code == 422
    other = walt.post(
        f"{BASE}/sessions",
        {
            "rep": will.pk,
            "scheduled_at": "2026-03-02T10:00:00+00:00",
            "follow_up_of": coaching_org.session.pk,
        },
    )
    assert other.status_code == 422
    assert other.json()["detail"][0]["field"] == "follow_up_of"
    follow = walt.post(
        f"{BASE}/sessions",
        {
            "rep": wendy.pk,
            "scheduled_at": "2026-03-09T10:00:00+00:00",
            "agenda": "Just this",
            "kind": "coaching",
            "follow_up_of": coaching_org.session.pk,
        },
    )
    assert follow.status_code == 201
    assert follow.json()["agenda"] == "Just this"
    assert follow.json()["follow_up_of"] == coaching_org.session.pk


@pytest.mark.parametrize(
    "user,status,count",
    [
        ("anonymous", 401, None),
        ("wendy", 200, 1),
        ("will", 200, 0),
        ("walt", 200, 1),
        ("vera", 200, 1),
        ("erin", 200, 0),
        ("finance", 403, None),
        ("admin", 200, 1),
    ],
)
def test_list_action_items(api, user, status, count):
    response = api(user).get(f"{BASE}/action-items", done="false")
    assert response.status_code == status
    if count is not None:
        assert response.json()["count"] == count


@pytest.mark.parametrize(
    "user,tick,edit",
    [
        ("anonymous", 401, 401),
        ("wendy", 200, 403),  # the rep ticks off, does not edit
        ("will", 404, 404),
        ("walt", 200, 200),
        ("vera", 200, 200),
        ("erin", 404, 404),
        ("finance", 403, 403),
        ("admin", 403, 403),
    ],
)
def test_patch_action_item(api, coaching_org, user, tick, edit):
    url = f"{BASE}/action-items/{coaching_org.item.pk}"
    client = api(user)
    response = client.patch(url, {"done": True})
    assert response.status_code == tick
    item = ActionItem.objects.get(pk=coaching_org.item.pk)
    assert item.done is (tick == 200)
    if tick == 200:
        assert response.json()["done"] is True and item.done_at is not None
    response = client.patch(url, {"text": "Send the plan by Friday", "due_date": "2026-03-06"})
    assert response.status_code == edit
    item.refresh_from_db()
    assert (item.text == "Send the plan by Friday") is (edit == 200)
    if edit == 200:
        assert item.due_date == dt.date(2026, 3, 6)


def test_patch_rejects_empty_text(api, coaching_org):
    response = api("walt").patch(f"{BASE}/action-items/{coaching_org.item.pk}", {"text": "  "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "text"


def test_manager_insights_rank_opportunities(api, coaching_org):
    body = api("walt").get(f"{BASE}/insights").json()
    assert body["group"] == "your team" and body["compared"] == 2
    assert body["medians"] is not None
    assert json.dumps(body).count("House deposit") == 0


def test_session_after_the_rep_moves_team(api, coaching_org, monkeypatch):
    """From 2026-07-01 wendy is in East: erin sees her session, walt no longer does."""
    monkeypatch.setattr("attain.people.selectors.today", lambda: dt.date(2026, 7, 2))
    url = f"{BASE}/sessions/{coaching_org.session.pk}"
    assert api("erin").get(url).status_code == 200
    assert api("walt").get(url).status_code == 404
