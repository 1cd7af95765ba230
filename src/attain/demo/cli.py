"""`attain demo`: create the database and load the demo organisation, then print the logins.

attain demo                         # load it once (a second run just prints the logins)
attain demo --reset                 # wipe org and sales data, load it again
attain demo --reps 5000 --deals 10000000 --parquet var/bench --no-db
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import time
from pathlib import Path

from attain.demo.config import DemoConfig

DEFAULTS = DemoConfig(as_of=dt.date(2000, 1, 1))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from exc


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Generate the demo sales organisation (deterministic: same options, same data) into "
        "the database and/or Parquet files, then print one login per role."
    )
    add = parser.add_argument
    add(
        "--reset",
        action="store_true",
        help="delete all org and sales data (reps, teams, accounts, products, deals, "
        "territories, activities) and the demo logins, then generate again",
    )
    add(
        "--reps",
        type=int,
        default=DEFAULTS.reps,
        help=f"sellers: account executives and specialists (default {DEFAULTS.reps})",
    )
    add("--deals", type=int, default=DEFAULTS.deals, help=f"default {DEFAULTS.deals}")
    add(
        "--months",
        type=int,
        default=DEFAULTS.months,
        help=f"months of history ending with the --as-of month (default {DEFAULTS.months})",
    )
    add("--accounts", type=int, default=DEFAULTS.accounts, help=f"default {DEFAULTS.accounts}")
    add("--seed", type=int, default=DEFAULTS.seed, help=f"default {DEFAULTS.seed}")
    add(
        "--as-of",
        type=_date,
        default=None,
        help="the data's 'today' (YYYY-MM-DD): deals closing before it are won or lost, "
        "later ones open (default: today)",
    )
    add("--parquet", type=Path, metavar="DIR", help="also write every table as DIR/*.parquet")
    add("--no-db", action="store_true", help="skip the database (with --parquet)")
    parser.set_defaults(func=run)


def _print_logins(logins) -> None:
    rows = [("role", "username", "password", "who")]
    rows += [(x.role, x.username, x.password, x.who) for x in logins]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print("\nDemo logins:")
    for row in rows:
        print(
            "  "
            + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from attain.demo import services
    from attain.demo.showcase import create_showcase

    try:
        config = DemoConfig(
            as_of=args.as_of or dt.date.today(),
            seed=args.seed,
            reps=args.reps,
            deals=args.deals,
            months=args.months,
            accounts=args.accounts,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.no_db and args.parquet is None:
        print(
            "error: --no-db needs --parquet DIR (otherwise there is nothing to write)",
            file=sys.stderr,
        )
        return 2

    to_db = not args.no_db
    logins = None
    started = time.perf_counter()
    if to_db:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if services.demo_loaded() and not args.reset:
            print(
                "The demo organisation is already loaded; leaving it as it is "
                "(attain demo --reset generates it again)."
            )
            to_db = False
            logins = services.logins_in_database()
        elif not args.reset and services.has_other_data():
            print(
                "error: the database already holds reps, accounts or deals that are not the "
                "demo organisation; attain demo --reset deletes them and loads the demo",
                file=sys.stderr,
            )
            return 1

    if to_db or args.parquet is not None:
        where = " and ".join(
            (["the database"] if to_db else []) + ([f"{args.parquet}/"] if args.parquet else [])
        )
        print(
            f"Generating the demo organisation (seed {config.seed}, {config.reps} reps, "
            f"{config.deals:,} deals, {config.months} months to {config.as_of}) into {where}…",
            flush=True,
        )
        try:
            # Reset and reload commit together; Parquet alone needs no database at all.
            with transaction.atomic() if to_db else contextlib.nullcontext():
                if to_db and args.reset:
                    services.reset_sales_data()
                data, sinks = services.load(
                    config,
                    to_db=to_db,
                    parquet=args.parquet,
                    progress=lambda line: print(line, flush=True),
                )
                if to_db:
                    create_showcase(config.as_of)
        except services.DemoError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        for sink in sinks:
            counts = ", ".join(f"{n:,} {table}" for table, n in sink.rows.items())
            print(f"  {type(sink).__name__.removesuffix('Sink').lower()}: {counts}")
        print(f"Done in {time.perf_counter() - started:.1f} s.")
        if to_db:
            logins = data.logins

    if logins:
        _print_logins(logins)
        print("\nNow run: attain serve   (then open http://127.0.0.1:8000/)")
    return 0
