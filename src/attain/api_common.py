"""Pieces shared by the JSON API's routers: money and decimal types, pages, error bodies.

Money and other decimals go out as strings ("12000.00") so no client parses them into binary
floats; they come in as strings or JSON numbers, and numbers are read exactly (the API's
parser reads JSON numbers with a fraction as ``Decimal``, never ``float``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from ninja.errors import ValidationError
from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")
MAX_LIMIT = 500
DEFAULT_LIMIT = 50


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _money_text(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def _exact_number(value: Any) -> Any:
    """Let pydantic see a string, never a float, so no binary rounding slips in."""
    if isinstance(value, bool):
        raise ValueError("must be a number or a numeric string, not a boolean")
    if isinstance(value, float):
        return str(value)
    return value


# Output: a string with exactly two decimal places.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(_money_text, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal", "example": "12000.00"}),
]
# Output: any other exact decimal (units, shares, coordinates) as a string.
DecimalOut = Annotated[
    Decimal,
    PlainSerializer(_decimal_text, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal", "example": "10.00"}),
]
# Input: a string or a JSON number, read exactly. Range and scale are checked by services.
DecimalIn = Annotated[
    Decimal,
    BeforeValidator(_exact_number),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "format": "decimal"}, {"type": "number"}],
            "example": "12345.67",
        }
    ),
]


def _as_text(value: Any) -> Any:
    """Bulk rows carry import-file cells: numbers and dates become their text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValueError("must be a string or a number, not a boolean")
    if isinstance(value, float):
        return str(value)
    if isinstance(value, Decimal | int):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise ValueError("must be a string or a number")


CellIn = Annotated[
    str | None,
    BeforeValidator(_as_text),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]}),
]


class PageIn(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="page size")
    offset: int = Field(0, ge=0, description="number of records to skip")


class Message(Schema):
    detail: str


class FieldError(Schema):
    field: str = Field(description="the offending field, e.g. 'amount' or 'deals[3].owner'")
    msg: str
    loc: list[str | int]
    type: str


class ValidationErrors(Schema):
    detail: list[FieldError]


def paginate(queryset, page: PageIn) -> dict[str, Any]:
    """One page of ``queryset`` with the total count of matching records."""
    return {
        "count": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }


def field_name(loc: tuple | list) -> str:
    """'amount' from ('body', 'payload', 'amount'); 'deals[2].owner' for nested rows."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "form", "header", "cookie"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "filters", "page"}:
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "body"


def field_errors(errors: dict[str, list[str]]) -> ValidationError:
    """A 422 from a service's ``{field: [messages]}``, in the same shape as schema errors."""
    return ValidationError(
        [
            {"loc": ["body", name], "msg": f"{name} {message}", "type": "value_error"}
            for name, messages in errors.items()
            for message in messages
        ]
    )
