from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from attain.leaderboards import selectors, services
from attain.leaderboards.forms import BoardForm, CompetitionForm, DisplayForm
from attain.leaderboards.models import Board, DisplayToken, Measure, Privacy
from attain.leaderboards.present import standings_html
from attain.leaderboards.streams import board_events, competition_events, display_events

__all__ = ["board_events", "competition_events", "display_events"]


def _require_manager(user) -> None:
    if not selectors.may_manage(user):
        raise PermissionDenied("only managers and admins manage leaderboards")


def _may_edit_board(user, board: Board) -> bool:
    allowed = selectors.manageable_team_ids(user)
    return allowed is None or (board.scope_team_id is not None and board.scope_team_id in allowed)


@login_required
def board_list(request):
    boards = selectors.boards_visible_to(request.user).select_related("scope_team")
    return render(
        request,
        "leaderboards/board_list.html",
        {"boards": boards, "may_manage": selectors.may_manage(request.user)},
    )


@login_required
def board_detail(request, pk: int):
    board = get_object_or_404(selectors.boards_visible_to(request.user), pk=pk)
    standings = selectors.board_standings(board)
    visible = selectors.amount_visible_keys(request.user, board.privacy)
    own = selectors.own_keys(request.user)
    return render(
        request,
        "leaderboards/board_detail.html",
        {
            "board": board,
            "standings": standings,
            "standings_html": standings_html(standings, visible, own),
            "events_url": f"{request.path}events/",
            "may_edit": selectors.may_manage(request.user) and _may_edit_board(request.user, board),
            "ranks_only": board.privacy == Privacy.RANKS_ONLY,
        },
    )


@login_required
def board_edit(request, pk: int | None = None):
    _require_manager(request.user)
    board = None
    if pk is not None:
        board = get_object_or_404(selectors.boards_visible_to(request.user), pk=pk)
        if not _may_edit_board(request.user, board):
            raise PermissionDenied("this board belongs to another team")
    form = BoardForm(request.POST or None, instance=board, user=request.user)
    if request.method == "POST" and form.is_valid():
        board = services.save_board(user=request.user, board=form.save(commit=False))
        messages.success(request, f"Saved board “{board.name}”.")
        return redirect("leaderboards:board_detail", pk=board.pk)
    return render(
        request, "leaderboards/form.html", {"form": form, "title": "Board", "object": board}
    )


@login_required
def competition_list(request):
    services.archive_finished_competitions()
    competitions = list(selectors.competitions_visible_to(request.user))
    for c in competitions:
        c.time_left = selectors.time_left(c)
    return render(
        request,
        "leaderboards/competition_list.html",
        {
            "running": [c for c in competitions if c.archived_at is None],
            "archived": [c for c in competitions if c.archived_at is not None],
            "may_manage": selectors.may_manage(request.user),
        },
    )


@login_required
def competition_detail(request, pk: int):
    competition = get_object_or_404(selectors.competitions_visible_to(request.user), pk=pk)
    context = {"competition": competition, "time_left": selectors.time_left(competition)}
    if competition.archived_at is None:
        standings = selectors.competition_standings(competition)
        visible = selectors.amount_visible_keys(request.user, competition.privacy)
        own = selectors.own_keys(request.user)
        context["standings_html"] = standings_html(standings, visible, own)
        context["events_url"] = f"{request.path}events/"
    else:
        visible = selectors.amount_visible_keys(request.user, competition.privacy)
        own = selectors.own_keys(request.user)
        # Percentages (attainment, % to quota) are shown to everyone; amounts by privacy.
        percent_only = competition.measure == Measure.ATTAINMENT
        context["results"] = [
            {
                **r,
                "hidden": not percent_only
                and visible is not None
                and r["key"] not in visible | own,
            }
            for r in competition.results
        ]
        context["results_to_quota"] = any(r.get("to_quota") for r in competition.results)
    return render(request, "leaderboards/competition_detail.html", context)


@login_required
def competition_edit(request, pk: int | None = None):
    _require_manager(request.user)
    competition = None
    if pk is not None:
        competition = get_object_or_404(selectors.competitions_visible_to(request.user), pk=pk)
        if not request.user.is_admin_role and competition.created_by_id != request.user.id:
            raise PermissionDenied("only its creator or an admin may change a competition")
    form = CompetitionForm(request.POST or None, instance=competition, user=request.user)
    if request.method == "POST" and form.is_valid():
        competition = services.save_competition(
            user=request.user,
            competition=form.save(commit=False),
            reps=form.cleaned_data["reps"],
            teams=form.cleaned_data["teams"],
            territories=form.cleaned_data["territories"],
        )
        messages.success(request, f"Saved competition “{competition.name}”.")
        return redirect("leaderboards:competition_detail", pk=competition.pk)
    return render(
        request,
        "leaderboards/form.html",
        {"form": form, "title": "Competition", "object": competition},
    )


@login_required
def display_list(request):
    _require_manager(request.user)
    form = DisplayForm(request.POST or None, user=request.user)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _, new_key = services.create_display_token(
            user=request.user,
            name=form.cleaned_data["name"],
            boards=form.cleaned_data["boards"],
            rotate_seconds=form.cleaned_data["rotate_seconds"],
        )
        form = DisplayForm(user=request.user)
    tokens = DisplayToken.objects.prefetch_related("boards")
    if not request.user.is_admin_role:
        tokens = tokens.filter(created_by=request.user)
    return render(
        request,
        "leaderboards/display_list.html",
        {
            "form": form,
            "tokens": tokens,
            "new_url": (
                request.build_absolute_uri(f"/leaderboards/display/{new_key}/") if new_key else None
            ),
        },
    )


@login_required
@require_POST
def display_revoke(request, pk: int):
    _require_manager(request.user)
    tokens = DisplayToken.objects.all()
    if not request.user.sees_everything:
        tokens = tokens.filter(created_by=request.user)  # others' pairings: 404, not 403
    token = get_object_or_404(tokens, pk=pk)
    try:
        services.revoke_display_token(user=request.user, token=token)
    except services.LeaderboardPermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, f"Revoked display “{token.name}”.")
    return redirect("leaderboards:display_list")


def display(request, key: str):
    """The wall screen: no login, read-only, only the boards paired with this key."""
    token = services.display_for_key(key)
    if token is None:
        raise Http404("unknown or revoked display")
    panels = []
    for board in token.boards.all():
        standings = selectors.board_standings(board)
        visible = selectors.amount_visible_keys(None, board.privacy)
        panels.append(
            {
                "board": board,
                "standings": standings,
                "html": standings_html(standings, visible, frozenset(), wall=True),
            }
        )
    return render(
        request,
        "leaderboards/display.html",
        {"token": token, "panels": panels, "events_url": f"{request.path}events/"},
    )
