"""`attain import ENTITY FILE [--preset salesforce|hubspot] [--dry-run] [--sheet NAME]`.

Prints a summary and every error (one per line). Exit code 1 when the import was rejected,
0 otherwise. `attain import --list` prints the entities, their columns and the presets.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    from attain.imports.presets import PRESETS
    from attain.imports.specs import ENTITIES

    parser.description = "Import a CSV or XLSX file; nothing is written if any row is invalid."
    parser.add_argument("entity", nargs="?", help=f"one of: {', '.join(ENTITIES)}")
    parser.add_argument("file", nargs="?", help="a .csv (UTF-8) or .xlsx file")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="CRM export mapping (deals)")
    parser.add_argument(
        "--dry-run", action="store_true", help="validate and show what would change; write nothing"
    )
    parser.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    parser.add_argument("--list", action="store_true", help="list entities and their columns")
    parser.add_argument(
        "--show",
        type=int,
        default=20,
        metavar="N",
        help="with --dry-run: show the outcome of the first N rows (default 20)",
    )
    parser.set_defaults(func=run)


def print_entities(out=None) -> None:
    from attain.imports.presets import PRESETS
    from attain.imports.specs import ENTITIES

    out = out or sys.stdout
    for entity in ENTITIES.values():
        print(f"{entity.name}  (key: {entity.key_label}) — {entity.description}", file=out)
        for column in entity.columns:
            flag = "required" if column.required else "optional"
            print(f"    {column.name:<22} {flag:<9} {column.type_label}", file=out)
    print("presets:", file=out)
    for preset in PRESETS.values():
        print(f"    {preset.name:<11} → {preset.entity}: {preset.title}", file=out)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from attain.imports.services import import_file

    if args.list:
        print_entities()
        return 0
    if not args.entity or not args.file:
        print(
            "usage: attain import ENTITY FILE [--preset NAME] [--dry-run] [--sheet NAME]"
            "  (attain import --list shows the entities)",
            file=sys.stderr,
        )
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 1
    report = import_file(
        args.entity,
        path,
        file_name=path.name,
        preset=args.preset,
        dry_run=args.dry_run,
        source="cli",
        sheet=args.sheet,
    )
    if report.errors:
        for error in report.errors:
            print(error, file=sys.stderr)
        print(report.summary(), file=sys.stderr)
        return 1
    if report.ignored_columns:
        print(f"ignored columns: {', '.join(report.ignored_columns)}")
    if args.dry_run:
        shown = [o for o in report.outcomes if o.outcome != "unchanged"][: max(args.show, 0)]
        for outcome in shown:
            changed = f" ({', '.join(outcome.changed)})" if outcome.changed else ""
            print(f"row {outcome.row}: {outcome.key} would be {outcome.outcome}{changed}")
    print(report.summary())
    return 0
