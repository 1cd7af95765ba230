"""Every coaching page and action × role.

The subject is wendy (West, walt's team until 2026-07-01; East, erin's, from then). Roles:
the rep herself, a peer (will), her manager (walt), the VP above him (vera), another
manager (erin), finance and admin. Out-of-scope records answer 404 so ids do not leak;
finance has no coaching pages at all (403); a visible record the user may not change
answers 403 to a write.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.coaching.conftest import TODAY
from tests.web.conftest import AFTER_MOVE, set_today

pytestmark = pytest.mark.django_db

LOGINS = {
    "rep": "wendy",
    "peer": "will",
    "manager": "walt",
    "vp": "vera",
    "other manager": "erin",
    "finance": "finance",
    "admin": "admin",
}
ROLES = ["anonymous", *LOGINS]


def status_for(client, org, role, method, url, data=None):
    if role != "anonymous":
        org.login(client, LOGINS[role])
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response


def url_of(name, attr=None):
    def build(org):
        if attr is None:
            return reverse(name)
        obj = {"wendy": org.reps.get("wendy"), "session": getattr(org, "session", None)}.get(attr)
        if attr == "item":
            obj = org.item
        if attr == "review":
            obj = org.review
        if attr == "training":
            obj = org.training
        return reverse(name, args=[obj.pk])

    return build


ALL = {"rep": 200, "peer": 200, "manager": 200, "vp": 200, "other manager": 200}
WENDYS = {"rep": 200, "peer": 404, "manager": 200, "vp": 200, "other manager": 404}
MANAGERS_ONLY = {"rep": 403, "peer": 403, "manager": 200, "vp": 200, "other manager": 200}

# (page, url builder, expected per signed-in role except finance (403) and admin)
PAGES = [
    ("coaching home", url_of("coaching:home"), {**ALL, "admin": 200}),
    ("wendy's profile", url_of("coaching:rep_profile", "wendy"), {**WENDYS, "admin": 200}),
    ("wendy's session", url_of("coaching:session_detail", "session"), {**WENDYS, "admin": 200}),
    (
        "schedule with wendy",
        lambda org: reverse("coaching:session_new") + f"?rep={org.reps['wendy'].pk}",
        {**WENDYS, "rep": 403, "admin": 403},
    ),
    (
        "wendy's goal",
        url_of("coaching:goal_edit", "wendy"),
        {**WENDYS, "vp": 404, "admin": 404},
    ),
    ("skills matrix", url_of("coaching:skills"), {**MANAGERS_ONLY, "admin": 200}),
    (
        "west training",
        url_of("coaching:training_detail", "training"),
        {**ALL, "other manager": 404, "admin": 200},
    ),
    ("schedule training", url_of("coaching:training_new"), {**MANAGERS_ONLY, "admin": 403}),
    ("scenarios", url_of("coaching:scenarios"), {**ALL, "admin": 200}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "url_for", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_access(client, coaching_org, role, page, url_for, expected):
    url = url_for(coaching_org)
    response = status_for(client, coaching_org, role, "get", url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        return
    want = 403 if role == "finance" else expected[role]
    assert response.status_code == want, f"{role} on {page}"


OK = "ok"
COACH = {"rep": 403, "peer": 404, "manager": OK, "vp": OK, "other manager": 404, "admin": 403}
REP_OR_COACH = {**COACH, "rep": OK}
GOAL = {**REP_OR_COACH, "vp": 404, "admin": 404}

ACTIONS = [
    (
        "save notes",
        url_of("coaching:session_detail", "session"),
        {"agenda": "a", "notes": "changed"},
        COACH,
    ),
    (
        "add action item",
        url_of("coaching:item_add", "session"),
        {"text": "Call back", "owner": "WENDY"},
        COACH,
    ),
    ("tick action item", url_of("coaching:item_done", "item"), {"done": "1"}, REP_OR_COACH),
    (
        "schedule follow-up",
        url_of("coaching:session_follow_up", "session"),
        {"scheduled_at": "2026-03-04T10:00"},
        COACH,
    ),
    (
        "add call review",
        url_of("coaching:review_add", "session"),
        {"title": "Demo", "link": "https://example.com/r"},
        COACH,
    ),
    (
        "comment on call",
        url_of("coaching:comment_add", "review"),
        {"at": "1:05", "text": "Good question"},
        REP_OR_COACH,
    ),
    (
        "record role-play",
        url_of("coaching:role_play_add", "session"),
        {"scenario": "FIRST", "score": "4"},
        COACH,
    ),
    (
        "rate skill",
        url_of("coaching:skill_rate", "wendy"),
        {"skill": "FIRST", "rating": "3"},
        COACH,
    ),
    (
        "assign role-play",
        url_of("coaching:role_play_assign", "wendy"),
        {"scenario": "FIRST", "due_date": "2026-03-01"},
        COACH,
    ),
    (
        "save goal",
        url_of("coaching:goal_edit", "wendy"),
        {"goal": "Trip", "target_amount": "100", "saved_so_far": "0"},
        GOAL,
    ),
    (
        "record attendance",
        url_of("coaching:training_detail", "training"),
        {"attended": "WENDY", "notes": "Good session"},
        {**COACH, "peer": 403},
    ),
    (
        "schedule training",
        url_of("coaching:training_new"),
        {"team": "WEST", "topic": "Closing", "scheduled_at": "2026-03-03T14:00"},
        # erin may schedule trainings, but not for West: the form refuses the team.
        {**COACH, "other manager": 200, "peer": 403},
    ),
    (
        "schedule session",
        lambda org: reverse("coaching:session_new") + f"?rep={org.reps['wendy'].pk}",
        {"kind": "one_on_one", "scheduled_at": "2026-03-02T09:30", "agenda": "x"},
        {**COACH, "rep": 403},
    ),
]


def _fill(data, org):
    from attain.coaching.models import RolePlayScenario, Skill

    filled = dict(data)
    for key in ("owner", "attended"):
        if filled.get(key) == "WENDY":
            filled[key] = str(org.reps["wendy"].pk)
    if filled.get("team") == "WEST":
        filled["team"] = str(org.teams["west"].pk)
    if filled.get("scenario") == "FIRST":
        filled["scenario"] = str(RolePlayScenario.objects.first().pk)
    if filled.get("skill") == "FIRST":
        filled["skill"] = str(Skill.objects.first().pk)
    return filled


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "url_for", "data", "expected"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_action_access(client, coaching_org, role, action, url_for, data, expected):
    url = url_for(coaching_org)
    response = status_for(client, coaching_org, role, "post", url, _fill(data, coaching_org))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        return
    want = 403 if role == "finance" else expected[role]
    if want == OK:
        assert response.status_code == 302, f"{role} {action}"
        assert not response["Location"].startswith("/login/")
        errors = [m.message for m in response.wsgi_request._messages if m.level_tag == "error"]
        assert errors == [], f"{role} {action}: {errors}"
    else:
        assert response.status_code == want, f"{role} {action}"


def test_actions_took_effect(client, coaching_org):
    org = coaching_org
    org.login(client, "walt")
    for _, url_for, data, _ in ACTIONS:
        client.post(url_for(org), _fill(data, org))
    session = org.session
    session.refresh_from_db()
    assert session.notes == "changed"
    assert session.raised_items.filter(text="Call back").exists()
    assert session.reviews.filter(title="Demo").exists()
    assert org.review.comments.get().at_seconds == 65
    assert session.role_plays.get().score == 4
    assert session.follow_ups.count() == 1
    assert org.reps["wendy"].skill_ratings.filter(rating=3).exists()
    assert org.reps["wendy"].role_play_assignments.count() == 1
    assert org.reps["wendy"].personal_goals.get().goal == "Trip"
    org.item.refresh_from_db()
    assert org.item.done
    attended = org.training.attendance.filter(attended=True)
    assert [a.rep_id for a in attended] == [org.reps["wendy"].id]
    assert org.reps["walt"].trainings_led.filter(topic="Closing").exists()


def test_notes_reach_only_the_rep_and_her_managers(client, coaching_org):
    url = reverse("coaching:session_detail", args=[coaching_org.session.pk])
    for username, sees in [
        ("wendy", True),
        ("walt", True),
        ("vera", True),
        ("will", False),
        ("erin", False),
    ]:
        client.logout()
        coaching_org.login(client, username)
        response = client.get(url)
        assert (b"Wendy&#x27;s private notes" in response.content) is sees, username


def test_goal_is_for_the_rep_and_direct_manager_only(client, coaching_org):
    url = reverse("coaching:rep_profile", args=[coaching_org.reps["wendy"].pk])
    for username, sees in [("wendy", True), ("walt", True), ("vera", False), ("admin", False)]:
        client.logout()
        coaching_org.login(client, username)
        response = client.get(url)
        assert response.status_code == 200
        assert (b"House deposit" in response.content) is sees, username


def test_after_the_move_the_new_manager_sees_wendy(client, coaching_org, monkeypatch):
    set_today(monkeypatch, AFTER_MOVE)
    profile = reverse("coaching:rep_profile", args=[coaching_org.reps["wendy"].pk])
    session = reverse("coaching:session_detail", args=[coaching_org.session.pk])
    goal = reverse("coaching:goal_edit", args=[coaching_org.reps["wendy"].pk])
    for username, status in [("walt", 404), ("erin", 200), ("vera", 200)]:
        client.logout()
        coaching_org.login(client, username)
        assert client.get(profile).status_code == status, username
        assert client.get(session).status_code == status, username
    coaching_org.login(client, "erin")
    assert client.get(goal).status_code == 200
    client.logout()
    coaching_org.login(client, "walt")
    assert client.get(goal).status_code == 404
    assert TODAY < AFTER_MOVE
