"""Live events: who publishes them, the in-process hub, and PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from attain.imports.services import import_rows
from attain.leaderboards import live
from attain.people.tokens import create_token
from attain.sales.models import Deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    events = []
    monkeypatch.setattr(live, "_send", events.append)
    return events


def test_a_deal_saved_as_won_publishes_after_commit(org, sent, django_capture_on_commit_callbacks):
    deal = org.deals["will"][1]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        deal.status, deal.close_date = Deal.Status.WON, dt.date(2026, 2, 20)
        deal.save()
        assert sent == []  # nothing before the commit
    assert len(callbacks) == 1
    assert sent == [
        {"source": "deal", "deal_ids": [deal.pk], "wins": [[deal.pk, "Will Example", deal.name]]}
    ]


def test_open_and_cancelled_deals_publish_nothing(org, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deal = org.deals["will"][1]
        deal.stage = "Negotiation"
        deal.save()
        won = org.deals["eddie"][0]
        won.cancellation_date = dt.date(2026, 2, 15)
        won.save()
    assert sent == []


def test_a_deal_won_through_the_api_publishes(
    client, org, sent, django_capture_on_commit_callbacks
):
    _, key = create_token(org.users["will"], "test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/deals",
            {
                "external_id": "API-1",
                "account": org.accounts["will"].external_id,
                "amount": "999.00",
                "status": "won",
                "created_date": "2026-02-01",
                "close_date": "2026-02-20",
            },
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 201, response.content
    assert [e["wins"][0][1] for e in sent] == ["Will Example"]


def test_an_import_of_won_deals_publishes_once(org, sent, django_capture_on_commit_callbacks):
    rows = [
        {
            "external_id": f"IMP-{i}",
            "account": org.accounts["eddie"].external_id,
            "owner": "R-EDDIE",
            "status": "won",
            "amount": f"{100 * (i + 1)}.00",
            "created_date": "2026-02-01",
            "close_date": "2026-02-19",
        }
        for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = import_rows("deals", rows)
    assert not report.errors, [e.as_dict() for e in report.errors]
    assert len(sent) == 1
    assert sent[0]["source"] == "import" and len(sent[0]["deal_ids"]) == 3
    # Biggest first: a board celebrates the biggest of these deals that counts on it.
    assert [win[2] for win in sent[0]["wins"]] == ["IMP-2", "IMP-1", "IMP-0"]
    assert {win[1] for win in sent[0]["wins"]} == {"Eddie Example"}


def test_a_dry_run_import_publishes_nothing(org, sent, django_capture_on_commit_callbacks):
    rows = [
        {
            "external_id": "X",
            "account": "A-000",
            "owner": "R-VERA",
            "status": "won",
            "amount": "1.00",
            "created_date": "2026-02-01",
            "close_date": "2026-02-02",
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        import_rows("deals", rows, dry_run=True)
    assert sent == []


def test_hub_delivers_events_published_from_another_thread():
    hub = live.Hub(listen=False)

    async def scenario():
        queue = hub.subscribe()
        threading.Thread(target=hub.publish_local, args=({"deal_ids": [7]},)).start()
        event = await asyncio.wait_for(queue.get(), 2)
        hub.unsubscribe(queue)
        return event

    assert asyncio.run(scenario()) == {"deal_ids": [7], "generation": 1}


def test_hub_shares_one_computation_per_key_and_generation():
    hub = live.Hub(listen=False)
    calls = []

    async def compute():
        calls.append(hub.generation)
        await asyncio.sleep(0.01)
        return len(calls)

    async def scenario():
        first = await asyncio.gather(*[hub.shared("b", compute) for _ in range(50)])
        hub.dispatch({})
        second = await hub.shared("b", compute)
        return first, second

    first, second = asyncio.run(scenario())
    assert first == [1] * 50 and second == 2 and calls == [0, 1]


def test_a_slow_subscriber_keeps_the_latest_event():
    hub = live.Hub(listen=False)

    async def scenario():
        queue = hub.subscribe()
        for i in range(live.QUEUE_SIZE + 5):
            hub.dispatch({"n": i})
        items = [queue.get_nowait() for _ in range(queue.qsize())]
        return items

    items = asyncio.run(scenario())
    assert len(items) == live.QUEUE_SIZE and items[-1]["n"] == live.QUEUE_SIZE + 4


@pytest.mark.django_db(transaction=True)
def test_postgresql_notify_reaches_a_listening_process():
    """Another app process is played by a second hub on its own event loop and thread."""
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL (DATABASE_URL=postgresql://...)")
    other = live.Hub()
    loop = asyncio.new_event_loop()
    received: list[dict] = []
    done = threading.Event()

    async def listen():
        queue = other.subscribe()
        try:
            received.append(await asyncio.wait_for(queue.get(), 10))
            done.set()
        finally:
            await other.stop_listening()

    thread = threading.Thread(target=loop.run_until_complete, args=(listen(),), daemon=True)
    thread.start()
    assert other.listening.wait(10), "the LISTEN connection did not open"
    started = time.monotonic()
    live._send({"deal_ids": [1], "winner": "Will Example", "amount": str(Decimal("1.00"))})
    assert done.wait(5)
    assert time.monotonic() - started < 2
    assert received[0]["winner"] == "Will Example" and received[0]["generation"] == 1
    thread.join(5)
    assert not other.listening.is_set()
    loop.close()


def test_a_board_celebrates_only_a_deal_that_counts_on_it():
    from attain.leaderboards.streams import celebration

    event = {"deal_ids": [1, 2], "wins": [[2, "Eddie Example", "Big East"], [1, "Will", "West"]]}
    assert celebration({1, 7}, [event]) == ("Will", "West")  # Eddie's deal is not on the board
    assert celebration({1, 2}, [event]) == ("Eddie Example", "Big East")  # biggest first
    assert celebration({9}, [event]) == (None, None)
    later = {"deal_ids": [3], "wins": [[3, "Wendy", "Later"]]}
    assert celebration({1, 3}, [event, later]) == ("Wendy", "Later")
