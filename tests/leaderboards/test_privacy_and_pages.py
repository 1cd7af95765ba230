"""What each role sees on a board, the forms, competitions' time left and archive."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from attain.leaderboards.models import Board, Competition, DisplayToken
from attain.leaderboards.selectors import amount_visible_keys
from attain.leaderboards.services import archive_finished_competitions, create_display_token

pytestmark = pytest.mark.django_db
FEB = dt.date(2026, 2, 1)  # TODAY is 2026-02-20: the factory's won deals closed 2026-02-10


def amounts_shown(html: str) -> dict[str, str]:
    """Name → amount cell text, from the standings table."""
    rows = re.findall(
        r'class="lb-name">([A-Z][a-z]+) Example.*?class="num lb-value">(.*?)</td>', html, re.S
    )
    return {name: ("hidden" if "—" in cell else cell.strip()) for name, cell in rows}


@pytest.fixture
def boards(org):
    ranks_only = Board.objects.create(
        name="Ranks", window="month", privacy="ranks_and_percent_only"
    )
    open_book = Board.objects.create(name="Open", window="month", privacy="show_amounts")
    return ranks_only, open_book


@pytest.mark.parametrize(
    ("login", "shown"),
    [
        ("will", {"Will"}),  # a rep: only his own amount
        ("walt", {"Walt", "Wendy", "Will"}),  # a manager: his subtree
        ("vera", {"Vera", "Walt", "Erin", "Wendy", "Will", "Eddie"}),
        ("finance", {"Vera", "Walt", "Erin", "Wendy", "Will", "Eddie"}),
        ("admin", {"Vera", "Walt", "Erin", "Wendy", "Will", "Eddie"}),
    ],
)
def test_ranks_only_board_hides_peers_amounts(client, org, boards, login, shown):
    org.login(client, login)
    html = client.get(reverse("leaderboards:board_detail", args=[boards[0].pk])).content.decode()
    cells = amounts_shown(html)
    assert len(cells) == 6
    assert {n for n, text in cells.items() if text != "hidden"} == shown
    for name in shown:
        assert cells[name] == "USD 12,000.00"


def test_rep_never_sees_a_peer_amount_anywhere_in_the_page(client, org, boards):
    org.login(client, "will")
    html = client.get(reverse("leaderboards:board_detail", args=[boards[0].pk])).content.decode()
    assert html.count("12,000.00") == 1  # his own row only


def test_show_amounts_board_shows_everyone(client, org, boards):
    org.login(client, "will")
    html = client.get(reverse("leaderboards:board_detail", args=[boards[1].pk])).content.decode()
    assert set(amounts_shown(html).values()) == {"USD 12,000.00"}


def test_wall_screen_shows_amounts_only_on_open_boards(client, org, boards):
    _, key = create_display_token(user=org.users["admin"], name="Floor", boards=list(boards))
    html = client.get(reverse("leaderboards:display", args=[key])).content.decode()
    assert html.count("USD 12,000.00") == 6  # the open board; the ranks-only board hides all
    assert amount_visible_keys(None, "ranks_and_percent_only") == frozenset()


def test_a_rep_sees_his_own_amount_even_on_team_board(org):
    keys = amount_visible_keys(org.users["will"], "ranks_and_percent_only")
    assert keys == {f"rep:{org.reps['will'].pk}"}
    walt = amount_visible_keys(org.users["walt"], "ranks_and_percent_only")
    assert f"team:{org.teams['west'].pk}" in walt and f"team:{org.teams['east'].pk}" not in walt


def test_manager_creates_a_board_for_his_team(client, org):
    org.login(client, "walt")
    form = client.get(reverse("leaderboards:board_create")).content.decode()
    assert "Everyone sees amounts" not in form  # only an admin chooses to show amounts
    response = client.post(
        reverse("leaderboards:board_create"),
        {
            "name": "West this week",
            "subject": "individuals",
            "measure": "won_revenue",
            "window": "week",
            "scope_team": org.teams["west"].pk,
            "privacy": "ranks_and_percent_only",
        },
    )
    board = Board.objects.get(name="West this week")
    assert response.status_code == 302 and board.created_by == org.users["walt"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"window": "custom"}, "start_date", "needs a start date"),
        (
            {"window": "custom", "start_date": "2026-03-10", "end_date": "2026-03-01"},
            "end_date",
            "must not be before",
        ),
        ({"scope_team": ""}, "scope_team", "required"),
        ({"privacy": "show_amounts"}, "privacy", "Select a valid choice"),
    ],
)
def test_board_form_errors_for_a_manager(client, org, data, field, message):
    org.login(client, "walt")
    post = {
        "name": "B",
        "subject": "individuals",
        "measure": "won_revenue",
        "window": "month",
        "scope_team": org.teams["west"].pk,
        "privacy": "ranks_and_percent_only",
        **data,
    }
    response = client.post(reverse("leaderboards:board_create"), post)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Board.objects.exists()


def test_a_manager_cannot_scope_a_board_to_another_team(client, org):
    org.login(client, "walt")
    post = {
        "name": "B",
        "subject": "individuals",
        "measure": "won_revenue",
        "window": "month",
        "scope_team": org.teams["east"].pk,
        "privacy": "ranks_and_percent_only",
    }
    response = client.post(reverse("leaderboards:board_create"), post)
    assert "scope_team" in response.context["form"].errors


def test_territory_boards_cover_the_whole_org(client, org):
    org.login(client, "admin")
    post = {
        "name": "T",
        "subject": "territories",
        "measure": "won_revenue",
        "window": "month",
        "scope_team": org.teams["east"].pk,
        "privacy": "show_amounts",
    }
    response = client.post(reverse("leaderboards:board_create"), post)
    assert "whole organisation" in str(response.context["form"].errors["scope_team"])


def test_competition_create_team_vs_team_and_time_left(client, org):
    org.login(client, "admin")
    response = client.post(
        reverse("leaderboards:competition_create"),
        {
            "name": "West vs East",
            "subject": "teams",
            "measure": "won_revenue",
            "start_date": "2026-02-01",
            "end_date": "2026-02-28",
            "teams": [org.teams["west"].pk, org.teams["east"].pk],
            "prizes": "Dinner for the winning team",
            "rules": "Won deals only.",
            "privacy": "show_amounts",
        },
    )
    competition = Competition.objects.get(name="West vs East")
    assert response.status_code == 302
    page = client.get(reverse("leaderboards:competition_detail", args=[competition.pk]))
    html = page.content.decode()
    assert "9 days left" in html and "Dinner for the winning team" in html
    # West: walt, wendy, will (3 × 12,000); East: erin, eddie.
    assert html.index("West") < html.index("USD 36,000.00") < html.index("USD 24,000.00")


def test_competition_needs_two_participants(client, org):
    org.login(client, "walt")
    response = client.post(
        reverse("leaderboards:competition_create"),
        {
            "name": "Solo",
            "subject": "individuals",
            "measure": "won_revenue",
            "start_date": "2026-02-01",
            "end_date": "2026-02-28",
            "reps": [org.reps["will"].pk],
            "privacy": "ranks_and_percent_only",
        },
    )
    assert "at least two" in str(response.context["form"].errors["reps"])


def test_a_manager_may_only_pick_reps_he_sees(client, org):
    org.login(client, "walt")
    response = client.post(
        reverse("leaderboards:competition_create"),
        {
            "name": "X",
            "subject": "individuals",
            "measure": "won_revenue",
            "start_date": "2026-02-01",
            "end_date": "2026-02-28",
            "reps": [org.reps["will"].pk, org.reps["eddie"].pk],
            "privacy": "ranks_and_percent_only",
        },
    )
    assert "reps" in response.context["form"].errors


def test_finished_competitions_are_archived_with_their_results(client, org):
    done = Competition.objects.create(
        name="January sprint", start_date=FEB, end_date=dt.date(2026, 2, 15), subject="teams"
    )
    done.teams.set([org.teams["west"], org.teams["east"]])
    running = Competition.objects.create(name="Feb", start_date=FEB, end_date=dt.date(2026, 2, 28))
    assert archive_finished_competitions() == 1
    done.refresh_from_db()
    running.refresh_from_db()
    assert running.archived_at is None and done.archived_at is not None
    assert [(r["rank"], r["name"], r["value"]) for r in done.results] == [
        (1, "West", "36000.00"),
        (2, "East", "24000.00"),
    ]
    org.login(client, "admin")
    page = client.get(reverse("leaderboards:competition_list")).content.decode()
    assert "Archived results" in page and "January sprint" in page
    detail = client.get(reverse("leaderboards:competition_detail", args=[done.pk]))
    assert b"Final results" in detail.content and b"finished" in detail.content


def test_pairing_a_screen_shows_the_key_once(client, org):
    board = Board.objects.create(name="Everyone")
    org.login(client, "walt")
    response = client.post(
        reverse("leaderboards:display_list"),
        {"name": "Sales floor", "boards": [board.pk], "rotate_seconds": 15},
    )
    url = re.search(r'data-testid="display-url">([^<]+)<', response.content.decode()).group(1)
    key = url.rstrip("/").split("/")[-1]
    assert DisplayToken.objects.get(name="Sales floor").digest == DisplayToken.digest_of(key)
    assert client.get(reverse("leaderboards:display_list")).content.decode().count(key) == 0
    client.logout()
    assert client.get(url.split("testserver")[-1]).status_code == 200
