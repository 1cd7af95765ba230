"""Import benchmark: 100,000 deals from CSV on SQLite and on PostgreSQL.

    .venv/bin/python bench/import_bench.py                 # both backends
    .venv/bin/python bench/import_bench.py --backend sqlite --deals 20000

For each backend it creates a scratch database (a temporary SQLite file; for PostgreSQL a
database ``attain_bench`` created with psycopg on the server of $BENCH_PG_URL, default
postgresql://root@127.0.0.1:5432/test, and dropped afterwards), migrates it, creates the
reps and accounts the deals reference, writes a deterministic CSV (fixed seed) and imports
it twice: the first import creates every deal, the second finds every deal unchanged.
Figures go in docs/benchmarks.md (section "Import"). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://root@127.0.0.1:5432/test")
PG_DB = "attain_bench"
REPS = 200
ACCOUNTS = 5000
STAGES = [
    ("Prospecting", "open"),
    ("Proposal", "open"),
    ("Closed Won", "won"),
    ("Closed Lost", "lost"),
]


def write_csv(path: Path, deals: int, seed: int = 42) -> None:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "external_id",
                "name",
                "account",
                "owner",
                "stage",
                "status",
                "type",
                "amount",
                "currency",
                "margin",
                "units",
                "created_date",
                "close_date",
            ]
        )
        for i in range(deals):
            stage, status = STAGES[rng.randrange(4)]
            created = start + dt.timedelta(days=rng.randrange(700))
            close = created + dt.timedelta(days=rng.randrange(1, 120))
            cents = rng.randrange(50_000, 25_000_000)
            out.writerow(
                [
                    f"D{i:07d}",
                    f"Deal {i}",
                    f"A{rng.randrange(ACCOUNTS):05d}",
                    f"R{rng.randrange(REPS):04d}",
                    stage,
                    status,
                    rng.choice(["new", "renewal", "expansion"]),
                    f"{cents // 100}.{cents % 100:02d}",
                    "USD",
                    f"{cents * 4 // 1000}.{(cents * 4 // 10) % 100:02d}",
                    rng.randrange(1, 50),
                    created.isoformat(),
                    close.isoformat() if status != "open" else "",
                ]
            )


def child(deals: int, workdir: Path) -> dict:
    """Runs inside a process whose DATABASE_URL points at the scratch database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attain.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from attain.imports.services import import_file
    from attain.people.models import Rep
    from attain.sales.models import Account, Deal

    call_command("migrate", verbosity=0)
    Rep.objects.bulk_create(
        Rep(external_id=f"R{i:04d}", name=f"Rep {i}", email=f"rep{i}@example.com")
        for i in range(REPS)
    )
    Account.objects.bulk_create(
        Account(external_id=f"A{i:05d}", name=f"Account {i}") for i in range(ACCOUNTS)
    )
    path = workdir / "deals.csv"
    write_csv(path, deals)
    results = {
        "backend": connection.vendor,
        "deals": deals,
        "csv_mb": round(path.stat().st_size / 1e6, 1),
    }
    for label in ("first", "again"):
        started = time.perf_counter()
        report = import_file("deals", path, file_name="deals.csv")
        seconds = time.perf_counter() - started
        assert report.ok, [str(e) for e in report.errors[:5]]
        results[label] = {
            "seconds": round(seconds, 2),
            "rows_per_s": round(deals / seconds),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
    assert Deal.objects.count() == deals
    assert results["first"]["created"] == deals and results["again"]["unchanged"] == deals
    return results


def run_backend(backend: str, deals: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="attain-bench-") as tmp:
        env = dict(os.environ)
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            import psycopg

            admin = psycopg.connect(PG_URL, autocommit=True)
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            admin.execute(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
        env["ATTAIN_DATA_DIR"] = tmp
        try:
            output = subprocess.run(
                [sys.executable, __file__, "--child", "--deals", str(deals), "--workdir", tmp],
                env=env,
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
        finally:
            if backend != "sqlite":
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
                admin.close()
        return json.loads(output.strip().splitlines()[-1])


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (nproc), {model}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.deals, Path(args.workdir))))
        return 0
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"machine: {machine()}; date: {dt.date.today().isoformat()}")
    print("| backend | deals | first import | rows/s | re-import (all unchanged) | rows/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for backend in backends:
        r = run_backend(backend, args.deals)
        print(
            f"| {r['backend']} | {r['deals']:,} | {r['first']['seconds']} s "
            f"| {r['first']['rows_per_s']:,} | {r['again']['seconds']} s "
            f"| {r['again']['rows_per_s']:,} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
