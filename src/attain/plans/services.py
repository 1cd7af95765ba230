"""Writing plans and plan assignments. Admins only; every change is audited in its transaction.

A plan's YAML is validated by the engine (``attain.engine.parse_plan``) before anything is
written: an invalid document raises ``PlanYamlError`` (a ``ValidationError``) that names the
path inside the document, the reason and, when known, the line, so the editor can show it
next to the text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from attain.audit.services import record, snapshot
from attain.engine import Plan, PlanError, parse_plan
from attain.people.models import Rep
from attain.plans.models import PlanAssignment, PlanDocument, PlanRevision

MAX_PLAN_BYTES = 512 * 1024
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
ASSIGNMENT_FIELDS = [
    "rep_id",
    "plan_id",
    "valid_from",
    "valid_to",
    "target_incentive",
    "currency",
    "draw_per_period",
    "draw_recoverable",
]


def require_admin(user) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_admin_role:
        raise PermissionDenied("Only admins change plans and plan assignments.")


# Plans ------------------------------------------------------------------------------------


class PlanYamlError(ValidationError):
    """A plan document the engine refuses: ``path`` inside it, ``reason``, ``line`` (or None)."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{path or '(document)'}: {reason}", code="plan_error")

    def as_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason, "line": self.line}


@dataclass(frozen=True)
class SaveResult:
    document: PlanDocument
    revision: PlanRevision
    changed: bool  # False: the text was identical to the current revision, nothing written
    created: bool  # True: a new plan document (plan id, version) was created
    message: str


