from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from attain.common import EffectiveDated
from attain.people.models import Rep
from attain.sales.models import Account


class Territory(EffectiveDated):
    """A named set of accounts, either by rule or by an explicit account list.

    A rule matches when every non-empty rule field matches the account (region and state
    exactly, case-insensitively; postcode by prefix; industry exactly). When several rules
    match, the lowest ``priority`` number wins.
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
        checks = [
            (self.rule_region, lambda r: account.region.lower() == r.lower()),
            (self.rule_state, lambda s: account.state.lower() == s.lower()),
            (self.rule_postcode_prefix, lambda p: account.postcode.startswith(p)),
            (self.rule_industry, lambda i: account.industry.lower() == i.lower()),
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
