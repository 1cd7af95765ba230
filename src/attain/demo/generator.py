"""The pure generation core: no Django, no I/O.

``generate(config)`` builds the small tables at once (teams, reps, memberships, accounts,
products, territories) and returns a ``DemoData`` whose ``chunks()`` streams the big ones
(deals, deal lines, credits, activities) as column arrays. Ids are 1-based positions in
each table; foreign keys refer to them. Money is integer cents, credit shares integer
ten-thousandths (10000 = 100%), coordinates integer micro-degrees, dates int32 day numbers
(``NO_DAY`` means none) — all exact, so writers convert without rounding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from attain.demo import catalog
from attain.demo.accounts import Accounts, build_accounts
from attain.demo.config import DEAL_CHUNK, REP_CHUNK, DemoConfig
from attain.demo.deals import DealModel
from attain.demo.logins import Login, choose_logins
from attain.demo.people import Org, build_org
from attain.demo.seasonality import close_day_cdf
from attain.demo.territories import build_territories

Table = dict[str, np.ndarray]


@dataclass
class Chunk:
    """Part of the streamed tables; a table is None when the chunk has none of it."""

    deals: Table | None = None
    deal_lines: Table | None = None
    credits: Table | None = None
    activities: Table | None = None
    deal_stages: Table | None = None


def products_table() -> Table:
    return {
        "id": np.arange(1, len(catalog.PRODUCTS) + 1, dtype=np.int64),
        "external_id": np.array([p.sku for p in catalog.PRODUCTS], dtype=object),
        "name": np.array([p.name for p in catalog.PRODUCTS], dtype=object),
        "family": np.array([p.family for p in catalog.PRODUCTS], dtype=object),
        "list_price": catalog.LIST_PRICE.copy(),
        "unit_cost": catalog.UNIT_COST.copy(),
    }


@dataclass
class DemoData:
    config: DemoConfig
    org: Org
    accounts: Accounts
    products: Table
    territories: Table
    territory_owners: Table
    logins: list[Login]
    model: DealModel

    @property
    def small_tables(self) -> dict[str, Table]:
        return {
            "teams": self.org.teams,
            "reps": self.org.reps,
            "memberships": self.org.memberships,
            "accounts": self.accounts.table,
            "products": self.products,
            "territories": self.territories,
            "territory_owners": self.territory_owners,
        }

    def chunks(self) -> Iterator[Chunk]:
        """Deals with their lines, credits, activities and stage history, then
        prospecting activities."""
        next_deal = next_line = next_credit = next_activity = next_stage = 1
        remaining, index = self.config.deals, 0
        while remaining > 0:
            n = min(DEAL_CHUNK, remaining)
            raw = self.model.chunk(index, n)
            deal_ids = np.arange(next_deal, next_deal + n, dtype=np.int64)
            deals = {"id": deal_ids, **{k: v for k, v in raw.deals.items() if k != "owner"}}
            lines = raw.deal_lines
            lines = {
                "id": _ids(next_line, lines["deal"]),
                "deal_id": deal_ids[lines["deal"]],
                **{k: v for k, v in lines.items() if k != "deal"},
            }
            credits = raw.credits
            credits = {
                "id": _ids(next_credit, credits["deal"]),
                "deal_id": deal_ids[credits["deal"]],
                **{k: v for k, v in credits.items() if k != "deal"},
            }
            activities = _activities(next_activity, raw.activities, deal_ids)
            stages = raw.deal_stages
            stages = {
                "id": _ids(next_stage, stages["deal"]),
                "deal_id": deal_ids[stages["deal"]],
                "stage": stages["stage"],
                "entered_on": stages["entered_on"],
            }
            yield Chunk(deals, lines, credits, activities, stages)
            next_stage += len(stages["id"])
            next_deal += n
            next_line += len(lines["id"])
            next_credit += len(credits["id"])
            next_activity += len(activities["id"])
            remaining -= n
            index += 1
        sellers = len(self.org.sellers["rep_id"])
        for index, first in enumerate(range(0, sellers, REP_CHUNK)):
            raw = self.model.prospecting(index, first, min(first + REP_CHUNK, sellers))
            activities = _activities(next_activity, raw, None)
            next_activity += len(activities["id"])
            yield Chunk(activities=activities)


def _ids(first: int, like: np.ndarray) -> np.ndarray:
    return np.arange(first, first + len(like), dtype=np.int64)


def _activities(first: int, raw: Table, deal_ids: np.ndarray | None) -> Table:
    deal = raw["deal"]
    deal_id = np.zeros(len(deal), np.int64) if deal_ids is None else deal_ids[deal]
    out = {
        "id": _ids(first, deal),
        "rep_id": raw["rep_id"],
        "kind": raw["kind"],
        "date": raw["date"],
        "deal_id": deal_id,
        "account_id": raw["account_id"],
        "outcome": raw["outcome"],
        "duration_minutes": raw["duration_minutes"],
    }
    return out


def generate(config: DemoConfig) -> DemoData:
    org = build_org(config)
    accounts = build_accounts(config)
    territories, owners = build_territories(config, org)
    model = DealModel(config, org, accounts, close_day_cdf(config))
    return DemoData(
        config=config,
        org=org,
        accounts=accounts,
        products=products_table(),
        territories=territories,
        territory_owners=owners,
        logins=choose_logins(config, org),
        model=model,
    )
