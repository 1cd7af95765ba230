"""Live updates: when a deal is won, tell every open board stream in every app process.

Publishing (sync code, after the transaction commits):
- SQLite (one process): straight to this process's ``hub``.
- PostgreSQL: ``NOTIFY attain_leaderboards`` with a small JSON payload; each process that has
  open streams LISTENs on a psycopg 3 async connection and hands what arrives to its hub.

The hub lives on the server's event loop. Every stream subscribes with its own queue; a
burst of events is coalesced by the stream, which then asks the hub for the standings of its
board at the hub's current generation; one computation per board and generation is shared
by every viewer of that board.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from django.db import connection, transaction

log = logging.getLogger(__name__)
CHANNEL = "attain_leaderboards"
QUEUE_SIZE = 64


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class Hub:
    def __init__(self, *, listen: bool = True) -> None:
        self.listen = listen  # on PostgreSQL, LISTEN for other processes' events
        self.loop: asyncio.AbstractEventLoop | None = None
        self.generation = 0
        self.subscribers: set[asyncio.Queue] = set()
        self._cache: dict[tuple, asyncio.Future] = {}
        self._listener: asyncio.Task | None = None
        self.listening = threading.Event()  # set while a PostgreSQL LISTEN is open

    # subscribers (event loop side) ----------------------------------------------------------
    def subscribe(self) -> asyncio.Queue:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            self.loop, self._cache, self._listener = loop, {}, None
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.subscribers.add(queue)
        if self.listen and is_postgres() and (self._listener is None or self._listener.done()):
            self._listener = loop.create_task(listen_forever(self))
        return queue

    async def ready(self, timeout: float = 5.0) -> None:
        """Wait until events from other processes can arrive (PostgreSQL LISTEN is open),
        so that standings read after this cannot miss a later event."""
        if self._listener is None:
            return
        deadline = time.monotonic() + timeout
        while not self.listening.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.discard(queue)

    async def stop_listening(self) -> None:
        task, self._listener = self._listener, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def dispatch(self, event: dict[str, Any]) -> None:
        """Runs on the loop: a new generation, and the event to every subscriber."""
        self.generation += 1
        event = {**event, "generation": self.generation}
        for queue in list(self.subscribers):
            if queue.full():
                queue.get_nowait()  # a slow viewer loses an old event, never the latest
            queue.put_nowait(event)
        stale = [k for k in self._cache if k[1] < self.generation - 1]
        for key in stale:
            del self._cache[key]

    async def shared(self, key: Any, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The value of ``compute`` for ``key`` at the current generation, computed once."""
        cache_key = (key, self.generation)
        future = self._cache.get(cache_key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._cache[cache_key] = future
            try:
                future.set_result(await compute())
            except Exception as exc:  # every waiter sees the failure; the next event retries
                future.set_exception(exc)
                future.exception()  # retrieved here: no "never retrieved" warning
                del self._cache[cache_key]
                raise
        return await asyncio.shield(future)

    # publishers (any thread) ----------------------------------------------------------------
    def publish_local(self, event: dict[str, Any]) -> None:
        loop = self.loop
        if loop is None or loop.is_closed() or not self.subscribers:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.dispatch(event)
        else:
            loop.call_soon_threadsafe(self.dispatch, event)


hub = Hub()


def _send(event: dict[str, Any]) -> None:
    event = {**event, "at": time.time()}  # lets viewers and the benchmark measure latency
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, json.dumps(event)])
    else:
        hub.publish_local(event)


def publish(event: dict[str, Any]) -> None:
    """Send ``event`` once the current transaction (if any) commits."""
    transaction.on_commit(lambda: _send(event))


def _conninfo() -> dict[str, Any]:
    params = connection.get_connection_params()
    return {
        k: v
        for k, v in params.items()
        if k in {"dbname", "user", "password", "host", "port", "sslmode", "options"} and v
    }


async def listen_forever(target: Hub) -> None:
    """LISTEN on PostgreSQL and dispatch what arrives, reconnecting after failures."""
    import psycopg
    from asgiref.sync import sync_to_async

    params = await sync_to_async(_conninfo)()
    delay = 0.5
    while target.subscribers:
        try:
            async with await psycopg.AsyncConnection.connect(autocommit=True, **params) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                target.listening.set()
                delay = 0.5
                async for note in conn.notifies():
                    try:
                        target.dispatch(json.loads(note.payload))
                    except ValueError:
                        log.warning("ignored a malformed leaderboard notification")
        except asyncio.CancelledError:
            target.listening.clear()
            raise
        except Exception:  # noqa: BLE001 - keep listening through database restarts
            target.listening.clear()
            log.exception("leaderboard LISTEN connection failed; retrying in %.1fs", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
