"""Live leaderboards in a real browser against real uvicorn servers (SSE needs ASGI).

live_server is WSGI and threaded, so it cannot stream; these tests start ``uvicorn
attain.asgi:application`` in subprocesses on a fresh database. On SQLite (the default)
one server holds both pages. When DATABASE_URL points at PostgreSQL, two servers share a
scratch database and each page talks to a different one, so the update crosses processes
through LISTEN/NOTIFY.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import DESKTOP, WALL, log_in, screenshot

ROOT = Path(__file__).resolve().parents[2]
SEED = r"""
import datetime as dt, json, django
django.setup()
from django.utils import timezone
from attain.leaderboards.models import Board
from attain.leaderboards.services import create_display_token
from attain.people.tokens import create_token
from tests.factories import build_org
org = build_org()
admin = org.users["admin"]
reps = Board.objects.create(name="Won this month", window="month", created_by=admin)
teams = Board.objects.create(name="Teams this month", subject="teams", window="month",
                             privacy="show_amounts", created_by=admin)
_, display_key = create_display_token(user=admin, name="Floor", boards=[reps, teams],
                                      rotate_seconds=30)
_, api_key = create_token(admin, "e2e")
print(json.dumps({"board": reps.pk, "teams": teams.pk, "display": display_key, "api": api_key,
                  "today": timezone.localdate().isoformat(), "accounts":
                  {k: a.external_id for k, a in org.accounts.items()},
                  "reps": {k: r.pk for k, r in org.reps.items()}}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scratch_database(url: str) -> str:
    """A fresh PostgreSQL database next to the one in ``url``, for the servers."""
    import psycopg

    base, _, name = url.rpartition("/")
    scratch = f"{name.split('?')[0]}_e2e"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    return f"{base}/{scratch}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("attain-live")
    outer = os.environ.get("DATABASE_URL", "")
    postgres = outer.startswith(("postgres://", "postgresql://"))
    database = _scratch_database(outer) if postgres else f"sqlite:///{data_dir / 'live.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "attain.settings",
        "ATTAIN_DATA_DIR": str(data_dir),
        "DATABASE_URL": database,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "-m", "attain.cli", "migrate", "--verbosity", "0"], **run)
    seeded = json.loads(subprocess.run([sys.executable, "-c", SEED], **run).stdout)
    servers, urls = [], []
    for _ in range(2 if postgres else 1):
        port = _free_port()
        servers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "attain.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            _wait_until_up(url)
        yield {**seeded, "urls": urls, "postgres": postgres}
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(10)


def _wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"uvicorn did not answer on {url}")


def win_deal(site, external_id: str, owner: str, amount: str) -> None:
    body = {
        "external_id": external_id,
        "name": f"{owner.capitalize()} big win",
        "account": site["accounts"][owner],
        "owner": f"R-{owner.upper()}",
        "amount": amount,
        "status": "won",
        "created_date": site["today"],
        "close_date": site["today"],
    }
    request = urllib.request.Request(
        f"{site['urls'][0]}/api/deals",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {site['api']}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(base_url: str, viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=base_url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


FIRST_ROW = "#standings tbody tr:first-child"


def test_two_pages_update_within_two_seconds_when_a_deal_is_won(site, open_page):
    board_url = f"/leaderboards/{site['board']}/"
    pages = []
    for login, base in zip(["will", "admin"], [site["urls"][0], site["urls"][-1]], strict=True):
        page = open_page(base)
        log_in(page, login)
        page.goto(board_url)
        page.locator("[data-testid=live-status]", has_text="live").wait_for()
        pages.append(page)
    will_key = f"rep:{site['reps']['will']}"
    for page in pages:
        assert page.locator(FIRST_ROW).get_attribute("data-key") != will_key

    started = time.monotonic()
    win_deal(site, "LIVE-1", "will", "25000.00")
    for page in pages:
        page.wait_for_function(
            "key => document.querySelector('#standings tbody tr')?.dataset.key === key",
            arg=will_key,
            timeout=max(1, 2000 - (time.monotonic() - started) * 1000),
        )
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"the boards took {elapsed:.2f}s"

    will_page, admin_page = pages
    for page in pages:
        banner = page.get_by_test_id("celebrate-name")
        assert banner.is_visible() and "Will Example won a deal" in banner.inner_text()
        assert "USD 25,000.00" in page.locator(FIRST_ROW).inner_text()
    # Ranks-only board: the rep sees his own amount, and no peer's.
    second_row = will_page.locator("#standings tbody tr:nth-child(2) .lb-value").inner_text()
    assert "USD" not in second_row
    assert "USD" in admin_page.locator("#standings tbody tr:nth-child(2) .lb-value").inner_text()
    screenshot(will_page, "leaderboard-live-rep")


def test_wall_screen_updates_live_without_login(site, open_page):
    page = open_page(site["urls"][-1], viewport=WALL)
    page.goto(f"/leaderboards/display/{site['display']}/")
    page.locator("[data-testid=live-status]", has_text="live").wait_for()
    panel = page.locator(f"#board-{site['board']}")
    # Panels come in name order and rotate: "Teams this month" shows first.
    assert page.locator(f"#board-{site['teams']}").is_visible()
    assert panel.is_hidden()

    win_deal(site, "LIVE-2", "eddie", "40000.00")
    page.wait_for_function(
        "id => document.querySelector(`#board-${id} tbody tr`)?.textContent.includes('Eddie')",
        arg=site["board"],
        timeout=2000,
    )
    # The standings and the celebration may come in separate messages: when the win lands
    # before this board's first standings are read, those already show it, and the
    # celebration follows with the queued event.
    page.wait_for_function(
        "() => document.querySelector('[data-testid=celebrate-name]')"
        "?.textContent.includes('Eddie Example won a deal')",
        timeout=2000,
    )
    # The celebration brings its board to the front: each board celebrating the win (the
    # teams board too) shows its panel in turn, this one last, as panels come in name order.
    panel.wait_for(state="visible", timeout=2000)
    teams = page.locator(f"#board-{site['teams']} tbody tr:first-child").text_content()
    assert "East" in teams and "USD 40,000.00" in teams  # teams board shows amounts
    # No amounts on a ranks-only board on a wall screen.
    assert "USD" not in panel.inner_text()
    font = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.lb-name')).fontSize)"
    )
    assert font >= 36, f"names are {font}px on a 2560px wall screen"
    screenshot(page, "leaderboard-wall", full_page=False)

    page.goto("/leaderboards/display/wall_revoked-or-wrong/")
    assert "Not Found" in page.content() or page.title() != "Floor · Attain"
