"""Compensation plans kept in the app: YAML documents with every saved edit kept.

A ``PlanDocument`` is one engine plan version, identified as the engine does by
``(plan_id, version)`` (see docs/plans.md: versions of a plan differ in ``valid_from``).
Each save of its YAML is a new ``PlanRevision`` (author, time, text); the latest revision
is the one calculations use, and a run records the revisions it used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attain.common import CurrencyField, EffectiveDated, MoneyField
from attain.people.models import Rep


class PlanDocument(models.Model):
    plan_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    archived = models.BooleanField(
        default=False, help_text="Archived plans are kept for history but not calculated."
    )

    class Meta:
        ordering = ["plan_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["plan_id", "version"], name="plan_id_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.version}"

    @property
    def current(self) -> PlanRevision | None:
        return self.revisions.order_by("-number").first()


class PlanRevision(models.Model):
    """One saved edit of a plan's YAML. Never changed after it is written."""

    document = models.ForeignKey(PlanDocument, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    yaml = models.TextField()
    sha256 = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="plan_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} revision {self.number}"


class PlanAssignment(EffectiveDated):
    """A rep is paid on a plan between two dates, with a target incentive for the plan's
    pay period (on-target earnings × the variable share, per period)."""

    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="plan_assignments")
    plan_id = models.CharField(max_length=64, help_text="The engine plan id (any version).")
    target_incentive = MoneyField()
    currency = CurrencyField()
    draw_per_period = MoneyField(
        help_text="Guaranteed minimum paid each pay period as an advance (0 = no draw)."
    )
    draw_recoverable = models.BooleanField(
        default=True,
        help_text="A recoverable draw is paid back from later earnings above the draw.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rep__name", "valid_from"]
        indexes = [models.Index(fields=["rep", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.rep} on {self.plan_id} from {self.valid_from}"
