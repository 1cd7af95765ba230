"""API: forecasts and forecast calls, scoped like the forecast pages (a rep their own, a
manager their subtree, admin and finance everyone). Only the rep submits their own call and
only a manager the call for the team they lead."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from attain.api_common import (
    DecimalIn,
    DecimalOut,
    Message,
    MoneyOut,
    PageIn,
    ValidationErrors,
    field_errors,
)
from attain.common import DEFAULT_CURRENCY
from attain.forecasts import selectors, services
from attain.forecasts.models import ForecastCall
from attain.people import selectors as people

router = Router(tags=["forecasts"])


class CallOut(Schema):
    id: int
    rep: str = Field(description="rep external id")
    rep_name: str
    scope: str = Field(description="own (the rep's deals) or team (the teams they lead)")
    period: str
    commit: MoneyOut
    best_case: MoneyOut
    currency: str
    note: str
    submitted_at: dt.datetime

    @staticmethod
    def resolve_rep(obj) -> str:
        return obj.rep.external_id

    @staticmethod
    def resolve_rep_name(obj) -> str:
        return obj.rep.name


class RowOut(Schema):
    rep: str | None = Field(description="rep external id (null on the totals row)")
    rep_name: str | None
    quota: MoneyOut | None
    quota_days: int = Field(description="days of the period the revenue quota covers")
    won: MoneyOut
    won_deals: int
    pipeline: MoneyOut
    pipeline_deals: int
    weighted: MoneyOut
    unrated_deals: int = Field(description="open deals at a stage without history (weighted 0)")
    converted_deals: int = Field(
        description="deals in another currency, converted at the app's exchange rates"
    )
    unconverted_deals: int = Field(
        description="deals in another currency without an exchange rate (left out of the sums)"
    )
    projection: MoneyOut
    projected_attainment: DecimalOut | None = Field(description="projection ÷ quota, in %")
    commit: MoneyOut | None = Field(description="the rep's latest own call")
    best_case: MoneyOut | None


class ForecastOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    currency: str
    total: RowOut
    count: int
    limit: int
    offset: int
    items: list[RowOut]


class CallPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallOut]


class CallIn(Schema):
    period: str = Field(description="a month (2026-11) or a quarter (2026-Q4) not yet ended")
    scope: Literal["own", "team"] = "own"
    commit: DecimalIn
    best_case: DecimalIn
    note: str = ""


def _period(label: str) -> selectors.ForecastPeriod:
    if not label:
        return selectors.current_period(people.today())
    try:
        return selectors.forecast_period(label)
    except ValueError as error:
        raise HttpError(422, str(error)) from error


def _row(row: selectors.ForecastRow) -> dict:
    return {
        "rep": row.rep.external_id if row.rep else None,
        "rep_name": row.rep.name if row.rep else None,
        "quota": row.quota,
        "quota_days": row.quota_days,
        "won": row.won,
        "won_deals": row.won_deals,
        "pipeline": row.pipeline,
        "pipeline_deals": row.pipeline_deals,
        "weighted": row.weighted,
        "unrated_deals": row.unrated_deals,
        "converted_deals": row.converted_deals,
        "unconverted_deals": row.unconverted_deals,
        "projection": row.projection,
        "projected_attainment": row.projected_attainment,
        "commit": row.call.commit if row.call else None,
        "best_case": row.call.best_case if row.call else None,
    }


@router.get("forecasts", response={200: ForecastOut, 401: Message, 422: Message})
def forecast(request, page: Query[PageIn], period: str = "", rep: str = ""):
    """The forecast of every rep the caller may see (employed during the period), by name,
    with the totals of them all: won, open pipeline closing in the period, the pipeline
    weighted by stage win rates, projection and the latest own calls. ``period`` is a month
    or a quarter (this quarter by default); ``rep`` (external id) narrows to one rep."""
    day = people.today()
    window = _period(period)
    reps = selectors.reps_in_scope(request.auth, day)
    if rep:
        reps = reps.filter(external_id=rep)
    result = selectors.team_forecast(reps, window, day)
    rows = result.rows[page.offset : page.offset + page.limit]
    return {
        "period": window.label,
        "start": window.start,
        "end": window.end,
        "currency": DEFAULT_CURRENCY,
        "total": _row(result.total),
        "count": len(result.rows),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_row(row) for row in rows],
    }


@router.get("forecasts/calls", response={200: CallPage, 401: Message, 422: Message})
def calls(request, page: Query[PageIn], period: str = "", rep: str = "", scope: str = ""):
    """Calls the caller may see, newest first (every submission: the history of a call).
    Filters: ``period`` (exact label), ``rep`` (external id), ``scope`` (own or team)."""
    day = people.today()
    found = ForecastCall.objects.filter(rep__in=selectors.reps_in_scope(request.auth, day))
    if period:
        found = found.filter(period=_period(period).label)
    if rep:
        found = found.filter(rep__external_id=rep)
    if scope:
        if scope not in ForecastCall.Scope.values:
            raise HttpError(422, f"scope {scope!r}: give own or team")
        found = found.filter(scope=scope)
    found = found.select_related("rep")
    return {
        "count": found.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(found[page.offset : page.offset + page.limit]),
    }


@router.post(
    "forecasts/calls",
    response={201: CallOut, 401: Message, 403: Message, 422: ValidationErrors},
    summary="Submit your call",
)
def submit(request, payload: CallIn):
    """Submit the caller's own call (``scope: own``) or, for a manager, the call for the
    team they lead (``scope: team``). A call is never changed: a new one supersedes it."""
    user = request.auth
    rep = people.rep_for_user(user)
    if rep is None:
        raise HttpError(403, "your login is linked to no rep: only reps and managers call")
    try:
        call = services.submit_call(
            by=user,
            rep=rep,
            scope=payload.scope,
            period=payload.period,
            commit=payload.commit,
            best_case=payload.best_case,
            note=payload.note,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    except DjangoValidationError as error:
        raise field_errors(error.message_dict) from error
    return 201, call
