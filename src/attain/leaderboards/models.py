"""Boards, competitions and wall-screen display tokens.

Standings are never stored while a board is live: they are computed from deals and credits
(selectors.py). A finished competition keeps its final standings in ``results``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

from attain.people.models import Rep, Team, User
from attain.territories.models import Territory


class Subject(models.TextChoices):
    INDIVIDUALS = "individuals", "Individuals"
    TEAMS = "teams", "Teams"
    TERRITORIES = "territories", "Territories"


class Measure(models.TextChoices):
    WON_REVENUE = "won_revenue", "Won revenue"
    MARGIN = "margin", "Margin"
    UNITS = "units", "Units"
    DEAL_COUNT = "deal_count", "Deals won"
    ACTIVITIES = "activities", "Activities"
    ATTAINMENT = "attainment", "Attainment % of quota"


class Window(models.TextChoices):
    TODAY = "today", "Today"
    WEEK = "week", "This week"
    MONTH = "month", "This month"
    QUARTER = "quarter", "This quarter"
    CUSTOM = "custom", "Custom dates"


class Privacy(models.TextChoices):
    SHOW_AMOUNTS = "show_amounts", "Everyone sees amounts"
    RANKS_ONLY = "ranks_and_percent_only", "Peers see ranks and % only"


TIE_BREAK = "equal values: who reached the value first (close date, then time won), then name"
NO_QUOTA_RULE = "; those with no revenue quota for the window rank last, by name"


class Board(models.Model):
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=16, choices=Subject.choices, default=Subject.INDIVIDUALS)
    measure = models.CharField(max_length=16, choices=Measure.choices, default=Measure.WON_REVENUE)
    window = models.CharField(max_length=16, choices=Window.choices, default=Window.MONTH)
    start_date = models.DateField(null=True, blank=True, help_text="Custom window only.")
    end_date = models.DateField(null=True, blank=True, help_text="Custom window only, inclusive.")
    scope_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the whole organisation; else this team and every team below it.",
    )
    privacy = models.CharField(max_length=32, choices=Privacy.choices, default=Privacy.RANKS_ONLY)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def tie_break(self) -> str:
        return TIE_BREAK + (NO_QUOTA_RULE if self.measure == Measure.ATTAINMENT else "")


class Competition(models.Model):
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=16, choices=Subject.choices, default=Subject.INDIVIDUALS)
    measure = models.CharField(max_length=16, choices=Measure.choices, default=Measure.WON_REVENUE)
    start_date = models.DateField()
    end_date = models.DateField(help_text="Inclusive.")
    reps = models.ManyToManyField(Rep, blank=True, related_name="+")
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    territories = models.ManyToManyField(Territory, blank=True, related_name="+")
    prizes = models.TextField(blank=True)
    rules = models.TextField(blank=True)
    privacy = models.CharField(max_length=32, choices=Privacy.choices, default=Privacy.RANKS_ONLY)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(
        default=list, blank=True, help_text="Final standings, written when archived."
    )

    class Meta:
        ordering = ["-end_date", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def tie_break(self) -> str:
        return TIE_BREAK + (NO_QUOTA_RULE if self.measure == Measure.ATTAINMENT else "")


class DisplayToken(models.Model):
    """Pairs a wall screen with some boards. Only a SHA-256 digest of the key is stored; the
    key only reads the boards listed here, and stops working once revoked."""

    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    boards = models.ManyToManyField(Board, related_name="displays")
    rotate_seconds = models.PositiveIntegerField(default=20)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookIntegration(models.Model):
    """A CRM (or other system) that posts won deals to ``POST /api/webhooks/deals``.

    Each integration has its own secret; the sender signs ``<timestamp>.<raw body>`` with it
    (HMAC-SHA256, headers ``X-Attain-Timestamp`` and ``X-Attain-Signature: sha256=<hex>``;
    leaderboards/webhooks.py). The secret has to be kept in
    clear text, since verifying an HMAC needs it; only admins see it (Django admin). Deals
    are written as ``acts_as`` (an admin), so the audit log names who set the integration up.
    """

    name = models.CharField(max_length=100, unique=True)
    secret = models.CharField(max_length=128, default=new_webhook_secret)
    acts_as = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="An admin: deals arrive with this user's rights and in the audit log as them.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name + (" (revoked)" if self.revoked_at else "")