def normalize_text(text: str) -> str:
    """Line endings as ``\\n`` (browsers send ``\\r\\n``) and exactly one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n" if text.strip() else ""


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _top_level_line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def check_plan(text: str, source: str = "plan.yaml") -> Plan:
    """The engine's plan for ``text``, or ``PlanYamlError`` with the engine's path and reason."""
    if not text.strip():
        raise PlanYamlError("", "the plan is empty: paste or upload its YAML")
    if len(text.encode("utf-8")) > MAX_PLAN_BYTES:
        raise PlanYamlError("", f"the plan is larger than {MAX_PLAN_BYTES // 1024} KB")
    try:
        return parse_plan(text, source=source)
    except PlanError as error:
        raise PlanYamlError(error.path, error.reason, error.line) from None


def _revision_facts(document: PlanDocument, revision: PlanRevision | None) -> dict | None:
    if revision is None:
        return None
    return {
        "revision": revision.number,
        "sha256": revision.sha256,
        "name": document.name,
        "valid_from": document.valid_from,
        "valid_to": document.valid_to,
    }


def save_plan(user, yaml_text: str, comment: str = "", document: PlanDocument | None = None):
    """Save ``yaml_text`` as a new revision (of ``document``, or of a new plan document).

    Raises ``PermissionDenied`` unless ``user`` is an admin and ``PlanYamlError`` when the
    engine refuses the text or its id/version do not match ``document``. Saving the text of
    the current revision again writes nothing (``SaveResult.changed`` is False).
    """
    require_admin(user)
    text = normalize_text(yaml_text)
    comment = (comment or "").strip()[:300]
    source = f"{document.plan_id} v{document.version}" if document else "new plan"
    plan = check_plan(text, source)
    digest = sha256_of(text)
    with transaction.atomic():
        created = False
        if document is None:
            if PlanDocument.objects.filter(plan_id=plan.id, version=plan.version).exists():
                raise PlanYamlError(
                    "version",
                    f"plan {plan.id!r} version {plan.version} already exists: edit it, or give"
                    " this document a new version number",
                    _top_level_line(text, "version"),
                )
            try:
                with transaction.atomic():
                    document = PlanDocument.objects.create(
                        plan_id=plan.id,
                        version=plan.version,
                        name=plan.name[:200],
                        valid_from=plan.valid_from,
                        valid_to=plan.valid_to,
                    )
            except IntegrityError:
                raise PlanYamlError(
                    "version", f"plan {plan.id!r} version {plan.version} was just created"
                ) from None
            created = True
        else:
            document = PlanDocument.objects.select_for_update().get(pk=document.pk)
            if plan.id != document.plan_id:
                raise PlanYamlError(
                    "id",
                    f"this document is plan {document.plan_id!r}; the id cannot change to"
                    f" {plan.id!r} (create a new plan instead)",
                    _top_level_line(text, "id"),
                )
            if plan.version != document.version:
                raise PlanYamlError(
                    "version",
                    f"this document is version {document.version}; the version cannot change to"
                    f" {plan.version} (create a new plan version instead)",
                    _top_level_line(text, "version"),
                )
        previous = document.revisions.order_by("-number").first()
        if previous is not None and previous.sha256 == digest and previous.yaml == text:
            return SaveResult(
                document,
                previous,
                changed=False,
                created=False,
                message=f"No changes: the text is the same as revision {previous.number}.",
            )
        before = _revision_facts(document, previous)
        document.name = plan.name[:200]
        document.valid_from = plan.valid_from
        document.valid_to = plan.valid_to
        document.save(update_fields=["name", "valid_from", "valid_to"])
        revision = PlanRevision.objects.create(
            document=document,
            number=(previous.number + 1) if previous else 1,
            yaml=text,
            sha256=digest,
            author=user,
            comment=comment,
        )
        record(
            user,
            "created" if created else "revised",
            document,
            before=before,
            after=_revision_facts(document, revision),
            note=comment,
        )
    verb = "Created" if created else "Saved"
    return SaveResult(
        document,
        revision,
        changed=True,
        created=created,
        message=f"{verb} {document} (revision {revision.number}).",
    )


def set_archived(user, document: PlanDocument, archived: bool) -> PlanDocument:
    """Archive (kept for history, not calculated) or bring back a plan document."""
    require_admin(user)
    with transaction.atomic():
        document = PlanDocument.objects.select_for_update().get(pk=document.pk)
        if document.archived == archived:
            return document
        before = snapshot(document, ["archived"])
        document.archived = archived
        document.save(update_fields=["archived"])
        action = "archived" if archived else "unarchived"
        record(user, action, document, before=before, after=snapshot(document, ["archived"]))
    return document


# Plan assignments -------------------------------------------------------------------------


@dataclass
class AssignmentData:
    rep: Rep
    plan_id: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    target_incentive: Decimal = Decimal("0")
    currency: str = "USD"
    draw_per_period: Decimal = Decimal("0")
    draw_recoverable: bool = True


def _money(value, name: str, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append("must be a number")
        return None
    if not amount.is_finite():
        errors.setdefault(name, []).append("must be a number")
        return None
    if amount < 0:
        errors.setdefault(name, []).append("must be 0 or more")
    elif amount != amount.quantize(Decimal("0.01")):
        errors.setdefault(name, []).append("has at most 2 decimal places")
    elif abs(amount) >= Decimal(10) ** 16:
        errors.setdefault(name, []).append("is too large")
    else:
        return amount.quantize(Decimal("0.01"))
    return amount


def overlapping(rep_id: int, valid_from: dt.date, valid_to: dt.date | None, exclude_pk=None):
    """Assignments of the rep whose half-open interval meets ``[valid_from, valid_to)``."""
    qs = PlanAssignment.objects.filter(rep_id=rep_id).exclude(valid_to__lte=valid_from)
    if valid_to is not None:
        qs = qs.filter(valid_from__lt=valid_to)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("valid_from")


def validate_assignment(data: AssignmentData, exclude_pk=None) -> None:
    """Raise a ``ValidationError`` ``{field: [messages]}`` for anything wrong with ``data``."""
    errors: dict[str, list[str]] = {}
    data.plan_id = (data.plan_id or "").strip()
    if not data.plan_id:
        errors["plan_id"] = ["is required"]
    elif not PlanDocument.objects.filter(plan_id=data.plan_id).exists():
        errors["plan_id"] = [f"no plan {data.plan_id!r}: create the plan first"]
    if data.valid_from is None:
        errors["valid_from"] = ["is required"]
    elif data.valid_to is not None and data.valid_to <= data.valid_from:
        errors["valid_to"] = ["must be after the start (it is the first day no longer in force)"]
    data.target_incentive = _money(data.target_incentive, "target_incentive", errors)
    data.draw_per_period = _money(data.draw_per_period, "draw_per_period", errors)
    data.currency = (data.currency or "").strip().upper()
    if not CURRENCY_RE.match(data.currency):
        errors["currency"] = ["must be a 3-letter code such as USD"]
    if data.rep is None:
        errors["rep"] = ["is required"]
    if not errors:
        clash = overlapping(data.rep.pk, data.valid_from, data.valid_to, exclude_pk).first()
        if clash is not None:
            until = f"until {clash.valid_to}" if clash.valid_to else "with no end"
            errors["valid_from"] = [
                f"{data.rep} is already on plan {clash.plan_id} from {clash.valid_from} {until};"
                " assignments of one rep cannot overlap (end that one first)"
            ]
    if errors:
        raise ValidationError(errors)


def _assignment_snapshot(assignment: PlanAssignment) -> dict:
    return snapshot(assignment, ASSIGNMENT_FIELDS)


def _lock_rep(rep: Rep) -> None:
    """Serialize writes for one rep, so two overlapping saves cannot both pass the check."""
    Rep.objects.select_for_update().filter(pk=rep.pk).first()


def create_assignment(user, data: AssignmentData) -> PlanAssignment:
    require_admin(user)
    with transaction.atomic():
        if data.rep is not None:
            _lock_rep(data.rep)
        validate_assignment(data)
        assignment = PlanAssignment.objects.create(
            **{f.name: getattr(data, f.name) for f in fields(AssignmentData)}
        )
        record(user, "created", assignment, after=_assignment_snapshot(assignment))
    return assignment


def update_assignment(user, assignment: PlanAssignment, data: AssignmentData) -> PlanAssignment:
    require_admin(user)
    with transaction.atomic():
        _lock_rep(assignment.rep)
        if data.rep is not None and data.rep.pk != assignment.rep_id:
            _lock_rep(data.rep)
        assignment = PlanAssignment.objects.select_for_update().get(pk=assignment.pk)
        validate_assignment(data, exclude_pk=assignment.pk)
        before = _assignment_snapshot(assignment)
        for f in fields(AssignmentData):
            setattr(assignment, f.name, getattr(data, f.name))
        after = _assignment_snapshot(assignment)
        if after == before:
            return assignment
        assignment.save()
        record(user, "updated", assignment, before=before, after=after)
    return assignment


def data_of(assignment: PlanAssignment) -> AssignmentData:
    return AssignmentData(**{f.name: getattr(assignment, f.name) for f in fields(AssignmentData)})


def end_assignment(user, assignment: PlanAssignment, end: dt.date) -> PlanAssignment:
    """End the assignment: ``end`` is the first day the rep is no longer on the plan."""
    require_admin(user)
    if end is None:
        raise ValidationError({"valid_to": ["is required"]})
    with transaction.atomic():
        _lock_rep(assignment.rep)
        assignment = PlanAssignment.objects.select_for_update().get(pk=assignment.pk)
        data = data_of(assignment)
        data.valid_to = end
        validate_assignment(data, exclude_pk=assignment.pk)
        before = _assignment_snapshot(assignment)
        assignment.valid_to = end
        assignment.save(update_fields=["valid_to", "updated_at"])
        record(user, "ended", assignment, before=before, after=_assignment_snapshot(assignment))
    return assignment


# Bulk upsert (for the imports app) --------------------------------------------------------


@dataclass
class UpsertReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(value, name: str, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError({name: ["is required"]})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({name: ["must be a date YYYY-MM-DD"]}) from None


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return True
    return str(value).strip().lower() not in {"0", "false", "no", "n", "f"}


def _row_error(number: int, error: ValidationError) -> tuple[int, str]:
    if hasattr(error, "error_dict"):
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    else:
        text = " ".join(error.messages)
    return number, text


def upsert_assignments(user, rows, *, dry_run: bool = False) -> UpsertReport:
    """Create or update assignments from rows of text cells, all or nothing.

    Each row is a mapping with ``rep`` (the rep's external id), ``plan_id``, ``valid_from``,
    ``valid_to``, ``target_incentive``, ``currency``, ``draw_per_period``, ``draw_recoverable``.
    A row matches an existing assignment by (rep, valid_from). Errors name the row (1-based).
    """
    require_admin(user)
    rows = list(rows)
    report = UpsertReport(rows=len(rows), errors=[])
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            try:
                external_id = str(row.get("rep") or "").strip()
                rep = Rep.objects.filter(external_id=external_id).first()
                if rep is None:
                    raise ValidationError({"rep": [f"no rep with external id {external_id!r}"]})
                data = AssignmentData(
                    rep=rep,
                    plan_id=str(row.get("plan_id") or ""),
                    valid_from=_date(row.get("valid_from"), "valid_from", True),
                    valid_to=_date(row.get("valid_to"), "valid_to", False),
                    target_incentive=row.get("target_incentive") or "0",
                    currency=str(row.get("currency") or "USD"),
                    draw_per_period=row.get("draw_per_period") or "0",
                    draw_recoverable=_bool(row.get("draw_recoverable")),
                )
                existing = PlanAssignment.objects.filter(
                    rep=rep, valid_from=data.valid_from
                ).first()
                if existing is None:
                    create_assignment(user, data)
                    report.created += 1
                else:
                    before = _assignment_snapshot(existing)
                    updated = update_assignment(user, existing, data)
                    if _assignment_snapshot(updated) == before:
                        report.unchanged += 1
                    else:
                        report.updated += 1
            except ValidationError as error:
                report.errors.append(_row_error(number, error))
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report
