"""Every leaderboard page and event stream × every role, and the wall-screen tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from attain.leaderboards.models import Board, Competition
from attain.leaderboards.services import create_display_token, revoke_display_token
from tests.web.conftest import LOGIN_FOR_ROLE

pytestmark = pytest.mark.django_db


def read_stream(response) -> str:
    """Read a whole (``?once=1``) event stream; its database work runs in this thread."""

    async def collect():
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)().decode()


ROLES = ["anonymous", "rep", "manager", "finance", "admin"]
ALL = {"anonymous": 302, "rep": 200, "manager": 200, "finance": 200, "admin": 200}
MANAGERS = {"anonymous": 302, "rep": 403, "manager": 200, "finance": 403, "admin": 200}
ADMIN_ONLY = {"anonymous": 302, "rep": 403, "manager": 403, "finance": 403, "admin": 200}
# Records of erin's East team: will (rep, West) and walt (manager, West) must not see them.
OUTSIDE = {"anonymous": 302, "rep": 404, "manager": 404, "finance": 200, "admin": 200}
STREAM = {**ALL, "anonymous": 401}
STREAM_OUTSIDE = {**OUTSIDE, "anonymous": 401}
PUBLIC = dict.fromkeys(ROLES, 200)
GONE = dict.fromkeys(ROLES, 404)


@pytest.fixture
def things(org):
    admin, walt = org.users["admin"], org.users["walt"]
    org_board = Board.objects.create(name="Everyone", created_by=admin)
    east_board = Board.objects.create(name="East", scope_team=org.teams["east"], created_by=admin)
    west_board = Board.objects.create(name="West", scope_team=org.teams["west"], created_by=walt)
    march = dt.date(2026, 2, 1)
    mixed = Competition.objects.create(
        name="Will v Eddie", start_date=march, end_date=dt.date(2026, 3, 31), created_by=admin
    )
    mixed.reps.set([org.reps["will"], org.reps["eddie"]])
    east_only = Competition.objects.create(
        name="East only", start_date=march, end_date=dt.date(2026, 3, 31), created_by=admin
    )
    east_only.reps.set([org.reps["eddie"], org.reps["erin"]])
    _, key = create_display_token(user=admin, name="Floor", boards=[org_board])
    revoked, revoked_key = create_display_token(user=admin, name="Old", boards=[org_board])
    revoke_display_token(user=admin, token=revoked)
    return {
        "org_board": org_board,
        "east_board": east_board,
        "west_board": west_board,
        "mixed": mixed,
        "east_only": east_only,
        "key": key,
        "revoked_key": revoked_key,
    }


def url(name, thing=None, suffix=""):
    def build(t):
        args = [] if thing is None else [t[thing].pk]
        return reverse(f"leaderboards:{name}", args=args) + suffix

    return build


def display_url(name, which, suffix=""):
    def build(t):
        key = {"valid": t["key"], "revoked": t["revoked_key"], "wrong": "wall_not-a-key"}[which]
        return reverse(f"leaderboards:{name}", args=[key]) + suffix

    return build


# fmt: off
PAGES = [
    ("board list", url("board_list"), ALL),
    ("org board", url("board_detail", "org_board"), ALL),
    ("other team board", url("board_detail", "east_board"), OUTSIDE),
    ("own team board", url("board_detail", "west_board"), ALL),
    ("board create", url("board_create"), MANAGERS),
    ("board edit own team", url("board_edit", "west_board"), MANAGERS),
    ("board edit org-wide", url("board_edit", "org_board"), ADMIN_ONLY),
    ("board edit other team", url("board_edit", "east_board"), {**ADMIN_ONLY, "manager": 404}),
    ("board events", url("board_events", "org_board", "?once=1"), STREAM),
    ("other team board events", url("board_events", "east_board", "?once=1"), STREAM_OUTSIDE),
    ("competition list", url("competition_list"), ALL),
    ("competition with own rep", url("competition_detail", "mixed"), ALL),
    ("competition of others", url("competition_detail", "east_only"), OUTSIDE),
    ("competition create", url("competition_create"), MANAGERS),
    ("competition events", url("competition_events", "mixed", "?once=1"), STREAM),
    ("competition of others events", url("competition_events", "east_only", "?once=1"),
     STREAM_OUTSIDE),
    ("wall screens", url("display_list"), MANAGERS),
    ("display valid", display_url("display", "valid"), PUBLIC),
    ("display revoked", display_url("display", "revoked"), GONE),
    ("display wrong", display_url("display", "wrong"), GONE),
    ("display events valid", display_url("display_events", "valid", "?once=1"), PUBLIC),
    ("display events revoked", display_url("display_events", "revoked", "?once=1"), GONE),
    ("display events wrong", display_url("display_events", "wrong", "?once=1"), GONE),
]
# fmt: on


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "url_for", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_matrix(client, org, things, page, url_for, expected, role):
    if role != "anonymous":
        org.login(client, LOGIN_FOR_ROLE[role])
    response = client.get(url_for(things))
    assert response.status_code == expected[role], f"{page} as {role}"
    if expected[role] == 302:
        assert response["Location"].startswith(reverse("login"))
    if response.status_code == 200 and response.get("Content-Type", "").startswith(
        "text/event-stream"
    ):
        assert "event: standings" in read_stream(response)


def test_a_display_key_reads_only_its_own_boards(client, org, things):
    page = client.get(reverse("leaderboards:display", args=[things["key"]]))
    assert b"Everyone" in page.content
    assert b"East" not in page.content.replace(b"Eddie", b"")
    # The key is no login: it opens nothing else.
    assert client.get(reverse("leaderboards:board_list")).status_code == 302
    other = client.get(reverse("leaderboards:board_events", args=[things["east_board"].pk]))
    assert other.status_code == 401


def test_display_key_is_stored_hashed(org, things):
    from attain.leaderboards.models import DisplayToken

    stored = DisplayToken.objects.get(name="Floor")
    assert things["key"] not in {stored.digest, stored.prefix}
    assert stored.digest == DisplayToken.digest_of(things["key"])


def test_posting_forms_needs_the_role_too(client, org, things):
    org.login(client, "will")
    response = client.post(reverse("leaderboards:board_create"), {"name": "Mine"})
    assert response.status_code == 403
    assert not Board.objects.filter(name="Mine").exists()


def test_a_manager_cannot_revoke_an_admins_display(client, org, things):
    from attain.leaderboards.models import DisplayToken

    org.login(client, "walt")
    token = DisplayToken.objects.get(name="Floor")
    response = client.post(reverse("leaderboards:display_revoke", args=[token.pk]))
    assert response.status_code == 404  # another's pairing is not even there for a manager
    token.refresh_from_db()
    assert token.revoked_at is None
