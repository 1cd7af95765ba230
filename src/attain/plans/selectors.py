"""Reading plans and assignments. Admin and finance see every plan; others see none."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet

from attain.common import in_force_on
from attain.plans.models import PlanAssignment, PlanDocument, PlanRevision


def can_view(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.sees_everything)


def can_edit(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin_role)


def require_view(user) -> None:
    if not can_view(user):
        raise PermissionDenied("Plans are for admins and finance.")


def documents(archived: bool | None = None) -> QuerySet[PlanDocument]:
    """Plan documents with their revision count and latest revision number."""
    qs = PlanDocument.objects.annotate(
        revision_count=Count("revisions"), latest_number=Max("revisions__number")
    )
    if archived is not None:
        qs = qs.filter(archived=archived)
    return qs.order_by("plan_id", "version")


def search_documents(qs: QuerySet[PlanDocument], q: str = "", status: str = "") -> QuerySet:
    if q:
        qs = qs.filter(Q(plan_id__icontains=q) | Q(name__icontains=q))
    if status == "active":
        qs = qs.filter(archived=False)
    elif status == "archived":
        qs = qs.filter(archived=True)
    return qs


def revisions_of(document: PlanDocument) -> QuerySet[PlanRevision]:
    return document.revisions.select_related("author").order_by("-number")


def revision(document: PlanDocument, number: int) -> PlanRevision | None:
    return document.revisions.select_related("author").filter(number=number).first()


def previous_revision(rev: PlanRevision) -> PlanRevision | None:
    return (
        PlanRevision.objects.filter(document_id=rev.document_id, number__lt=rev.number)
        .order_by("-number")
        .first()
    )


def plan_ids() -> list[str]:
    return list(
        PlanDocument.objects.order_by("plan_id").values_list("plan_id", flat=True).distinct()
    )


def assignments() -> QuerySet[PlanAssignment]:
    return PlanAssignment.objects.select_related("rep").order_by("rep__name", "valid_from", "id")


def search_assignments(
    qs: QuerySet[PlanAssignment],
    *,
    rep_id: int | None = None,
    plan_id: str = "",
    in_force_day: dt.date | None = None,
) -> QuerySet[PlanAssignment]:
    if rep_id is not None:
        qs = qs.filter(rep_id=rep_id)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if in_force_day is not None:
        qs = qs.filter(in_force_on(in_force_day))
    return qs


def assignments_of_plan(plan_id: str) -> QuerySet[PlanAssignment]:
    return assignments().filter(plan_id=plan_id)
