"""Writes: boards, competitions (and their archived results), wall-screen display tokens."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from attain.leaderboards.models import Board, Competition, DisplayToken
from attain.leaderboards.selectors import competition_standings, may_manage, today
from attain.people.models import User

DISPLAY_PREFIX = "wall_"


class LeaderboardPermissionError(Exception):
    pass


def _check_manager(user: User) -> None:
    if not may_manage(user):
        raise LeaderboardPermissionError("only a manager or an admin may do this")


def save_board(*, user: User, board: Board) -> Board:
    """Save a board built by a validated form (the form limits scope and privacy)."""
    _check_manager(user)
    if board.pk is None:
        board.created_by = user
    board.save()
    return board


@transaction.atomic
def save_competition(*, user: User, competition: Competition, reps, teams, territories):
    _check_manager(user)
    if competition.pk is None:
        competition.created_by = user
    competition.save()
    competition.reps.set(reps)
    competition.teams.set(teams)
    competition.territories.set(territories)
    return competition


def _result_text(standings, row) -> str:
    if standings.is_attainment and not row.has_quota:
        return "no quota"
    return standings.display_value(row.value)


def archive_competition(competition: Competition) -> Competition:
    """Freeze the final standings of a finished competition (idempotent)."""
    if competition.archived_at is not None:
        return competition
    standings = competition_standings(competition)
    competition.results = [
        {
            "rank": row.rank,
            "key": row.key,
            "name": row.name,
            "value": str(row.value),
            "text": _result_text(standings, row),
            "to_quota": None if row.to_quota is None else f"{row.to_quota}%",
            "percent_of_leader": row.percent_of_leader,
        }
        for row in standings.rows
    ]
    competition.archived_at = timezone.now()
    # Only the first of two concurrent archivers writes; the results are the same anyway.
    Competition.objects.filter(pk=competition.pk, archived_at__isnull=True).update(
        results=competition.results, archived_at=competition.archived_at
    )
    competition.refresh_from_db(fields=["results", "archived_at"])
    return competition


def archive_finished_competitions() -> int:
    finished = Competition.objects.filter(archived_at__isnull=True, end_date__lt=today())
    count = 0
    for competition in finished:
        archive_competition(competition)
        count += 1
    return count


def create_display_token(
    *, user: User, name: str, boards, rotate_seconds: int = 20
) -> tuple[DisplayToken, str]:
    """Pair a wall screen: returns the token and its key, shown once and never stored."""
    _check_manager(user)
    key = DISPLAY_PREFIX + secrets.token_urlsafe(24)
    with transaction.atomic():
        token = DisplayToken.objects.create(
            name=name,
            digest=DisplayToken.digest_of(key),
            prefix=key[:8],
            rotate_seconds=rotate_seconds,
            created_by=user,
        )
        token.boards.set(boards)
    return token, key


def display_for_key(key: str) -> DisplayToken | None:
    key = (key or "").strip()
    if not key.startswith(DISPLAY_PREFIX):
        return None
    return DisplayToken.objects.filter(
        digest=DisplayToken.digest_of(key), revoked_at__isnull=True
    ).first()


def revoke_display_token(*, user: User, token: DisplayToken) -> None:
    _check_manager(user)
    if not user.is_admin_role and token.created_by_id != user.id:
        raise LeaderboardPermissionError("only its creator or an admin may revoke a display")
    DisplayToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
