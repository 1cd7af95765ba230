from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q

from attain.common import EffectiveDated


class User(AbstractUser):
    """A login. Its role decides what it may see; a rep or manager is linked to a Rep."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        FINANCE = "finance", "Finance"
        MANAGER = "manager", "Manager"
        REP = "rep", "Rep"

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role in {self.Role.ADMIN, self.Role.FINANCE}

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN


class Rep(models.Model):
    """A person on the sales org chart who can own deals and be paid (AE, SDR, manager)."""

    external_id = models.CharField(max_length=64, unique=True)
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="rep"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=100, blank=True)
    hire_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)
    home_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    home_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A node of the sales hierarchy. Who belongs to it is effective-dated (TeamMembership)."""

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(EffectiveDated):
    """A rep belongs to (member) or leads (manager) a team between two dates."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MANAGER = "manager", "Manager"

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="membership_valid_to_after_valid_from",
            ),
            models.UniqueConstraint(
                fields=["rep", "team", "role", "valid_from"], name="membership_unique_start"
            ),
        ]
        indexes = [models.Index(fields=["team", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.rep} {self.role} of {self.team} from {self.valid_from}"


class ApiToken(models.Model):
    """A per-user bearer token for the JSON API. Only a SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
