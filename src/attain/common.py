"""Small shared pieces: money fields and effective dating conventions.

Effective dates are half-open everywhere: a row is in force on day D when
``valid_from <= D`` and (``valid_to`` is empty or ``D < valid_to``). ``valid_to`` is the
first day the row is no longer in force.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import Q

MONEY_DIGITS = 18
MONEY_PLACES = 2
DEFAULT_CURRENCY = "USD"


def MoneyField(**kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """An exact money amount (2 decimal places); the currency sits in a sibling field."""
    kwargs.setdefault("max_digits", MONEY_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_PLACES)
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(**kwargs)


def CurrencyField(**kwargs) -> models.CharField:  # noqa: N802
    kwargs.setdefault("max_length", 3)
    kwargs.setdefault("default", DEFAULT_CURRENCY)
    return models.CharField(**kwargs)


def in_force_on(day: dt.date, prefix: str = "") -> Q:
    """Filter for effective-dated rows in force on ``day`` (half-open interval)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


class EffectiveDated(models.Model):
    valid_from = models.DateField()
    valid_to = models.DateField(
        null=True, blank=True, help_text="First day no longer in force; empty means open-ended."
    )

    class Meta:
        abstract = True

    def in_force(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)
