"""Reading the audit log: admin and finance only."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from attain.audit.models import AuditEntry


def can_view(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.sees_everything)


def require_view(user) -> None:
    if not can_view(user):
        raise PermissionDenied("The audit log is for admins and finance.")


def entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor").order_by("-at", "-id")


def object_types() -> list[str]:
    return list(
        AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def search(
    qs: QuerySet[AuditEntry],
    *,
    q: str = "",
    object_type: str = "",
    action: str = "",
    actor_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Filter entries; ``date_to`` is inclusive (the whole day)."""
    if q:
        qs = qs.filter(object_repr__icontains=q)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if action:
        qs = qs.filter(action=action)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if date_from is not None:
        qs = qs.filter(at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(at__date__lte=date_to)
    return qs
