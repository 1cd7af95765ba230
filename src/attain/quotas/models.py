"""Quotas: a number per rep, quota name and period that attainment is measured against.

``quota`` is the name a plan's component refers to (``quota: revenue``); ``period`` uses
the engine's notation (``2026``, ``2026-H1``, ``2026-Q1``, ``2026-03``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attain.common import CurrencyField, MoneyField
from attain.people.models import Rep


class Quota(models.Model):
    class Source(models.TextChoices):
        ENTERED = "entered", "Entered"
        IMPORTED = "imported", "Imported"
        DISTRIBUTED = "distributed", "Distributed from a team number"

    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="quotas")
    quota = models.CharField(max_length=64, help_text="Name a plan component refers to.")
    period = models.CharField(max_length=10)
    amount = MoneyField()
    currency = CurrencyField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ENTERED)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "rep__name", "quota"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "quota", "period"], name="quota_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="quota_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.quota} {self.period}: {self.amount}"
