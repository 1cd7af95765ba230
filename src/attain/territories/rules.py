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
        if self.listed or not self.conditions():
            return False
        if self.region and a.region.lower() != self.region.lower():
            return False
        if self.state and a.state.lower() != self.state.lower():
            return False
        if self.postcode_prefix and not a.postcode.startswith(self.postcode_prefix):
            return False
        if self.industry and a.industry.lower() != self.industry.lower():
            return False
        if self.potential_min is not None and a.potential < self.potential_min:
            return False
        return not (self.potential_max is not None and a.potential >= self.potential_max)

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
        for t in ordered:
            if (t.listed and t.id in names) or t.matches(account):
                result[account.id] = Assignment(
                    account.id, t.id, t.name, f"{t.describe()} → {t.name}",
                    "listed" if t.listed else "rule",
                )  # fmt: skip
                break
        else:
            result[account.id] = Assignment(account.id, None, "", "no rule catches it", "uncaught")
    return result
