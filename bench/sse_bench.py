"""Live leaderboard benchmark: many SSE viewers while deals are won at a steady rate.

    .venv/bin/python bench/sse_bench.py [--viewers 200] [--rate 20] [--seconds 20]

Starts ``uvicorn attain.asgi:application`` (one process) on a scratch SQLite database (or
the PostgreSQL database in BENCH_DATABASE_URL, which it empties), seeds 30 reps and one
ranks-only board paired to a wall-screen key, opens N event streams on that display, then
posts won deals to the JSON API at R per second for S seconds. Each deal moves the board.

Reported: update latency per viewer and message, from the POST being sent to the message
arriving (end to end, for the deal the message names), and the server process's CPU time
(user + system, from /proc) over the posting period, as a share of one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SEED = r"""
import datetime as dt, json, django
from decimal import Decimal
django.setup()
from django.utils import timezone
from attain.leaderboards.models import Board
from attain.leaderboards.services import create_display_token
from attain.people.models import Rep, Team, TeamMembership, User
from attain.people.tokens import create_token
from attain.sales.models import Account
admin = User.objects.create_user("bench-admin", password="x" * 16, role="admin", is_superuser=True)
team = Team.objects.create(external_id="T-B", name="Bench")
for i in range(30):
    rep = Rep.objects.create(external_id=f"R-B{i}", name=f"Rep {i:02d}")
    TeamMembership.objects.create(rep=rep, team=team, valid_from=dt.date(2020, 1, 1))
    Account.objects.create(external_id=f"A-B{i}", name=f"Account {i}")
board = Board.objects.create(name="Bench board", window="month", created_by=admin)
_, display = create_display_token(user=admin, name="bench", boards=[board])
_, key = create_token(admin, "bench")
print(json.dumps({"display": display, "api": key, "today": timezone.localdate().isoformat()}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


# The message's JSON ends with these keys; matching them is far cheaper than parsing the
# whole message (the rendered table) 4,000 times a second on the same two cores.
message_bytes = [0]
TAIL = re.compile(rb'"deal": (?:null|"([^"]*)"), "generation": \d+, "oldest": ([0-9.]+|null)')


async def viewer(host, port, path, received, ready, stop):
    reader, writer = await asyncio.open_connection(host, port, limit=2**22)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
    writer.write(request.encode())
    await writer.drain()
    first = True
    while not stop.is_set():
        try:
            line = await asyncio.wait_for(reader.readline(), 1)
        except TimeoutError:
            continue
        if not line:
            break
        if line.startswith(b"data: "):
            now = time.time()
            if first:
                first = False
                ready()
                continue
            match = TAIL.search(line, len(line) - 200)
            deal = match.group(1).decode() if match and match.group(1) else None
            oldest = float(match.group(2)) if match and match.group(2) != b"null" else None
            received.append((now, deal, oldest))
            message_bytes[0] = len(line)
    writer.close()


def post_deal(base, api_key, today, n, sent):
    name = f"bench deal {n}"
    body = {
        "external_id": f"BENCH-{n}",
        "name": name,
        "account": f"A-B{n % 30}",
        "owner": f"R-B{n % 30}",
        "amount": f"{1000 + (n * 37) % 9000}.00",
        "status": "won",
        "created_date": today,
        "close_date": today,
    }
    request = urllib.request.Request(
        f"{base}/api/deals",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        method="POST",
    )
    sent[name] = time.time()
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201, response.status


def poster(base, api_key, today, rate, seconds, queue):
    """In its own process: post deals on a fixed schedule (open loop, several threads, so a
    slow answer does not delay the next deal); send back {deal name: time sent}."""
    sent: dict[str, float] = {}
    start = time.monotonic() + 0.2
    with ThreadPoolExecutor(max_workers=8) as pool:
        for n in range(int(rate * seconds)):
            if (delay := start + n / rate - time.monotonic()) > 0:
                time.sleep(delay)
            pool.submit(post_deal, base, api_key, today, n, sent)
    queue.put((sent, time.monotonic() - start))


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def run(args) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="attain-bench-"))
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{data_dir / 'bench.sqlite3'}"
    if database.startswith("postgres"):
        reset_postgres(database)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "attain.settings",
        "ATTAIN_DATA_DIR": str(data_dir),
        "DATABASE_URL": database,
        "PYTHONPATH": str(ROOT / "src"),
    }
    run_ = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "-m", "attain.cli", "migrate", "--verbosity", "0"], **run_)
    seed = json.loads(subprocess.run([sys.executable, "-c", SEED], **run_).stdout)
    port = free_port()
    server = subprocess.Popen(
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
            "--backlog",
            "4096",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        path = f"/leaderboards/display/{seed['display']}/events/"
        received: list[tuple[float, str | None, float | None]] = []
        stop = asyncio.Event()
        connected = 0
        all_ready = asyncio.Event()

        def ready():
            nonlocal connected
            connected += 1
            if connected == args.viewers:
                all_ready.set()

        tasks = [
            asyncio.create_task(viewer("127.0.0.1", port, path, received, ready, stop))
            for _ in range(args.viewers)
        ]
        await asyncio.wait_for(all_ready.wait(), 60)
        results: multiprocessing.Queue = multiprocessing.Queue()
        cpu_before, wall_before = cpu_seconds(server.pid), time.monotonic()
        client_before = sum(os.times()[:2])
        process = multiprocessing.Process(
            target=poster,
            args=(base, seed["api"], seed["today"], args.rate, args.seconds, results),
        )
        process.start()
        while results.empty():
            await asyncio.sleep(0.1)
        sent, posting_seconds = results.get()
        process.join()
        cpu_after, wall_after = cpu_seconds(server.pid), time.monotonic()
        client_cpu = sum(os.times()[:2]) - client_before
        await asyncio.sleep(3)  # let the last updates arrive
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        server.terminate()
        server.wait(10)
    latencies = [(now - sent[deal]) * 1000 for now, deal, _ in received if deal in sent]
    batch = [(now - oldest) * 1000 for now, _, oldest in received if oldest]
    named = {deal for _, deal, _ in received if deal in sent}
    return {
        "viewers": args.viewers,
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "deals_posted": len(sent),
        "achieved_rate_per_s": round(len(sent) / posting_seconds, 1),
        "deals_named_in_updates": len(named),
        "updates_received": len(received),
        "updates_per_viewer": round(len(received) / args.viewers, 1),
        "latency_ms_median": round(statistics.median(latencies), 1),
        "latency_ms_p99": round(pct(latencies, 99), 1),
        "oldest_event_in_batch_ms_median": round(statistics.median(batch), 1),
        "oldest_event_in_batch_ms_p99": round(pct(batch, 99), 1),
        "client_cpu_core_share": round(client_cpu / (wall_after - wall_before), 2),
        "message_bytes": message_bytes[0],
        "server_cpu_core_share": round((cpu_after - cpu_before) / (wall_after - wall_before), 2),
        "database": database.split(":", 1)[0],
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus",
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
