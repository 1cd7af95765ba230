"""The ``attain`` command.

attain demo [--reset] [--reps N --deals N --months N] [--parquet DIR]
attain serve [--host 127.0.0.1] [--port 8000]
attain import ENTITY FILE [--preset salesforce|hubspot] [--dry-run]
attain migrate
attain createuser USERNAME --role admin|finance|manager|rep [--rep EXTERNAL_ID]
attain createtoken USERNAME [--name NAME]
attain weekly-report [--date YYYY-MM-DD] [--user USERNAME ...] [--force]
attain manage ...        (any Django management command)
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attain.settings")
    import django

    django.setup()


def _ensure_data_dir() -> None:
    from django.conf import settings

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    _ensure_data_dir()
    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    _ensure_data_dir()
    print(f"Attain is serving on http://{args.host}:{args.port}/  (Ctrl+C to stop)", flush=True)
    uvicorn.run(
        "attain.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    from attain.people.services import UserError, create_login

    password = args.password or os.environ.get("ATTAIN_PASSWORD")
    if not password:
        password = getpass.getpass(f"Password for {args.username}: ")
    try:
        user = create_login(
            username=args.username, password=password, role=args.role, rep_external_id=args.rep
        )
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Created {user.role} login {user.username}")
    return 0


def cmd_createtoken(args: argparse.Namespace) -> int:
    from attain.people.models import User
    from attain.people.tokens import create_token

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"error: no user named {args.username!r}", file=sys.stderr)
        return 1
    _, key = create_token(user, args.name)
    print(key)
    return 0


def cmd_weekly_report(args: argparse.Namespace) -> int:
    import datetime as dt

    from attain.reports import weekly

    try:
        day = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        print(f"error: --date {args.date!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    try:
        start, end, outcomes = weekly.send_weekly_reports(
            day, usernames=args.user, force=args.force
        )
    except weekly.UnknownUser as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Weekly report for {start} to {end}:")
    for outcome in outcomes:
        if outcome.sent_to:
            print(f"  sent     {outcome.username} <{outcome.sent_to}>")
        else:
            print(f"  skipped  {outcome.username}: {outcome.skipped}")
    sent = sum(1 for o in outcomes if o.sent_to)
    print(f"{sent} sent, {len(outcomes) - sent} skipped.")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["attain manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    from attain.demo import cli as demo_cli
    from attain.engine.cli import add_calc_arguments, run_calc
    from attain.imports import cli as import_cli

    parser = argparse.ArgumentParser(prog="attain", description="Attain sales performance.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="create the database and load the demo organisation")
    demo_cli.configure(demo)

    serve = sub.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default=os.environ.get("ATTAIN_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("ATTAIN_PORT", "8000")))
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    imp = sub.add_parser("import", help="import a CSV or XLSX file")
    import_cli.configure(imp)

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    migrate.add_argument("--verbosity", type=int, default=1)
    migrate.set_defaults(func=cmd_migrate)

    user = sub.add_parser("createuser", help="create a login with a role")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=["admin", "finance", "manager", "rep"])
    user.add_argument("--rep", help="external id of the rep this login belongs to")
    user.add_argument("--password", help="(default: $ATTAIN_PASSWORD, else prompt)")
    user.set_defaults(func=cmd_createuser)

    token = sub.add_parser("createtoken", help="create an API token and print it once")
    token.add_argument("username")
    token.add_argument("--name", default="cli")
    token.set_defaults(func=cmd_createtoken)

    report = sub.add_parser(
        "weekly-report",
        help="email each user their last full week (run it on Mondays; once a week per user)",
    )
    report.add_argument(
        "--date", help="the day of sending (default: today); reports the week before"
    )
    report.add_argument("--user", action="append", help="only this user (repeatable)")
    report.add_argument("--force", action="store_true", help="send again a week already sent")
    report.set_defaults(func=cmd_weekly_report)

    calc = sub.add_parser("calc", help="calculate earnings from plan files and CSV/Parquet inputs")
    add_calc_arguments(calc)
    calc.set_defaults(func=run_calc)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    _setup_django()
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
