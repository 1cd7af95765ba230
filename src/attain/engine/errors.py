"""Errors of the engine. Each names where the problem is and why."""

from __future__ import annotations


class EngineError(ValueError):
    """Base class: bad plan, bad input or a rule that cannot be resolved."""


class PlanError(EngineError):
    """A plan file that does not load or validate: names the file, the path inside it, why."""

    def __init__(self, source: str, path: str, reason: str, line: int | None = None) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {path or '(document)'}: {reason}")
        self.source = source
        self.path = path
        self.reason = reason
        self.line = line


class InputError(EngineError):
    """A bad input table: names the table, the row (1-based, as in the file) and the column."""

    def __init__(self, table: str, reason: str, row: int | None = None, column: str | None = None):
        parts = [table]
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column!r}")
        super().__init__(f"{', '.join(parts)}: {reason}")
        self.table = table
        self.row = row
        self.column = column
        self.reason = reason


class RuleError(EngineError):
    """A rule that is missing or ambiguous for a date, rep or period (never a silent zero)."""
