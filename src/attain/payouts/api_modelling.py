"""API: plan modelling. ``POST /api/modelling`` calculates candidate plans on a past period
and writes nothing. Admins and finance only (managers and reps get 403)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from attain.api_common import DecimalOut, Message, MoneyOut
from attain.payouts import modelling

router = Router(tags=["modelling"])


class ModellingIn(Schema):
    period: str = Field(description="A past pay period: 2026-09, 2026-Q3, 2026-H1 or 2026.")
    current_plan: str = Field(description="Plan id whose reps are moved to each candidate.")
    candidates: list[int] = Field(default_factory=list, description="Plan document ids.")
    yaml: list[str] = Field(default_factory=list, description="Pasted plan texts.")
    as_of: dt.date | None = None


class StatsOut(Schema):
    minimum: MoneyOut
    q1: MoneyOut
    median: MoneyOut
    q3: MoneyOut
    maximum: MoneyOut
    mean: MoneyOut


class BandOut(Schema):
    label: str
    deals: int
    revenue: MoneyOut
    margin: MoneyOut
    units: DecimalOut
    payout: MoneyOut
    per_margin_dollar: DecimalOut | None
    per_unit: DecimalOut | None
    per_revenue_dollar: DecimalOut | None


class DeltaOut(Schema):
    rep_id: str
    name: str
    current: MoneyOut
    candidate: MoneyOut
    delta: MoneyOut


class Correlation(Schema):
    pearson: float | None
    spearman: float | None


class ScenarioOut(Schema):
    key: str
    label: str
    plan_id: str
    error: str
    total: MoneyOut
    currency: str
    cost_of_revenue: DecimalOut | None
    cost_of_margin: DecimalOut | None
    per_rep: dict[str, MoneyOut]
    stats: StatsOut | None
    histogram: list[int]
    correlations: dict[str, Correlation]
    rep_correlations: dict[str, Correlation]
    bands: list[BandOut]
    warnings: list[str]
    winners: list[DeltaOut]
    losers: list[DeltaOut]


class AttainmentOut(Schema):
    quota: str
    measure: str
    reps_with_quota: int
    reps_at_or_above: int
    share: DecimalOut | None


class ModellingOut(Schema):
    period: str
    as_of: dt.date
    current_plan: str
    reps: list[str]
    revenue: MoneyOut
    margin: MoneyOut
    units: DecimalOut
    deals: int
    attainment: list[AttainmentOut]
    histogram_edges: list[MoneyOut]
    current: ScenarioOut
    candidates: list[ScenarioOut]


@router.post(
    "/modelling",
    response={200: ModellingOut, 401: Message, 403: Message, 422: Message},
    summary="Model candidate plans on a past period (writes nothing)",
)
def model(request, body: ModellingIn):
    if not modelling.can_model(request.auth):
        raise HttpError(403, "plan modelling is for admins and finance")
    try:
        candidates = [modelling.document_candidate(pk) for pk in body.candidates]
        candidates += [
            modelling.yaml_candidate(text, i) for i, text in enumerate(body.yaml, start=1)
        ]
        result = modelling.model_plans(
            request.auth, body.period, body.current_plan, candidates, body.as_of
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except ValidationError as error:
        return 422, {"detail": " ".join(error.messages)}
    return 200, result
