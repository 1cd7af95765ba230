"""What an import reports back: counts, per-row outcomes and every error."""

from __future__ import annotations

from dataclasses import dataclass, field

# How many per-row outcomes a report keeps for display (a dry run shows these).
OUTCOME_CAP = 500
# How many errors an ImportRun stores; the report itself keeps every error.
STORED_ERRORS_CAP = 1000


@dataclass(frozen=True)
class RowError:
    """One problem with the input. ``row`` is the row as the user sees it (header = row 1);
    ``row`` and ``column`` are None for problems with the whole file."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.value is not None and self.value != "":
            where.append(f"value {self.value!r}")
        place = f"{self.file} {', '.join(where)}" if where else self.file
        return f"{place}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
        }


# The name the rest of Attain (and the issue) uses. It shadows the builtin only for code
# that does ``from attain.imports.report import ImportError``.
ImportError = RowError  # noqa: A001


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, delimiter, empty, not a spreadsheet)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class RowOutcome:
    row: int
    key: str
    outcome: str  # created | updated | unchanged
    changed: tuple[str, ...] = ()


@dataclass
class ImportReport:
    entity: str
    file_name: str
    preset: str | None = None
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    run_id: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        if self.errors:
            return "rejected"
        return "dry_run" if self.dry_run else "applied"

    @property
    def outcomes_truncated(self) -> bool:
        return len(self.outcomes) < self.rows and len(self.outcomes) >= OUTCOME_CAP

    def summary(self) -> str:
        what = "would be " if self.dry_run else ""
        head = f"{self.entity} from {self.file_name}"
        if self.preset:
            head += f" (preset {self.preset})"
        if self.errors:
            return (
                f"{head}: rejected, {len(self.errors)} error(s) in {self.rows} row(s); "
                "nothing was written"
            )
        tail = " (dry run: nothing was written)" if self.dry_run else ""
        return (
            f"{head}: {self.rows} row(s): {self.created} {what}created, "
            f"{self.updated} {what}updated, {self.unchanged} unchanged{tail}"
        )
