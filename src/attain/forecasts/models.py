"""Forecast calls: what a rep (for their own deals) or a manager (for their team) says the
period will bring, as two numbers — commit (what they will stand behind) and best case.

Calls are never edited: each submission is a new row, so the history shows how a call moved
and forecast accuracy compares the call as it stood mid-period with what was won.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from attain.common import CurrencyField, MoneyField
from attain.people.models import Rep


class ForecastCall(models.Model):
    class Scope(models.TextChoices):
        OWN = "own", "Own deals"
        TEAM = "team", "Team"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="forecast_calls")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.OWN)
    period = models.CharField(max_length=10, help_text="2026-11 or 2026-Q4")
    commit = MoneyField()
    best_case = MoneyField()
    currency = CurrencyField()
    note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["period", "scope", "rep", "submitted_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(commit__gte=0), name="forecast_commit_not_negative"),
            models.CheckConstraint(
                condition=Q(best_case__gte=F("commit")), name="forecast_best_case_at_least_commit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.period} ({self.get_scope_display()}): commit {self.commit}"
