"""Readable differences between two plan texts: a unified diff as rows for an HTML table."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

HUNK_RE = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "hunk" | "context" | "added" | "removed"
    old_line: int | None
    new_line: int | None
    text: str


@dataclass(frozen=True)
class TextDiff:
    rows: list[DiffRow]
    added: int
    removed: int

    @property
    def same(self) -> bool:
        return not self.rows


def diff_texts(old: str, new: str, context: int = 3) -> TextDiff:
    """The unified diff of ``old`` → ``new`` with line numbers on both sides."""
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context)
    rows: list[DiffRow] = []
    added = removed = 0
    old_no = new_no = 0
    for line in lines:
        if line.startswith(("---", "+++")) and not rows:
            continue
        match = HUNK_RE.match(line)
        if match:
            old_no, new_no = int(match.group(1)), int(match.group(2))
            rows.append(DiffRow("hunk", None, None, line))
        elif line.startswith("+"):
            rows.append(DiffRow("added", None, new_no, line[1:]))
            new_no += 1
            added += 1
        elif line.startswith("-"):
            rows.append(DiffRow("removed", old_no, None, line[1:]))
            old_no += 1
            removed += 1
        else:
            rows.append(DiffRow("context", old_no, new_no, line[1:]))
            old_no += 1
            new_no += 1
    return TextDiff(rows, added, removed)


def unified_text(old: str, new: str, old_name: str, new_name: str) -> str:
    """The plain unified diff (for the API and for downloads)."""
    return "\n".join(
        difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm="")
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: object
    after: object
    kind: str  # "added" | "removed" | "changed" | "same"


def field_changes(before: dict | None, after: dict | None) -> list[FieldChange]:
    """Field-by-field changes between two audit snapshots (only the fields that differ,
    unless one side is missing, then every field of the other)."""
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        if key in before and key in after:
            if before[key] != after[key]:
                changes.append(FieldChange(key, before[key], after[key], "changed"))
        elif key in after:
            changes.append(FieldChange(key, None, after[key], "added"))
        else:
            changes.append(FieldChange(key, before[key], None, "removed"))
    return changes


KEY_RE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w\-]*)(:)(.*)$")


@dataclass(frozen=True)
class CodeLine:
    number: int
    indent: str
    key: str
    rest: str
    comment: str


def code_lines(text: str) -> list[CodeLine]:
    """Lines of YAML split into indent, key, value and comment, for a light highlighting."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        comment = ""
        stripped = line.lstrip()
        if stripped.startswith("#"):
            indent, comment = line[: len(line) - len(stripped)], stripped
            out.append(CodeLine(number, indent, "", "", comment))
            continue
        match = KEY_RE.match(line)
        if match:
            indent, key, colon, rest = match.groups()
            hash_at = rest.find(" #")
            if hash_at >= 0:
                rest, comment = rest[:hash_at], rest[hash_at:]
            out.append(CodeLine(number, indent, key + colon, rest, comment))
        else:
            out.append(CodeLine(number, "", "", line, ""))
    return out
