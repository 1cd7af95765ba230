"""Imports: one service behind the CLI, the upload page and the JSON API.

    import_file("deals", "deals.csv", file_name="deals.csv")
    import_rows("deals", [{"external_id": "D-1", ...}], dry_run=True)

Both validate every row first and write nothing unless every row is valid (one
transaction), upsert by natural key (so a re-import changes nothing), and record an
ImportRun for every attempt: applied, dry run or rejected.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import IO

from django.db import DatabaseError, transaction
from django.utils import timezone

from attain.imports import engine
from attain.imports.models import ImportRun
from attain.imports.presets import PRESETS, UnknownPreset, get_preset
from attain.imports.readers import Table, read_table, table_from_dicts
from attain.imports.report import (
    STORED_ERRORS_CAP,
    FileProblem,
    ImportError,
    ImportReport,
    RowError,
    RowOutcome,
)
from attain.imports.specs import ENTITIES, UnknownEntity, get_entity
from attain.leaderboards import hooks as leaderboard_hooks

__all__ = [
    "ENTITIES",
    "PRESETS",
    "ImportError",
    "ImportReport",
    "RowError",
    "RowOutcome",
    "import_file",
    "import_rows",
]


def import_file(
    entity: str,
    path_or_fileobj: str | Path | IO[bytes],
    *,
    file_name: str | None = None,
    preset: str | None = None,
    dry_run: bool = False,
    source: str = "cli",
    user=None,
    sheet: str | None = None,
) -> ImportReport:
    """Import a CSV or XLSX file (a path, or an open binary file)."""
    if file_name is None:
        file_name = (
            Path(path_or_fileobj).name
            if isinstance(path_or_fileobj, str | Path)
            else getattr(path_or_fileobj, "name", None) or "upload"
        )
    file_name = Path(str(file_name)).name

    def load() -> Table:
        return read_table(path_or_fileobj, file_name=file_name, sheet=sheet)

    return _import(
        entity, load, file_name=file_name, preset=preset, dry_run=dry_run, source=source, user=user
    )


def import_rows(
    entity: str,
    rows: list[dict[str, object]],
    *,
    file_name: str = "api",
    preset: str | None = None,
    dry_run: bool = False,
    source: str = "api",
    user=None,
) -> ImportReport:
    """Import rows that are already parsed (JSON objects: str, int, float, Decimal, bool or
    None values, keyed by column name). Numbers go through ``str`` to Decimal, never float
    arithmetic. Row numbers in errors count the first row as 1."""

    def load() -> Table:
        bad = [i for i, row in enumerate(rows, start=1) if not isinstance(row, dict)]
        if bad:
            raise FileProblem(
                [
                    RowError(file_name, i, None, None, "not an object of column: value pairs")
                    for i in bad
                ]
            )
        if not rows:
            raise FileProblem([RowError(file_name, None, None, None, "no rows to import")])
        return table_from_dicts(rows, file_name=file_name)

    return _import(
        entity, load, file_name=file_name, preset=preset, dry_run=dry_run, source=source, user=user
    )


def _import(entity_name, load, *, file_name, preset, dry_run, source, user) -> ImportReport:
    started_at = timezone.now()
    clock = time.perf_counter()
    report = ImportReport(
        entity=entity_name, file_name=file_name, preset=preset or None, dry_run=dry_run
    )
    try:
        entity = get_entity(entity_name)
        report.entity = entity.name
        preset_spec = get_preset(preset, entity.name)
        table = load()
        engine.run(entity, table, preset=preset_spec, dry_run=dry_run, report=report)
    except (UnknownEntity, UnknownPreset) as exc:
        report.errors.append(RowError(file_name, None, None, None, str(exc)))
    except FileProblem as problem:
        report.errors.extend(problem.errors)
    except DatabaseError as exc:
        # Validation should catch everything; this is the safety net (the transaction
        # was rolled back, so nothing was written).
        report.errors.append(
            RowError(
                file_name,
                None,
                None,
                None,
                f"the database refused the import, nothing was written: {exc}".strip(),
            )
        )
        report.created = report.updated = report.unchanged = 0
    report.seconds = time.perf_counter() - clock
    if report.errors:
        report.created = report.updated = report.unchanged = 0
        report.outcomes = []
    with transaction.atomic():
        run = _record(report, source=source, user=user, started_at=started_at)
        _audit(report, run, user)
    report.run_id = run.pk
    leaderboard_hooks.after_import(report)
    return report


def _audit(report: ImportReport, run: ImportRun, user) -> None:
    """One audit entry per applied import of an audited entity (deals, deal lines, credits,
    quotas, plan assignments: what pay is calculated from) that changed anything: who,
    which file, how many rows created and updated. The ImportRun keeps the file's name and
    the row counts; single changes through the app and the API are audited row by row."""
    entity = ENTITIES.get(report.entity)
    if entity is None or not entity.audited or report.dry_run or report.errors:
        return
    if not (report.created or report.updated):
        return
    from attain.audit.services import record

    record(
        user,
        f"import.{entity.name}",
        run,
        after={
            "entity": entity.name,
            "file": report.file_name,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
        note=f"{entity.name} imported from {report.file_name}",
    )


def _record(report: ImportReport, *, source: str, user, started_at) -> ImportRun:
    if source not in ImportRun.Source.values:
        source = ImportRun.Source.API
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return ImportRun.objects.create(
        entity=report.entity[:32],
        file_name=report.file_name[:255],
        preset=(report.preset or "")[:32],
        source=source,
        status=report.status,
        user=user,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=[e.as_dict() for e in report.errors[:STORED_ERRORS_CAP]],
        error_count=len(report.errors),
        started_at=started_at,
        finished_at=timezone.now(),
    )
