"""Read CSV and XLSX files into a header and rows of strings.

Everything downstream works on strings, whatever the source: CSV cells, spreadsheet cells
(numbers and dates rendered back to text) and JSON values from the API. Row numbers are the
ones a user sees in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from attain.imports.report import FileProblem, RowError

DELIMITERS = [",", ";", "\t", "|"]
DELIMITER_NAMES = {",": "comma (,)", ";": "semicolon (;)", "\t": "tab", "|": "pipe (|)"}
# Separators people use by mistake (or that another tool chose); never accepted.
OTHER_SEPARATORS = [":", "~", "^", "#", " "]
SAMPLE_LINES = 20
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class Table:
    file_name: str
    header: list[str]
    rows: Iterable[tuple[int, list[str]]]
    delimiter: str | None = None


def delimiter_name(delimiter: str) -> str:
    return DELIMITER_NAMES.get(delimiter, repr(delimiter))


def _problem(file_name: str, reason: str, row: int | None = None, value: str | None = None):
    return FileProblem([RowError(file_name, row, None, value, reason)])


def _read_bytes(source: str | Path | IO[bytes] | IO[str] | bytes) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    data = source.read()
    if isinstance(data, str):
        return data.encode("utf-8")
    return data


def read_table(
    source: str | Path | IO[bytes] | bytes,
    *,
    file_name: str,
    sheet: str | None = None,
) -> Table:
    """Open a CSV or XLSX file (chosen by file name, else by content)."""
    data = _read_bytes(source)
    if Path(file_name).suffix.lower() in XLSX_SUFFIXES or data[:4] == b"PK\x03\x04":
        return read_xlsx(data, file_name=file_name, sheet=sheet)
    return read_csv(data, file_name=file_name)


# --- CSV -------------------------------------------------------------------------------


def decode_utf8(data: bytes, file_name: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _problem(
            file_name,
            "wrong encoding: the file is UTF-16 (Excel's 'Unicode Text'); "
            "re-save it as 'CSV UTF-8' and import again",
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        raise _problem(
            file_name,
            f"wrong encoding: the file is not valid UTF-8 (byte 0x{byte:02X} on line {line}, "
            f"character {column}); it was probably saved as Latin-1/Windows-1252. "
            "Re-save it as 'CSV UTF-8' and import again",
            row=line,
            value=f"0x{byte:02X}",
        ) from None


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def detect_delimiter(lines: list[str]) -> str | None:
    """The candidate that splits the header into several fields and the sample rows into as
    many; None when no candidate splits the header at all."""
    best: tuple[int, int] | None = None
    chosen = None
    for delimiter in DELIMITERS:
        widths = [len(_split(line, delimiter)) for line in lines]
        if widths[0] < 2:
            continue
        consistent = sum(1 for w in widths[1:] if w == widths[0])
        score = (consistent, widths[0])
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _data_delimiter(lines: list[str], header_width: int, exclude: str) -> str | None:
    """A separator that splits the data rows into the header's width, if any."""
    for delimiter in [*DELIMITERS, *OTHER_SEPARATORS]:
        if delimiter == exclude:
            continue
        if all(len(_split(line, delimiter)) == header_width for line in lines):
            return delimiter
    return None


def read_csv(data: bytes, *, file_name: str) -> Table:
    text = decode_utf8(data, file_name)
    if not text.strip():
        raise _problem(file_name, "empty file: there is no header and no data")
    head = io.StringIO(text)
    sample = [line.rstrip("\r\n") for line in itertools.islice(head, SAMPLE_LINES + 1)]
    nonblank = [line for line in sample if line.strip()]
    delimiter = detect_delimiter(nonblank) or ","
    header_width = len(_split(nonblank[0], delimiter))
    data_lines = nonblank[1:]
    if header_width > 1 and data_lines:
        widths = [len(_split(line, delimiter)) for line in data_lines]
        if all(w == 1 for w in widths):
            other = _data_delimiter(data_lines, header_width, delimiter)
            hint = f"the data rows look separated by {delimiter_name(other)}" if other else ""
            raise _problem(
                file_name,
                f"wrong delimiter: the header is separated by {delimiter_name(delimiter)} "
                f"but the data rows are not{'; ' + hint if hint else ''}. "
                "Use one delimiter throughout",
                row=2,
            )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(reader, start=2):
            if cells and "".join(cells).strip():
                yield number, cells

    return Table(file_name=file_name, header=header, rows=rows(), delimiter=delimiter)


def likely_separator(header_cell: str, known: set[str]) -> str | None:
    """For a header that came out as one field: the character that would split it into
    known column names."""
    for separator in [*DELIMITERS, *OTHER_SEPARATORS]:
        parts = [normalize_header(p) for p in header_cell.split(separator)]
        if len(parts) > 1 and sum(1 for p in parts if p in known) >= 2:
            return separator
    return None


_HEADER_SPACES = re.compile(r"[\s\-]+")


def normalize_header(name: str) -> str:
    """'Close Date', 'close-date', ' CLOSE_DATE ' all become 'close_date'."""
    return _HEADER_SPACES.sub("_", name.strip().lstrip("\ufeff").strip()).lower()


# --- XLSX ------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A spreadsheet or JSON value as the text a CSV would hold. Floats go through ``str``
    (shortest repr), so 0.1 stays '0.1' and 1200.0 becomes '1200'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes, *, file_name: str, sheet: str | None = None) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _problem(
            file_name, f"not a readable XLSX workbook ({exc.__class__.__name__}: {exc})"
        ) from None
    if sheet:
        if sheet not in workbook.sheetnames:
            raise _problem(
                file_name,
                f"no sheet named {sheet!r}; the workbook has: {', '.join(workbook.sheetnames)}",
            )
        worksheet = workbook[sheet]
    else:
        worksheet = workbook.worksheets[0]
    values = worksheet.iter_rows(values_only=True)
    header: list[str] | None = None
    header_row = 0
    for number, cells in enumerate(values, start=1):
        if cells and any(c not in (None, "") for c in cells):
            header = [cell_text(c) for c in cells]
            header_row = number
            break
    if header is None:
        raise _problem(file_name, "empty file: the sheet has no header and no data")
    while header and header[-1] == "":
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(values, start=header_row + 1):
            if cells and any(c not in (None, "") for c in cells):
                yield number, [cell_text(c) for c in cells]
        workbook.close()

    return Table(file_name=file_name, header=header, rows=rows())


# --- API rows --------------------------------------------------------------------------


def table_from_dicts(rows: list[dict[str, object]], *, file_name: str) -> Table:
    """Rows already parsed (JSON). Row numbers count from 1 for the first item."""
    header: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                header.append(key)

    def cells() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(rows, start=1):
            yield number, [cell_text(row.get(key)) for key in header]

    return Table(file_name=file_name, header=header, rows=cells())
