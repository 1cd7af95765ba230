"""API: statements, inquiries and the estimator, scoped exactly like the web pages.

A rep, statement, line or inquiry outside the caller's scope answers 404; a visible thing
the caller may not change answers 403.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from pydantic import Field

from attain.api_common import (
    DecimalIn,
    DecimalOut,
    Message,
    MoneyOut,
    PageIn,
    ValidationErrors,
    paginate,
)
from attain.payouts import estimator, inquiries
from attain.payouts import selectors_statements as selectors
from attain.payouts.models import Inquiry, InquiryMessage
from attain.payouts.statements import build_statement

router = Router(tags=["statements"])

READ = {401: Message, 404: Message}
WRITE = {401: Message, 403: Message, 404: Message, 422: ValidationErrors}


class LineOut(Schema):
    id: int
    kind: str
    pay_period: str
    period: str
    plan_id: str
    plan_version: int | None
    component_id: str
    event_date: dt.date | None
    deal_id: int | None
    deal_ref: str
    tier: int | None
    rate_kind: str
    rate: DecimalOut | None
    base: DecimalOut | None
    quota: MoneyOut | None
    amount_before_cap: MoneyOut
    cap_reduction: MoneyOut
    amount: MoneyOut
    currency: str
    explanation: str
    corrects_id: int | None


class ComponentOut(Schema):
    plan_id: str
    component_id: str
    measure: DecimalOut | None
    quota: MoneyOut | None
    attainment_percent: DecimalOut | None
    cap_reduction: MoneyOut
    clawbacks: MoneyOut
    earned: MoneyOut


class TotalsOut(Schema):
    earnings: MoneyOut
    cap_reductions: MoneyOut
    clawbacks: MoneyOut
    draws: MoneyOut
    adjustments: MoneyOut
    held_or_released: MoneyOut = Field(
        description="pay on cash: earnings held at booking (−) and released as paid (+)"
    )
    net_pay: MoneyOut
    still_held: MoneyOut = Field(
        description="pay on cash: earnings held and not yet released by the end of the period "
        "(every earlier period included)"
    )


class StatementOut(Schema):
    rep_id: int
    rep: str
    period: str
    run_id: int
    run_status: str
    draft: bool
    currency: str
    plans: list[str]
    totals: TotalsOut
    components: list[ComponentOut]
    lines: list[LineOut]


def _unprocessable(error: ValidationError):
    from attain.api_common import field_errors

    if hasattr(error, "error_dict"):
        return field_errors(error.message_dict)
    return field_errors({"detail": error.messages})


@router.get(
    "statements/{rep_id}/{period}",
    response={200: StatementOut, **READ},
    summary="A rep's pay statement for a period",
)
def get_statement(request, rep_id: int, period: str):
    """The latest approved or paid run's lines for the rep and pay period (admin and finance
    also see the latest draft, flagged ``draft``), with totals and per-component attainment."""
    user = request.auth
    rep = selectors.visible_rep(user, rep_id)
    run = selectors.statement_run(user, rep_id, period) if rep is not None else None
    if run is None:
        raise HttpError(404, "No such statement.")
    s = build_statement(rep, period, run)
    return {
        "rep_id": rep.pk,
        "rep": rep.name,
        "period": period,
        "run_id": run.pk,
        "run_status": run.status,
        "draft": s.is_draft,
        "currency": s.currency,
        "plans": s.plans,
        "totals": s.totals(),
        "components": [
            {
                "plan_id": c.plan_id,
                "component_id": c.component_id,
                "measure": c.measure,
                "quota": c.quota,
                "attainment_percent": c.attainment,
                "cap_reduction": c.cap_reduction,
                "clawbacks": c.clawbacks,
                "earned": c.earned,
            }
            for c in s.components
        ],
        "lines": s.lines,
    }


class MessageOut(Schema):
    id: int
    author: str
    body: str
    created_at: dt.datetime


class InquiryOut(Schema):
    id: int
    line_id: int
    rep_id: int
    subject: str
    status: str
    adjustment_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    messages: list[MessageOut]


def _inquiry_out(inquiry: Inquiry, messages=None) -> dict:
    """The inquiry with its messages (``messages``, if already fetched, else read here)."""
    if messages is None:
        messages = inquiry.messages.select_related("author")
    return {
        "id": inquiry.pk,
        "line_id": inquiry.line_id,
        "rep_id": inquiry.rep_id,
        "subject": inquiry.subject,
        "status": inquiry.status,
        "adjustment_id": inquiry.adjustment_id,
        "created_at": inquiry.created_at,
        "updated_at": inquiry.updated_at,
        "messages": [
            {"id": m.pk, "author": m.author.username, "body": m.body, "created_at": m.created_at}
            for m in messages
        ],
    }


class InquiryPage(Schema):
    count: int = Field(description="inquiries matching the filter, on every page")
    limit: int
    offset: int
    counts: dict[str, int] = Field(description="inquiries the caller may see, per status")
    items: list[InquiryOut]


@router.get(
    "inquiries", response={200: InquiryPage, 401: Message, 422: ValidationErrors},
    summary="List inquiries",
)  # fmt: skip
def list_inquiries(request, page: Query[PageIn], status: str = ""):
    """Inquiries the caller may see (their own as a rep, their team's as a manager, all for
    admin and finance), newest activity first, a page at a time (``limit``, ``offset``);
    ``status`` filters."""
    statuses = [value for value, _ in Inquiry.Status.choices]
    if status and status not in statuses:
        message = f"status must be one of {', '.join(statuses)}"
        raise RequestInvalid([{"loc": ["query", "status"], "msg": message, "type": "value_error"}])
    visible = selectors.inquiries_visible_to(request.auth)
    shown = visible.filter(status=status) if status else visible
    messages = InquiryMessage.objects.select_related("author").order_by("created_at", "id")
    found = paginate(
        shown.order_by("-updated_at", "-id").prefetch_related(Prefetch("messages", messages)),
        page,
    )
    return {
        **found,
        "counts": selectors.inquiry_counts(visible),
        "items": [_inquiry_out(i, i.messages.all()) for i in found["items"]],
    }


class InquiryIn(Schema):
    line_id: int
    subject: str
    message: str


@router.post("inquiries", response={201: InquiryOut, **WRITE}, summary="Raise an inquiry")
def create_inquiry(request, payload: InquiryIn):
    """A rep questions a line of their own approved or paid statement."""
    line = selectors.visible_line(request.auth, payload.line_id)
    if line is None:
        raise HttpError(404, "No such line.")
    try:
        inquiry = inquiries.raise_inquiry(request.auth, line, payload.subject, payload.message)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except ValidationError as error:
        raise _unprocessable(error) from None
    return 201, _inquiry_out(inquiry)


def _visible_inquiry(request, pk: int) -> Inquiry:
    inquiry = selectors.visible_inquiry(request.auth, pk)
    if inquiry is None:
        raise HttpError(404, "No such inquiry.")
    return inquiry


@router.get("inquiries/{inquiry_id}", response={200: InquiryOut, **READ}, summary="An inquiry")
def get_inquiry(request, inquiry_id: int):
    return _inquiry_out(_visible_inquiry(request, inquiry_id))


class MessageIn(Schema):
    body: str


@router.post(
    "inquiries/{inquiry_id}/messages",
    response={201: InquiryOut, **WRITE},
    summary="Reply to an inquiry",
)
def reply(request, inquiry_id: int, payload: MessageIn):
    inquiry = _visible_inquiry(request, inquiry_id)
    try:
        inquiries.add_message(request.auth, inquiry, payload.body)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except ValidationError as error:
        raise _unprocessable(error) from None
    inquiry.refresh_from_db()
    return 201, _inquiry_out(inquiry)


class ResolveIn(Schema):
    status: str
    message: str = ""
    amount: DecimalIn | None = None
    reason: str = ""


@router.post(
    "inquiries/{inquiry_id}/resolve",
    response={200: InquiryOut, **WRITE},
    summary="Set an inquiry's outcome (finance)",
)
def resolve(request, inquiry_id: int, payload: ResolveIn):
    """``answered`` or ``rejected`` (with a message), or ``adjusted`` with an ``amount`` and
    ``reason``: a manual adjustment the next run pays."""
    inquiry = _visible_inquiry(request, inquiry_id)
    try:
        resolved = inquiries.resolve(
            request.auth,
            inquiry,
            payload.status,
            message=payload.message,
            amount=payload.amount,
            reason=payload.reason,
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except ValidationError as error:
        raise _unprocessable(error) from None
    return _inquiry_out(resolved)


class ComponentChangeOut(Schema):
    plan_id: str
    component_id: str
    currency: str
    before: MoneyOut
    after: MoneyOut
    difference: MoneyOut


class EstimateLineOut(Schema):
    component_id: str | None
    tier: int | None
    amount: MoneyOut
    currency: str
    explanation: str | None


class EstimateOut(Schema):
    rep_id: int
    deal_id: int
    period: str
    close_date: dt.date
    currency: str
    before: MoneyOut
    after: MoneyOut
    difference: MoneyOut
    held_on_cash: MoneyOut = Field(
        description="earned by the deal but held until it is invoiced or collected (pay on cash)"
    )
    components: list[ComponentChangeOut]
    deal_lines: list[EstimateLineOut]


@router.get("estimate", response={200: EstimateOut, **WRITE}, summary="What-if for a deal")
def get_estimate(request, deal_id: int, period: str = "", rep_id: int | None = None):
    """What the open deal would add to the rep's pay if it closed in ``period`` (default:
    this month). Reps estimate their own credit; others pass ``rep_id`` (default: the first
    credited rep they can see)."""
    credit = estimator.credit_for(request.auth, deal_id, rep_id)
    if credit is None:
        raise HttpError(404, "No such open deal.")
    try:
        result = estimator.estimate(credit, period or estimator.default_period())
    except ValidationError as error:
        raise _unprocessable(error) from None
    return {
        "rep_id": credit.rep_id,
        "deal_id": credit.deal_id,
        "period": result.period,
        "close_date": result.close_date,
        "currency": result.currency,
        "before": result.before,
        "after": result.after,
        "difference": result.difference,
        "held_on_cash": result.held_on_cash,
        "components": [
            {
                "plan_id": c.plan_id,
                "component_id": c.component_id,
                "currency": c.currency,
                "before": c.before,
                "after": c.after,
                "difference": c.difference,
            }
            for c in result.components
        ],
        "deal_lines": result.deal_lines,
    }
