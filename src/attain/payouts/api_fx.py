"""The exchange rates pay runs and forecasts convert with (``sales.FxRate``): read by admins
and finance, written by admins — the same rules and checks as the ``fx_rates`` import."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from attain.api_common import Message, PageIn, paginate
from attain.imports.services import import_rows
from attain.payouts import selectors_runs
from attain.sales import selectors

router = Router(tags=["exchange rates"])


class FxRateOut(Schema):
    from_currency: str
    to_currency: str
    rate: str = Field(description="1 from_currency = rate to_currency (up to 8 places)")
    valid_from: dt.date
    valid_to: dt.date | None = Field(description="first day no longer in force; null: open")


class FxRatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[FxRateOut]


class FxRateIn(Schema):
    from_currency: str
    to_currency: str
    rate: str = Field(description='a decimal string, e.g. "1.08": never a binary float')
    valid_from: dt.date
    valid_to: dt.date | None = None


class FxRatesIn(Schema):
    rates: list[FxRateIn]
    dry_run: bool = False


class RowProblem(Schema):
    row: int | None = Field(description="1 = the first rate of the request")
    column: str | None
    reason: str


class FxRatesOut(Schema):
    ok: bool
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    errors: list[RowProblem]


def _out(rate) -> dict:
    return {
        "from_currency": rate.from_currency,
        "to_currency": rate.to_currency,
        "rate": f"{rate.rate.normalize():f}",
        "valid_from": rate.valid_from,
        "valid_to": rate.valid_to,
    }


@router.get(
    "/fx-rates",
    response={200: FxRatePage, 401: Message, 403: Message},
    summary="List exchange rates",
)
def list_fx_rates(request, page: Query[PageIn], from_currency: str = "", to_currency: str = ""):
    """Each pair's latest first; filter by ``from_currency`` and ``to_currency``."""
    if not selectors_runs.can_view_runs(request.auth):
        raise HttpError(403, "exchange rates are for admins and finance")
    rates = selectors.fx_rates()
    if from_currency:
        rates = rates.filter(from_currency=from_currency.strip().upper())
    if to_currency:
        rates = rates.filter(to_currency=to_currency.strip().upper())
    found = paginate(rates, page)
    found["items"] = [_out(rate) for rate in found["items"]]
    return found


@router.put(
    "/fx-rates",
    response={200: FxRatesOut, 401: Message, 403: Message, 422: FxRatesOut},
    summary="Upsert exchange rates (admin)",
)
def put_fx_rates(request, payload: FxRatesIn):
    """Create or update rates by from_currency + to_currency + valid_from, as the
    ``fx_rates`` import does (docs/import.md): all or nothing, 422 naming each row, column
    and reason — a bad code, one currency twice, a rate not above 0 or with more than 8
    places, or two rates of a pair in force on one day."""
    user = request.auth
    if not user.is_admin_role:
        raise HttpError(403, "only an admin changes exchange rates")
    rows = [rate.model_dump() for rate in payload.rates]
    report = import_rows(
        "fx_rates", rows, file_name="api", dry_run=payload.dry_run, source="api", user=user
    )
    body = {
        "ok": not report.errors,
        "dry_run": payload.dry_run,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in report.errors],
    }
    return (422 if report.errors else 200), body
