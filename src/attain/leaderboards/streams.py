"""Server-sent event streams (async views, served by uvicorn under ASGI).

Each message is ``event: standings`` with JSON data ``{"target", "html", "celebrate",
"deal", "generation", "oldest"}``: ``target`` names the standings block to replace,
``celebrate`` the winner's name when the won deal counts on this board, ``oldest`` the
publish time (epoch seconds) of the oldest event in the burst (for latency measurements).
A stream first sends the current standings (so nothing won between page load and connect
is missed), then one message per burst of events that changed what this viewer sees.
``?once=1`` sends the current standings and ends (for tests and health checks).
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection
from django.http import Http404, HttpResponse, StreamingHttpResponse

from attain.leaderboards import selectors, services
from attain.leaderboards.live import hub
from attain.leaderboards.models import Board, Competition
from attain.leaderboards.present import standings_html

HEARTBEAT_SECONDS = 15


@dataclass(frozen=True)
class Source:
    target: str  # the id of the element holding these standings
    kind: str  # board | competition
    pk: int
    visible: frozenset[str] | None
    own: frozenset[str]
    wall: bool = False


def _standings_of(kind: str, pk: int):
    if kind == "board":
        return selectors.board_standings(Board.objects.get(pk=pk))
    return selectors.competition_standings(Competition.objects.get(pk=pk))


def _load(kind: str, pk: int):
    try:
        return _standings_of(kind, pk)
    finally:
        close_old_connections()  # this runs in a pool thread, outside any request


# Standings are read-only and computed outside the request threads, so several boards (and
# the API's writes, which run in Django's single thread-sensitive executor) go on in parallel.
_load_async = sync_to_async(_load, thread_sensitive=False)


def celebration(counted: set[int], events: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(winner, deal) to celebrate: the biggest deal of the latest event that counts on the
    board, so a board never names a rep or deal that is not on it."""
    found: tuple[str | None, str | None] = (None, None)
    for event in events:
        for deal_id, winner, name in event.get("wins") or ():
            if deal_id in counted:
                found = (winner, name)
                break
    return found


async def _message(source: Source, events: list[dict[str, Any]]) -> dict[str, Any]:
    standings = await hub.shared(
        (source.kind, source.pk), lambda: _load_async(source.kind, source.pk)
    )
    html = await hub.shared(
        (source.kind, source.pk, source.visible, source.own, source.wall),
        lambda: sync_to_async(standings_html, thread_sensitive=False)(
            standings, source.visible, source.own, wall=source.wall
        ),
    )
    celebrate, deal = celebration(standings.deal_ids, events)
    return {
        "target": source.target,
        "html": html,
        "celebrate": celebrate,
        "deal": deal,
        "generation": hub.generation,
        "oldest": min((e["at"] for e in events if "at" in e), default=None),
    }


def _snapshot(source: Source) -> dict[str, Any]:
    standings = _standings_of(source.kind, source.pk)
    html = standings_html(standings, source.visible, source.own, wall=source.wall)
    return {
        "target": source.target,
        "html": html,
        "celebrate": None,
        "deal": None,
        "generation": hub.generation,
        "oldest": None,
    }


def _sse(data: dict[str, Any]) -> str:
    return f"event: standings\ndata: {json.dumps(data)}\n\n"


async def _shared_sse(source: Source, message: dict[str, Any]) -> str:
    """The encoded message, built once for every viewer who gets the same one."""

    async def encode() -> str:
        return _sse(message)

    key = ("sse", source, message["celebrate"], message["deal"], message["oldest"])
    return await hub.shared(key, encode)


async def _stream(sources: list[Source], once: bool) -> AsyncIterator[str]:
    if once:  # a snapshot, in the request's own thread: no subscription, no shared cache
        yield "retry: 2000\n\n"
        for source in sources:
            yield _sse(await sync_to_async(_snapshot)(source))
        return
    queue = hub.subscribe()
    try:
        await hub.ready()
        yield "retry: 2000\n\n"
        last: dict[str, str] = {}
        for source in sources:
            message = await _message(source, [])
            last[source.target] = message["html"]
            yield _sse(message)
        while True:
            try:
                events = [await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)]
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            while not queue.empty():
                events.append(queue.get_nowait())
            for source in sources:
                message = await _message(source, events)
                if message["html"] != last.get(source.target) or message["celebrate"]:
                    last[source.target] = message["html"]
                    yield await _shared_sse(source, message)
    finally:
        hub.unsubscribe(queue)


# Stream setup (auth, visibility) runs in each request's own thread with its own database
# connection, released right after; at most this many at once, so that a room full of
# screens reconnecting together does not exhaust PostgreSQL's connection slots.
SETUP_SLOTS = 8
_slots: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _setup_slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _slots:
        _slots[loop] = asyncio.Semaphore(SETUP_SLOTS)
    return _slots[loop]


def _release_connection() -> None:
    """Close this request thread's database connection before streaming.

    Under ASGI each request runs its sync code in a thread of its own, which keeps its
    connection until the request ends; a stream may last for hours, and 200 open screens
    would hold 200 PostgreSQL connections. Streams read through the shared pool instead.
    """
    if not connection.in_atomic_block:
        connection.close()


def _response(sources: list[Source], request) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _stream(sources, request.GET.get("once") == "1"), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return response


def _forbidden_or_login(user) -> HttpResponse:
    if not user.is_authenticated:
        return HttpResponse("login required", status=401)
    raise Http404


def _board_source(user, pk: int) -> Source | None:
    board = selectors.boards_visible_to(user).filter(pk=pk).first()
    if board is None:
        return None
    visible = selectors.amount_visible_keys(user, board.privacy)
    return Source("standings", "board", pk, visible, selectors.own_keys(user))


def _competition_source(user, pk: int) -> Source | None:
    competition = selectors.competitions_visible_to(user).filter(pk=pk).first()
    if competition is None or competition.archived_at is not None:
        return None
    visible = selectors.amount_visible_keys(user, competition.privacy)
    return Source("standings", "competition", pk, visible, selectors.own_keys(user))


def _display_sources(key: str) -> list[Source] | None:
    token = services.display_for_key(key)
    if token is None:
        return None
    return [
        Source(
            f"board-{board.pk}",
            "board",
            board.pk,
            selectors.amount_visible_keys(None, board.privacy),
            frozenset(),
            wall=True,
        )
        for board in token.boards.all()
    ]


async def board_events(request, pk: int):
    async with _setup_slot():
        user = await request.auser()
        if not user.is_authenticated:
            return _forbidden_or_login(user)
        source = await sync_to_async(_board_source)(user, pk)
        await sync_to_async(_release_connection)()
    if source is None:
        raise Http404
    return _response([source], request)


async def competition_events(request, pk: int):
    async with _setup_slot():
        user = await request.auser()
        if not user.is_authenticated:
            return _forbidden_or_login(user)
        source = await sync_to_async(_competition_source)(user, pk)
        await sync_to_async(_release_connection)()
    if source is None:
        raise Http404
    return _response([source], request)


async def display_events(request, key: str):
    async with _setup_slot():
        sources = await sync_to_async(_display_sources)(key)
        await sync_to_async(_release_connection)()
    if sources is None:
        raise Http404
    return _response(sources, request)
