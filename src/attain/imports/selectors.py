"""Reads for imports."""

from __future__ import annotations

from django.db.models import QuerySet

from attain.imports.models import ImportRun


def recent_runs(limit: int = 20) -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("user").order_by("-started_at", "-pk")[:limit]


def last_run() -> ImportRun | None:
    return ImportRun.objects.order_by("-started_at", "-pk").first()
