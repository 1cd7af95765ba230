from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One import attempt (real or dry run) and its outcome, kept for the data-health page."""

    class Source(models.TextChoices):
        CLI = "cli", "Command line"
        UPLOAD = "upload", "Upload page"
        API = "api", "JSON API"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        DRY_RUN = "dry_run", "Dry run"
        REJECTED = "rejected", "Rejected"

    entity = models.CharField(max_length=32)
    file_name = models.CharField(max_length=255)
    preset = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    status = models.CharField(max_length=8, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(
        default=0, help_text="All errors found; ``errors`` keeps only the first ones."
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.entity} from {self.file_name} ({self.status})"
