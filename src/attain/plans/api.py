"""API: plans (YAML with revisions) and plan assignments. Admin and finance read; admins
write. Managers and reps get 403. Mounted at the API root (``/api/plans``,
``/api/plan-assignments``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from attain.api_common import (
    DecimalIn,
    Message,
    MoneyOut,
    PageIn,
    ValidationErrors,
    field_errors,
    paginate,
)
from attain.people.models import Rep
from attain.plans import selectors, services
from attain.plans.models import PlanDocument

router = Router(tags=["plans"])


def _read(request) -> None:
    if not selectors.can_view(request.auth):
        raise HttpError(403, "plans are for admins and finance")


def _write(request) -> None:
    _read(request)
    if not selectors.can_edit(request.auth):
        raise HttpError(403, "only an admin may change plans and plan assignments")


class PlanOut(Schema):
    plan_id: str
    version: int
    name: str
    valid_from: dt.date
    valid_to: dt.date | None
    archived: bool
    revisions: int = Field(validation_alias="revision_count")
    current_revision: int | None = Field(validation_alias="latest_number")


class PlanPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PlanOut]


class RevisionOut(Schema):
    number: int
    sha256: str
    author: str | None
    created_at: dt.datetime
    comment: str

    @staticmethod
    def resolve_author(obj) -> str | None:
        return obj.author.username if obj.author_id else None


class PlanDetailOut(Schema):
    plan_id: str
    version: int
    name: str
    valid_from: dt.date
    valid_to: dt.date | None
    archived: bool
    current_revision: int | None
    yaml: str
    revisions: list[RevisionOut]


class PlanIn(Schema):
    yaml: str = Field(description="the whole plan document (docs/plans.md)")
    comment: str = ""


class PlanSaved(Schema):
    plan_id: str
    version: int
    revision: int
    changed: bool
    created: bool
    message: str


class PlanProblem(Schema):
    field: str
    msg: str
    loc: list[str | int]
    type: str
    path: str = Field(description="where in the plan document, e.g. components[0].measure")
    reason: str
    line: int | None


class PlanProblems(Schema):
    detail: list[PlanProblem]


@router.get("/plans", response={200: PlanPage, 401: Message, 403: Message}, summary="List plans")
def list_plans(request, page: Query[PageIn], q: str = "", status: str = ""):
    """Plan versions by id and version; ``status`` is ``active`` or ``archived``."""
    _read(request)
    return paginate(selectors.search_documents(selectors.documents(), q=q, status=status), page)


@router.get(
    "/plans/{plan_id}/{int:version}",
    response={200: PlanDetailOut, 401: Message, 403: Message, 404: Message},
    summary="Get a plan version",
)
def get_plan(request, plan_id: str, version: int):
    """The current YAML and every revision (newest first)."""
    _read(request)
    document = get_object_or_404(PlanDocument, plan_id=plan_id, version=version)
    revisions = list(selectors.revisions_of(document))
    return {
        "plan_id": document.plan_id,
        "version": document.version,
        "name": document.name,
        "valid_from": document.valid_from,
        "valid_to": document.valid_to,
        "archived": document.archived,
        "current_revision": revisions[0].number if revisions else None,
        "yaml": revisions[0].yaml if revisions else "",
        "revisions": revisions,
    }


@router.post(
    "/plans",
    response={200: PlanSaved, 201: PlanSaved, 401: Message, 403: Message, 422: PlanProblems},
    summary="Save a plan",
)
def save_plan(request, payload: PlanIn):
    """Save a plan's YAML: a new (id, version) creates the plan (201); an existing one gets a
    new revision (200; ``changed`` false when the text is the same as the current one).
    An invalid plan answers 422 naming the path inside the document, the reason and the line.
    """
    _write(request)
    document = None
    try:
        plan = services.check_plan(services.normalize_text(payload.yaml), "plan")
        document = PlanDocument.objects.filter(plan_id=plan.id, version=plan.version).first()
        result = services.save_plan(request.auth, payload.yaml, payload.comment, document)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except services.PlanYamlError as exc:
        problem = {
            "field": f"yaml.{exc.path}" if exc.path else "yaml",
            "msg": exc.messages[0],
            "loc": ["body", "yaml", *([exc.path] if exc.path else [])],
            "type": "plan_error",
            **exc.as_dict(),
        }
        return 422, {"detail": [problem]}
    body = {
        "plan_id": result.document.plan_id,
        "version": result.document.version,
        "revision": result.revision.number,
        "changed": result.changed,
        "created": result.created,
        "message": result.message,
    }
    return (201 if result.created else 200), body


class AssignmentOut(Schema):
    id: int
    rep: str
    rep_name: str
    plan_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    target_incentive: MoneyOut
    currency: str
    draw_per_period: MoneyOut
    draw_recoverable: bool

    @staticmethod
    def resolve_rep(obj) -> str:
        return obj.rep.external_id

    @staticmethod
    def resolve_rep_name(obj) -> str:
        return obj.rep.name


class AssignmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AssignmentOut]


class AssignmentIn(Schema):
    rep: str = Field(description="the rep's external id")
    plan_id: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    target_incentive: DecimalIn
    currency: str = "USD"
    draw_per_period: DecimalIn = Field(default="0")
    draw_recoverable: bool = True


@router.get(
    "/plan-assignments",
    response={200: AssignmentPage, 401: Message, 403: Message},
    summary="List plan assignments",
)
def list_assignments(
    request, page: Query[PageIn], rep: str = "", plan_id: str = "", on: dt.date | None = None
):
    """Assignments by rep and start; ``rep`` is an external id, ``on`` a day in force."""
    _read(request)
    qs = selectors.assignments()
    if rep:
        qs = qs.filter(rep__external_id=rep)
    return paginate(selectors.search_assignments(qs, plan_id=plan_id, in_force_day=on), page)


@router.post(
    "/plan-assignments",
    response={201: AssignmentOut, 401: Message, 403: Message, 422: ValidationErrors},
    summary="Assign a plan",
)
def create_assignment(request, payload: AssignmentIn):
    """Put a rep on a plan between two dates (``valid_to`` = first day off the plan).
    Overlapping assignments of one rep are refused (422)."""
    _write(request)
    rep = Rep.objects.filter(external_id=payload.rep).first()
    if rep is None:
        raise field_errors({"rep": [f"no rep with external id {payload.rep!r}"]})
    data = services.AssignmentData(
        rep=rep,
        plan_id=payload.plan_id,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        target_incentive=payload.target_incentive,
        currency=payload.currency,
        draw_per_period=payload.draw_per_period,
        draw_recoverable=payload.draw_recoverable,
    )
    try:
        assignment = services.create_assignment(request.auth, data)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        raise field_errors(exc.message_dict) from exc
    return 201, assignment
