"""Which territory each account belongs to, and why. Pure (no Django): the selector loads
rows in bulk and hands them here.

Order of precedence, first that applies wins:

1. An **override** in force for the account (an admin pinned it to a territory).
2. Among the territories in force that cover the account, the **lowest priority number**.
3. On equal priority, a **listed** account (named account list) beats any rule.
4. Then the **most specific rule**: more conditions first (region, state, postcode,
   industry, size band each count one), then the longer postcode prefix.
5. Then the territory name, then its id (so the answer never depends on load order).

Accounts that nothing covers are "uncaught".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class AccountFacts:
    id: int
    region: str = ""
    state: str = ""
    postcode: str = ""
    industry: str = ""
    potential: Decimal = Decimal("0")

    def facts(self) -> tuple:
        """What a rule compares, names lower-cased once (``TerritoryRule.test``)."""
        return (
            self.region.lower(),
            self.state.lower(),
            self.postcode,
            self.industry.lower(),
            self.potential,
        )


@dataclass(frozen=True)
class TerritoryRule:
    id: int
    name: str
    priority: int
    listed: bool = False
    region: str = ""
    state: str = ""
    postcode_prefix: str = ""
    industry: str = ""
    potential_min: Decimal | None = None  # size band: min <= potential < max
    potential_max: Decimal | None = None

    def conditions(self) -> int:
        band = self.potential_min is not None or self.potential_max is not None
        fields = (self.region, self.state, self.postcode_prefix, self.industry)
        return sum(1 for f in fields if f) + (1 if band else 0)

    def sort_key(self) -> tuple:
        return (
            self.priority,
            0 if self.listed else 1,
            -self.conditions(),
            -len(self.postcode_prefix),
            self.name,
            self.id,
        )

    def matches(self, a: AccountFacts) -> bool:
        return self.test is not None and _fits(self.test, a.facts())

    @functools.cached_property
    def test(self) -> tuple | None:
        """The rule's conditions, names lower-cased once, for ``_fits``; None for a listed
        territory or one without conditions (no rule catches anything then)."""
        if self.listed or not self.conditions():
            return None
        return (
            self.region.lower(),
            self.state.lower(),
            self.postcode_prefix,
            self.industry.lower(),
            self.potential_min,
            self.potential_max,
        )

    @functools.cached_property
    def reason(self) -> str:
        return f"{self.describe()} → {self.name}"

    def describe(self) -> str:
        if self.listed:
            return "listed account"
        parts = []
        if self.region:
            parts.append(f"region {self.region}")
        if self.state:
            parts.append(f"state {self.state}")
        if self.postcode_prefix:
            parts.append(f"postcode {self.postcode_prefix}*")
        if self.industry:
            parts.append(f"industry {self.industry}")
        if self.potential_min is not None or self.potential_max is not None:
            low = f"{self.potential_min:,.0f}" if self.potential_min is not None else "0"
            high = f"{self.potential_max:,.0f}" if self.potential_max is not None else "∞"
            parts.append(f"potential {low}–{high}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Override:
    account_id: int
    territory_id: int
    territory_name: str
    by: str = ""
    note: str = ""


@dataclass(frozen=True)
class Assignment:
    account_id: int
    territory_id: int | None
    territory_name: str
    reason: str
    kind: str  # "override", "listed", "rule" or "uncaught"


def resolve(
    accounts: list[AccountFacts],
    territories: list[TerritoryRule],
    listed: dict[int, set[int]],
    overrides: dict[int, Override] | None = None,
) -> dict[int, Assignment]:
    """Assign every account. ``listed`` maps account id → ids of list territories naming
    it; ``overrides`` maps account id → its override."""
    overrides = overrides or {}
    ordered = sorted(territories, key=TerritoryRule.sort_key)
    result: dict[int, Assignment] = {}
    for account in accounts:
        override = overrides.get(account.id)
        if override is not None:
            why = f"override by {override.by or 'an admin'}"
            if override.note:
                why += f" ({override.note})"
            result[account.id] = Assignment(
                account.id, override.territory_id, override.territory_name,
                f"{why} → {override.territory_name}", "override",
            )  # fmt: skip
            continue
        names = listed.get(account.id, set())
        facts = account.facts()
        for t in ordered:
            if (t.listed and t.id in names) or (t.test is not None and _fits(t.test, facts)):
                result[account.id] = Assignment(
                    account.id, t.id, t.name, t.reason, "listed" if t.listed else "rule"
                )
                break
        else:
            result[account.id] = Assignment(account.id, None, "", "no rule catches it", "uncaught")
    return result


def _fits(test: tuple, facts: tuple) -> bool:
    """Whether an account's facts (``AccountFacts.facts``) meet a rule's conditions
    (``TerritoryRule.test``): every condition set must hold; names compare ignoring case."""
    region, state, prefix, industry, low, high = test
    a_region, a_state, a_postcode, a_industry, a_potential = facts
    return (
        (not region or a_region == region)
        and (not state or a_state == state)
        and (not prefix or a_postcode.startswith(prefix))
        and (not industry or a_industry == industry)
        and (low is None or a_potential >= low)
        and (high is None or a_potential < high)
    )
