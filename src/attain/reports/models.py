"""Who gets the weekly report by email, and which weeks went out."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class WeeklyReportOptOut(models.Model):
    """A user who asked not to get the weekly report (everyone with an address gets it
    otherwise)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_report_opt_out"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} does not get the weekly report"


class WeeklyReportDelivery(models.Model):
    """One week's report sent to one user: a second run for the same week skips them
    (a scheduler that fires twice, or a run resumed after a mail server failed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_reports"
    )
    week_start = models.DateField(help_text="The Monday of the week reported.")
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="one_weekly_report_a_week")
        ]
        ordering = ["-week_start", "user"]

    def __str__(self) -> str:
        return f"weekly report of {self.week_start} to {self.sent_to}"
