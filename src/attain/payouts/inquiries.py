"""Inquiries: a rep questions one of their statement lines; finance answers.

A rep raises an inquiry on a line of an approved or paid run of their own. The rep, their
managers (by the hierarchy) and finance/admin see it and may add messages. Finance sets the
outcome: ``answered``, ``rejected`` or ``adjusted``; ``adjusted`` creates a
``ManualAdjustment`` (amount and reason) that the next run books as a manual line. Every
change is audited; each outcome is also kept in the thread as a message.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from attain.audit.services import record, snapshot
from attain.payouts.models import CalcRun, Inquiry, InquiryMessage, LedgerLine, ManualAdjustment
from attain.payouts.selectors_statements import can_see_rep, is_finance
from attain.people.selectors import rep_for_user

OUTCOMES = {Inquiry.Status.ANSWERED, Inquiry.Status.REJECTED, Inquiry.Status.ADJUSTED}
MAX_ADJUSTMENT = Decimal("1000000000")


def can_raise(user, line: LedgerLine) -> bool:
    rep = rep_for_user(user)
    return rep is not None and rep.pk == line.rep_id and line.run.status in CalcRun.CLOSED


def can_reply(user, inquiry: Inquiry) -> bool:
    return user.is_authenticated and can_see_rep(user, inquiry.rep_id)


def can_resolve(user, inquiry: Inquiry | None = None) -> bool:
    if not is_finance(user):
        return False
    return inquiry is None or inquiry.status != Inquiry.Status.ADJUSTED


def _clean(text: str, what: str, limit: int | None = None) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationError({what: [f"Write a {what}."]})
    if limit is not None and len(value) > limit:
        raise ValidationError({what: [f"Keep the {what} under {limit} characters."]})
    return value


def raise_inquiry(user, line: LedgerLine, subject: str, body: str) -> Inquiry:
    if not can_raise(user, line):
        raise PermissionDenied("Only the rep can raise an inquiry on their approved statement.")
    subject = _clean(subject, "subject", 200)
    body = _clean(body, "message")
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            line=line, rep_id=line.rep_id, raised_by=user, subject=subject
        )
        InquiryMessage.objects.create(inquiry=inquiry, author=user, body=body)
        record(user, "raised", inquiry, after=snapshot(inquiry), note=f"on ledger line {line.pk}")
    return inquiry


def add_message(user, inquiry: Inquiry, body: str) -> InquiryMessage:
    if not can_reply(user, inquiry):
        raise PermissionDenied("You cannot reply to this inquiry.")
    body = _clean(body, "message")
    with transaction.atomic():
        message = InquiryMessage.objects.create(inquiry=inquiry, author=user, body=body)
        Inquiry.objects.filter(pk=inquiry.pk).update(updated_at=message.created_at)
        record(user, "replied", inquiry, after={"message": message.pk})
    return message


def parse_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": ["Enter an amount, e.g. 250.00 or -120.50."]}) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": ["Use at most two decimal places."]})
    if amount == 0:
        raise ValidationError({"amount": ["An adjustment of zero changes nothing."]})
    if abs(amount) >= MAX_ADJUSTMENT:
        raise ValidationError({"amount": ["That amount is too large."]})
    return amount


def resolve(
    user,
    inquiry: Inquiry,
    status: str,
    message: str = "",
    amount=None,
    reason: str = "",
) -> Inquiry:
    """Finance sets the outcome. ``adjusted`` needs an amount and a reason and books a
    manual adjustment for the next run; an adjusted inquiry is final."""
    if not is_finance(user):
        raise PermissionDenied("Only finance resolves inquiries.")
    if status not in OUTCOMES:
        raise ValidationError({"status": ["Choose answered, rejected or adjusted."]})
    note = (message or "").strip()
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if locked.status == Inquiry.Status.ADJUSTED:
            raise ValidationError("This inquiry was already adjusted; its outcome is final.")
        before = {"status": locked.status}
        adjustment = None
        if status == Inquiry.Status.ADJUSTED:
            value = parse_amount(amount)
            reason = _clean(reason, "reason", 400)
            adjustment = ManualAdjustment.objects.create(
                rep_id=locked.rep_id,
                amount=value,
                currency=locked.line.currency,
                reason=f"Inquiry #{locked.pk}: {reason}",
                created_by=user,
            )
            record(
                user, "created", adjustment, after=snapshot(adjustment), note=f"inquiry {locked.pk}"
            )
            locked.adjustment = adjustment
        elif not note:
            raise ValidationError({"message": ["Explain the outcome to the rep."]})
        locked.status = status
        locked.save()
        label = Inquiry.Status(status).label
        text = f"Marked {label.lower()}."
        if adjustment is not None:
            text += (
                f" Adjustment of {adjustment.amount} {adjustment.currency} ({reason}) "
                "will be paid by the next run."
            )
        if note:
            text += f"\n\n{note}"
        InquiryMessage.objects.create(inquiry=locked, author=user, body=text)
        after = {"status": status}
        if adjustment is not None:
            after["adjustment"] = adjustment.pk
        record(user, status, locked, before=before, after=after, note=note[:300])
    return locked
