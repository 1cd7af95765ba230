"""API: calculation runs. Admins (RevOps) and finance list, start, discard and replay runs;
finance (never the run's starter) approves; finance marks paid. Managers and reps get 403.
Mounted at the API root (``/api/runs``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from attain.api_common import Message, MoneyOut, PageIn, ValidationErrors, field_errors, paginate
from attain.payouts import exports, services
from attain.payouts import selectors_runs as selectors
from attain.payouts.models import CalcRun
from attain.people.models import Rep

router = Router(tags=["runs"])


def _access(request) -> None:
    if not selectors.can_view_runs(request.auth):
        raise HttpError(403, "calculation runs are for admins and finance")


def _run(request, run_id: int) -> CalcRun:
    _access(request)
    return get_object_or_404(selectors.run_detail(run_id))


def _username(user) -> str | None:
    return user.username if user is not None else None


class RunOut(Schema):
    id: int
    period: str
    as_of: dt.date
    status: str
    reps: list[str] | None = Field(description="rep external ids; null means all reps")
    started_by: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_ms: int | None
    approved_by: str | None
    approved_at: dt.datetime | None
    paid_by: str | None
    paid_at: dt.datetime | None
    line_count: int
    total_amount: MoneyOut
    currency: str
    inputs_fingerprint: str
    result_fingerprint: str
    error: str
    note: str


class RunPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RunOut]


class RepTotalOut(Schema):
    rep: str = Field(description="the rep's external id")
    name: str
    currency: str
    commission: MoneyOut
    spiffs: MoneyOut
    clawbacks: MoneyOut
    adjustments: MoneyOut
    draws: MoneyOut
    net: MoneyOut


class PlanRevisionOut(Schema):
    plan_id: str
    version: int
    number: int
    sha256: str


class RunDetailOut(RunOut):
    plan_revisions: list[PlanRevisionOut]
    rep_totals: list[RepTotalOut]
    totals: list[RepTotalOut]


class RunIn(Schema):
    period: str = Field(description="2026-03, 2026-Q1, 2026-H1 or 2026", examples=["2026-03"])
    as_of: dt.date | None = Field(None, description="default: the period's last day")
    reps: list[str] | None = Field(None, description="rep external ids; omit for all reps")
    note: str = Field("", max_length=300)


class ReplayOut(Schema):
    run: int
    matches: bool
    expected: str
    actual: str
    seconds: float


def _total_out(row: selectors.RepTotals) -> dict:
    return {
        "rep": row.external_id,
        "name": row.name,
        "currency": row.currency,
        **dict(zip((k for k, _l, _k in selectors.BUCKETS), row.columns, strict=True)),
        "net": row.net,
    }


def _reps(rep_ids: list[int] | None) -> list[str] | None:
    if rep_ids is None:
        return None
    found = Rep.objects.filter(id__in=rep_ids).order_by("external_id")
    return list(found.values_list("external_id", flat=True))


def _summary(run: CalcRun) -> dict:
    fields = [name for name in RunOut.model_fields if hasattr(run, name)]
    body = {name: getattr(run, name) for name in fields}
    body.update(
        reps=_reps(run.rep_ids),
        started_by=_username(run.started_by),
        approved_by=_username(run.approved_by),
        paid_by=_username(run.paid_by),
    )
    return body


def _detail(run: CalcRun) -> dict:
    rows, totals = selectors.rep_totals(run)
    body = _summary(run)
    body.update(
        plan_revisions=selectors.plan_revisions(run),
        rep_totals=[_total_out(r) for r in rows],
        totals=[_total_out(t) for t in totals],
    )
    return body


def _call(action, request, run: CalcRun):
    try:
        return action(request.auth, run)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from exc


@router.get("/runs", response={200: RunPage, 401: Message, 403: Message}, summary="List runs")
def list_runs(request, page: Query[PageIn], status: str = "", period: str = ""):
    """Newest first; filter by ``status`` (draft, approved, paid, discarded, failed) and
    ``period``."""
    _access(request)
    found = paginate(selectors.runs(status=status, period=period), page)
    found["items"] = [_summary(run) for run in found["items"]]
    return found


@router.post(
    "/runs",
    response={201: RunDetailOut, 401: Message, 403: Message, 422: ValidationErrors},
    summary="Start a run",
)
def start_run(request, payload: RunIn):
    """Calculate a period into a draft run (201). An engine error records a ``failed`` run
    (still 201, with ``error``). A bad period, an as-of date before the period or a period
    already closed answers 422."""
    _access(request)
    try:
        window = services.parse_run_period(payload.period)
    except ValidationError as exc:
        raise field_errors({"period": exc.messages}) from exc
    if payload.as_of is not None and payload.as_of < window.start:
        raise field_errors({"as_of": [f"is before the period {window.label}"]})
    if payload.reps == []:
        raise field_errors({"reps": ["choose at least one rep, or omit reps for all reps"]})
    rep_ids = None
    if payload.reps is not None:
        found = dict(
            Rep.objects.filter(external_id__in=payload.reps).values_list("external_id", "id")
        )
        missing = [r for r in payload.reps if r not in found]
        if missing:
            raise field_errors({"reps": [f"no rep with external id {r!r}" for r in missing]})
        rep_ids = list(found.values())
    try:
        run = services.start_run(request.auth, payload.period, payload.as_of, rep_ids, payload.note)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        raise field_errors({"period": exc.messages}) from exc
    return 201, _detail(selectors.run_detail(run.pk).get())


@router.get(
    "/runs/{int:run_id}",
    response={200: RunDetailOut, 401: Message, 403: Message, 404: Message},
    summary="Get a run",
)
def get_run(request, run_id: int):
    """The run with its plan revisions and per-rep totals (line kinds grouped into
    commission, spiffs, clawbacks, adjustments and draws)."""
    return _detail(_run(request, run_id))


def _transition(request, run_id: int, action) -> dict:
    run = _run(request, run_id)
    _call(action, request, run)
    return _detail(selectors.run_detail(run.pk).get())


TRANSITION = {200: RunDetailOut, 401: Message, 403: Message, 404: Message, 409: Message}


@router.post("/runs/{int:run_id}/approve", response=TRANSITION, summary="Approve a run")
def approve_run(request, run_id: int):
    """Finance only, and never the user who started the run (403). A run that is not a
    draft, or a period that already has an approved run, answers 409."""
    return _transition(request, run_id, services.approve_run)


@router.post("/runs/{int:run_id}/pay", response=TRANSITION, summary="Mark a run paid")
def pay_run(request, run_id: int):
    """Finance only; the run must be approved (else 409)."""
    return _transition(request, run_id, services.mark_paid)


@router.post("/runs/{int:run_id}/discard", response=TRANSITION, summary="Discard a run")
def discard_run(request, run_id: int):
    """A draft or failed run only (else 409)."""
    return _transition(request, run_id, services.discard_run)


@router.post(
    "/runs/{int:run_id}/replay",
    response={200: ReplayOut, 401: Message, 403: Message, 404: Message, 409: Message},
    summary="Replay a run",
)
def replay_run(request, run_id: int):
    """Run the engine again on the run's recorded inputs; ``matches`` says whether the
    result hashes to the recorded ``result_fingerprint``."""
    run = _run(request, run_id)
    replay = _call(services.replay_run, request, run)
    return {
        "run": run.pk,
        "matches": replay.matches,
        "expected": replay.expected,
        "actual": replay.actual,
        "seconds": replay.seconds,
    }


@router.get(
    "/runs/{int:run_id}/payroll.csv",
    response={200: None, 401: Message, 403: Message, 404: Message, 409: Message},
    summary="Payroll file of a run",
)
def payroll_csv(request, run_id: int):
    """CSV (text/csv) for an approved or paid run; any other status answers 409. Columns:
    employee_id, name, period, amount (net), currency, commission, spiffs, clawbacks,
    adjustments, draws."""
    run = _run(request, run_id)
    try:
        text = exports.payroll_csv(run)
    except ValidationError as exc:
        raise HttpError(409, " ".join(exc.messages)) from exc
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.payroll_filename(run)}"'
    return response
