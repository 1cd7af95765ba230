"""Column definitions and their converters: text in, normalized Python value out.

A converter raises ``ValueError(reason)``; the reason is shown to the user as is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

Converter = Callable[[str], object]

STR = "text"
DECIMAL = "decimal"
DATE = "date"
INT = "integer"
ENUM = "enum"
REF = "reference"
REFS = "references"
BOOL = "boolean"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$")
_LIST_SPLIT = re.compile(r"[\s;|,]+")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d{1,2}$")


@dataclass(frozen=True)
class Column:
    """One column of an entity's file format."""

    name: str
    kind: str = STR
    required: bool = False
    attname: str | None = None  # model attribute; None = not stored directly
    help: str = ""
    example: str = ""
    max_length: int | None = None
    places: int | None = None  # decimals: digits after the point (the model's scale)
    max_digits: int | None = None
    minimum: Decimal | None = None
    minimum_exclusive: bool = False
    maximum: Decimal | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # extra accepted spellings for enum values
    ref: str | None = None  # entity a reference points to
    default: object = None  # value when the cell is blank

    @property
    def type_label(self) -> str:
        if self.kind == DECIMAL:
            label = f"decimal, up to {self.places} places"
            if self.minimum is not None:
                op = ">" if self.minimum_exclusive else "≥"
                label += f", {op} {self.minimum}"
            if self.maximum is not None:
                label += f", ≤ {self.maximum}"
            return label
        if self.kind == DATE:
            return "date YYYY-MM-DD"
        if self.kind == ENUM:
            return "one of " + ", ".join(self.choices)
        if self.kind == REF:
            return f"{self.ref} external id"
        if self.kind == REFS:
            return f"list of {self.ref} external ids (space, ; or | separated)"
        if self.kind == INT:
            return "whole number ≥ 0"
        if self.kind == BOOL:
            return "true or false (also yes/no, 1/0)"
        if self.max_length:
            return f"text (≤ {self.max_length})"
        return "text"

    def converter(self) -> Converter:
        """One function per column that strips, handles blanks and converts; it runs for
        every cell, so blank handling is inlined rather than wrapped."""
        required, default = self.required, self.default
        kind = self.kind
        if kind == DECIMAL:
            return decimal_converter(self)
        if kind == ENUM:
            return enum_converter(self)
        if kind == DATE:
            inner = parse_date
        elif kind == INT:
            inner = parse_count
        elif kind == REFS:
            inner = parse_list
        elif kind == BOOL:
            inner = parse_bool
        else:
            return text_converter(self.max_length, required, default)

        def convert(raw: str) -> object:
            raw = raw.strip()
            if not raw:
                if required:
                    raise ValueError(MISSING)
                return default
            return inner(raw)

        return convert


MISSING = "required value is missing"


def text_converter(max_length: int | None, required: bool, default: object) -> Converter:
    limit = max_length or 10**9

    def text(raw: str) -> object:
        raw = raw.strip()
        if not raw:
            if required:
                raise ValueError(MISSING)
            return default
        if len(raw) > limit:
            raise ValueError(f"too long ({len(raw)} characters; at most {max_length})")
        return raw

    return text


def parse_date(raw: str) -> dt.date:
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return dt.date.fromisoformat(raw)  # the common case, in C
        except ValueError:
            raise ValueError("not a date (expected YYYY-MM-DD)") from None
    match = _ISO_DATE.match(raw)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError("not a date (expected YYYY-MM-DD)")


def parse_count(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("not a whole number") from None
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


_BOOLS = {
    **dict.fromkeys(("true", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "no", "n", "0"), False),
}


def parse_bool(raw: str) -> bool:
    value = _BOOLS.get(raw.lower())
    if value is None:
        raise ValueError("not true or false (also yes/no, 1/0)")
    return value


def parse_list(raw: str) -> tuple[str, ...]:
    return tuple(sorted({part for part in _LIST_SPLIT.split(raw) if part}))


def decimal_converter(column: Column) -> Converter:
    places = column.places if column.places is not None else 2
    quantum = Decimal(1).scaleb(-places)
    max_whole = Decimal(10) ** ((column.max_digits or 18) - places)
    minimum, maximum = column.minimum, column.maximum
    exclusive = column.minimum_exclusive
    required, default = column.required, column.default
    low = ""
    if minimum is not None:
        low = f"more than {minimum}" if exclusive else f"{minimum} or more"
    noun = "amount" if places == 2 else "value"

    def out_of_range(value: Decimal) -> str:
        if minimum is not None and minimum == 0 and value < 0 and not exclusive:
            return f"negative {noun}: must be 0 or more"
        if minimum is not None and maximum is not None:
            return f"out of range: must be {low} and at most {maximum}"
        if minimum is not None:
            return f"must be {low}"
        return f"out of range: must be at most {maximum}"

    def convert(raw: str) -> object:
        raw = raw.strip()
        if not raw:
            if required:
                raise ValueError(MISSING)
            return default
        try:
            value = Decimal(raw)
            if not -max_whole < value < max_whole:
                if value.is_nan():
                    raise InvalidOperation
                raise ValueError(f"too large (must be less than {max_whole})")
        except InvalidOperation:
            if _DECIMAL_COMMA.match(raw):
                raise ValueError("not a number: use '.' as the decimal point, not ','") from None
            raise ValueError("not a number (use digits and a '.' decimal point)") from None
        rounded = value.quantize(quantum)
        if rounded != value:
            raise ValueError(f"too many decimal places (at most {places})")
        if minimum is not None and (rounded <= minimum if exclusive else rounded < minimum):
            raise ValueError(out_of_range(rounded))
        if maximum is not None and rounded > maximum:
            raise ValueError(out_of_range(rounded))
        return rounded

    return convert


def enum_converter(column: Column) -> Converter:
    accepted = {choice.lower(): choice for choice in column.choices}
    accepted.update({alias.lower(): value for alias, value in column.aliases})
    listing = ", ".join(column.choices)
    noun = column.name.replace("_", " ")

    required, default = column.required, column.default

    def convert(raw: str) -> object:
        value = accepted.get(raw.strip().lower())
        if value is None:
            if not raw.strip():
                if required:
                    raise ValueError(MISSING)
                return default
            raise ValueError(f"unknown {noun} (expected one of {listing})")
        return value

    return convert
