"""API: quotas, scoped like the quota pages; bulk upsert and distribution for admins.

Mount in attain/api.py (``register_routers``)::

    from attain.quotas.api import router as quotas_router
    api.add_router("/", quotas_router)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from attain.api_common import (
    CellIn,
    DecimalIn,
    Message,
    MoneyOut,
    PageIn,
    ValidationErrors,
    field_errors,
    paginate,
)
from attain.people import selectors as people
from attain.people.models import Rep, Team
from attain.quotas import distribution as dist
from attain.quotas import selectors, services

router = Router(tags=["quotas"])


class QuotaOut(Schema):
    id: int
    rep: str = Field(description="rep external id")
    rep_name: str
    quota: str
    period: str
    amount: MoneyOut
    currency: str
    source: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_rep(obj) -> str:
        return obj.rep.external_id

    @staticmethod
    def resolve_rep_name(obj) -> str:
        return obj.rep.name


class QuotaPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[QuotaOut]


class QuotaRowIn(Schema):
    rep: str = Field(description="rep external id")
    quota: str = "revenue"
    period: str = Field(description="2026, 2026-H1, 2026-Q1 or 2026-03")
    amount: CellIn
    currency: str = "USD"


class QuotasIn(Schema):
    quotas: list[QuotaRowIn]
    dry_run: bool = False


class RowErrorOut(Schema):
    index: int = Field(description="0-based position in quotas[]")
    field: str
    reason: str


class QuotasOut(Schema):
    ok: bool
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]


class DistributeIn(Schema):
    total: DecimalIn
    period: str = Field(description="the period the total covers, e.g. 2026")
    split: Literal["same", "half", "quarter", "month"] = "same"
    team: str | None = Field(None, description="team external id (or give region)")
    region: str = ""
    method: Literal["even", "last_year", "potential"] = "even"
    quota: str = "revenue"
    currency: str = "USD"
    seasonality: list[DecimalIn] = Field(default_factory=list)
    ramp: list[DecimalIn] = Field(default_factory=list, description="% per month after hire")
    prorate: bool = True
    preview: bool = True


class CellOut(Schema):
    period: str
    amount: MoneyOut
    presence: str = Field(description="share of the period the rep counts, 0..1 (4 places)")


class LineOut(Schema):
    rep: str
    rep_name: str
    weight_note: str
    share: str = Field(description="share of the weights, in %")
    cells: list[CellOut]
    total: MoneyOut


class DistributionOut(Schema):
    saved: bool
    method: str
    total: MoneyOut
    sum: MoneyOut
    periods: list[str]
    period_totals: list[MoneyOut]
    lines: list[LineOut]
    notes: list[str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@router.get("quotas", response={200: QuotaPage, 401: Message}, summary="List quotas")
def list_quotas(
    request,
    page: Query[PageIn],
    period: str = "",
    quota: str = "",
    rep: str = "",
    team: str = "",
):
    """Quotas the caller may see: admin and finance all, a manager their subtree, a rep
    their own. ``period`` matches exactly or by year (``2026`` finds ``2026-Q1``); ``rep``
    and ``team`` are external ids."""
    day = people.today()
    quotas = selectors.quotas_visible_to(request.auth, day)
    picked = team_id = None
    if rep:
        picked = Rep.objects.filter(external_id=rep).first()
        if picked is None:
            quotas = quotas.none()  # an unknown rep matches nothing
    if team:
        team_id = Team.objects.filter(external_id=team).values_list("id", flat=True).first() or -1
    found = selectors.search_quotas(
        quotas, period=period, quota=quota, team_id=team_id, rep=picked, as_of=day
    )
    return paginate(found, page)


@router.put(
    "quotas",
    response={200: QuotasOut, 401: Message, 403: Message, 422: QuotasOut | ValidationErrors},
    summary="Upsert many quotas (admin)",
)
def put_quotas(request, payload: QuotasIn):
    """Create or update quotas by rep + quota + period. All or nothing: if any row is
    wrong, nothing is written and the answer is 422 naming each row (index), field and
    reason. Written rows get source ``imported`` and an audit entry each."""
    user = request.auth
    if not selectors.may_change_quotas(user):
        raise HttpError(403, "only an admin changes quotas")
    rows = [row.model_dump() for row in payload.quotas]
    result = services.bulk_upsert(rows, by=user, dry_run=payload.dry_run)
    body = {
        "ok": result.ok,
        "dry_run": payload.dry_run,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": [{"index": e.index, "field": e.field, "reason": e.reason} for e in result.errors],
    }
    return (200 if result.ok else 422), body


@router.post(
    "quotas/distribute",
    response={200: DistributionOut, 401: Message, 403: Message, 422: ValidationErrors},
    summary="Distribute a team number (admin)",
)
def distribute(request, payload: DistributeIn):
    """Distribute ``total`` to the members of a team (and the teams below) or a region.
    With ``preview`` (the default) nothing is saved; with ``preview: false`` the quotas are
    created or updated (source ``distributed``, audited). See docs/quotas.md."""
    user = request.auth
    if not selectors.may_change_quotas(user):
        raise HttpError(403, "only an admin distributes quotas")
    team = None
    if payload.team:
        team = Team.objects.filter(external_id=payload.team).first()
        if team is None:
            raise field_errors({"team": [f"unknown team {payload.team!r}"]})
    dreq = services.DistributionRequest(
        total=payload.total,
        window=payload.period,
        split=payload.split,
        team=team,
        region=payload.region,
        method=payload.method,
        quota=payload.quota,
        currency=payload.currency.upper(),
        seasonality=list(payload.seasonality),
        ramp=list(payload.ramp),
        prorate=payload.prorate,
    )
    try:
        result = services.plan_distribution(dreq, by=user)
    except DjangoValidationError as error:
        raise field_errors(
            {("body" if k == "__all__" else k): v for k, v in error.message_dict.items()}
        ) from None
    body = _distribution_body(result)
    if not payload.preview:
        outcome = services.save_distribution(dreq, result, by=user)
        body.update(
            saved=True,
            created=outcome.created,
            updated=outcome.updated,
            unchanged=outcome.unchanged,
        )
    return body


def _ratio(value) -> str:
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.0001")))


def _distribution_body(result: dist.Distribution) -> dict:
    reps = selectors.reps_by_id([line.rep_id for line in result.lines])
    return {
        "saved": False,
        "method": result.method,
        "total": result.total,
        "sum": result.sum,
        "periods": result.periods,
        "period_totals": result.period_totals,
        "lines": [
            {
                "rep": reps[line.rep_id].external_id,
                "rep_name": line.name,
                "weight_note": line.note,
                "share": str(line.share_percent),
                "cells": [
                    {
                        "period": label,
                        "amount": amount,
                        "presence": _ratio(factor),
                    }
                    for label, amount, factor in zip(
                        result.periods, line.amounts, line.factors, strict=True
                    )
                ],
                "total": line.total,
            }
            for line in result.lines
        ],
        "notes": result.notes,
    }
