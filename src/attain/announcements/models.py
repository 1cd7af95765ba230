"""Strategic announcements: a structured message from a leader to an audience, with read and
acknowledgement receipts, reminders and questions.

The audience is stored as a rule (everyone, a region, a team with its subtree, or a
territory's owners), not as a list of people: it is resolved by the hierarchy in force on
the day it is looked at, so someone who joins the team later receives it too (see
docs/announcements.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from attain.people.models import Team
from attain.territories.models import Territory


class Announcement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        REGION = "region", "Region"
        TEAM = "team", "Team and the teams below"
        TERRITORY = "territory", "Territory owners"

    # The four sections every announcement is written in, in reading order.
    SECTIONS = [
        ("why", "Why the change is happening"),
        ("priorities", "How it changes the team's priorities"),
        ("adjustments", "How targeting, positioning and sales process must adjust, and why"),
        ("unchanged", "What stays the same"),
    ]

    title = models.CharField(max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    audience_region = models.CharField(max_length=64, blank=True)
    audience_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audience_territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    why = models.TextField(blank=True, help_text="Markdown.")
    priorities = models.TextField(blank=True, help_text="Markdown.")
    adjustments = models.TextField(blank=True, help_text="Markdown.")
    unchanged = models.TextField(blank=True, help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # What the announcement explains: plan versions, and the quotas of a period.
    plans = models.ManyToManyField("plans.PlanDocument", blank=True, related_name="announcements")
    quota_period = models.CharField(
        max_length=10, blank=True, help_text="A quota period it explains, e.g. 2026-Q1."
    )
    quota_name = models.CharField(
        max_length=64, blank=True, help_text="Which quota (e.g. revenue); empty: all."
    )

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                name="announcement_audience_target",
                condition=(
                    Q(audience="everyone")
                    | (Q(audience="region") & ~Q(audience_region=""))
                    | Q(audience="team", audience_team__isnull=False)
                    | Q(audience="territory", audience_territory__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="announcement_published_has_time",
                condition=Q(status="draft") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("announcements:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def audience_label(self) -> str:
        if self.audience == self.Audience.REGION:
            return f"Region {self.audience_region}"
        if self.audience == self.Audience.TEAM:
            return f"Team {self.audience_team} and below"
        if self.audience == self.Audience.TERRITORY:
            return f"Owners of {self.audience_territory}"
        return "Everyone"

    def sections(self) -> list[tuple[str, str, str]]:
        """(key, heading, markdown) of the non-empty sections, in reading order."""
        return [(k, label, getattr(self, k)) for k, label in self.SECTIONS if getattr(self, k)]


class AnnouncementLink(models.Model):
    """A free link (title and URL) to anything else the announcement explains; plan versions
    and a quota period are typed references on the announcement itself."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Receipt(models.Model):
    """When a recipient first opened the announcement, and when they acknowledged it."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="receipts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcement_receipts"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="receipt_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.announcement}"


class Reminder(models.Model):
    """A reminder the author sent to those who had not acknowledged yet. It shows as an
    in-app banner; no email is sent (outgoing mail is not set up)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reminders"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"Reminder for {self.announcement} at {self.sent_at:%Y-%m-%d %H:%M}"


class Question(models.Model):
    """A recipient's question: public (the whole audience sees it, and its answer joins the
    FAQ) or private (only the asker and the author see it)."""

    class Visibility(models.TextChoices):
        AUDIENCE = "audience", "Everyone who received the announcement"
        AUTHOR = "author", "Only the author"

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="questions"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="announcement_questions"
    )
    body = models.TextField()
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    asked_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.AUTHOR
