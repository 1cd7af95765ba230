from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from attain.common import EffectiveDated, MoneyField
from attain.people.models import Rep, User
from attain.sales.models import Account


class Territory(EffectiveDated):
    """A named set of accounts, either by rule or by an explicit account list.

    A rule matches when every non-empty rule field matches the account (region and state
    exactly, case-insensitively; postcode by prefix; industry exactly; potential inside the
    half-open size band). The order of precedence when several match is in
    ``attain.territories.rules``.
    """

    class Kind(models.TextChoices):
        RULE = "rule", "By rule"
        LIST = "list", "By account list"

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.RULE)
    rule_region = models.CharField(max_length=64, blank=True)
    rule_state = models.CharField(max_length=64, blank=True)
    rule_postcode_prefix = models.CharField(max_length=16, blank=True)
    rule_industry = models.CharField(max_length=100, blank=True)
    rule_potential_min = MoneyField(
        null=True, blank=True, default=None, help_text="Size band: potential at least this."
    )
    rule_potential_max = MoneyField(
        null=True, blank=True, default=None, help_text="Size band: potential below this."
    )
    priority = models.PositiveIntegerField(default=100)
    accounts = models.ManyToManyField(Account, blank=True, related_name="listed_territories")

    class Meta:
        ordering = ["priority", "name"]
        verbose_name_plural = "territories"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="territory_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def matches(self, account: Account) -> bool:
        if self.kind == self.Kind.LIST:
            return self.accounts.filter(pk=account.pk).exists()
        lo, hi = self.rule_potential_min, self.rule_potential_max
        checks = [
            (self.rule_region, lambda r: account.region.lower() == r.lower()),
            (self.rule_state, lambda s: account.state.lower() == s.lower()),
            (self.rule_postcode_prefix, lambda p: account.postcode.startswith(p)),
            (self.rule_industry, lambda i: account.industry.lower() == i.lower()),
            (self.rule_potential_min is not None, lambda _: account.potential >= lo),
            (self.rule_potential_max is not None, lambda _: account.potential < hi),
        ]
        active = [(value, test) for value, test in checks if value]
        return bool(active) and all(test(value) for value, test in active)


class TerritoryOwner(EffectiveDated):
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="owners")
    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="territory_ownerships")

    class Meta:
        ordering = ["territory", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "rep", "valid_from"], name="territory_owner_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="territory_owner_valid_to_after_valid_from",
            ),
        ]


class AccountOverride(EffectiveDated):
    """An admin's pin of one account to a territory; beats every rule and list."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="territory_overrides"
    )
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="overrides")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["account", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="account_override_valid_to_after_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.territory_id} from {self.valid_from}"


class Scenario(models.Model):
    """A draft territory plan: proposed territories and every account's place in them."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPLIED = "applied", "Applied"

    class Kind(models.TextChoices):
        DESIGN = "design", "New design"
        REALIGN = "realign", "Realignment"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DESIGN)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateField(help_text="Day whose plan and accounts the scenario starts from.")
    parameters = models.JSONField(default=dict, blank=True)
    quality = models.JSONField(default=dict, blank=True)
    applied_from = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ScenarioTerritory(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="territories")
    index = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(Rep, null=True, blank=True, on_delete=models.SET_NULL)
    centre_x = models.FloatField(default=0)
    centre_y = models.FloatField(default=0)
    created_territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["scenario", "index"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "index"], name="scenario_territory_index")
        ]

    def __str__(self) -> str:
        return self.name


class ScenarioAssignment(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="assignments")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(
        ScenarioTerritory, on_delete=models.CASCADE, related_name="assignments"
    )
    current_territory = models.ForeignKey(
        Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["scenario", "territory", "account"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "account"], name="scenario_account_once")
        ]

    def __str__(self) -> str:
        return f"account {self.account_id} → {self.territory_id} in scenario {self.scenario_id}"
