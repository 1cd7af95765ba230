"""JSON shapes of accounts and deals for the API. Money is a string out, exact in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from attain.api_common import CellIn, DecimalIn, DecimalOut, MoneyOut

Status = Literal["open", "won", "lost"]
DealType = Literal["new", "renewal", "expansion"]


class AccountOut(Schema):
    id: int
    external_id: str
    name: str
    industry: str
    region: str
    state: str
    postcode: str
    latitude: DecimalOut | None
    longitude: DecimalOut | None
    potential: MoneyOut
    currency: str


class AccountPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AccountOut]


class DealOut(Schema):
    id: int
    external_id: str
    name: str
    account: str = Field(description="the account's external id")
    account_name: str
    owner: str = Field(description="the owning rep's external id")
    owner_name: str
    stage: str
    status: Status
    deal_type: DealType
    amount: MoneyOut
    currency: str
    margin: MoneyOut | None
    units: DecimalOut
    created_date: dt.date
    close_date: dt.date | None
    cancellation_date: dt.date | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_account(obj) -> str:
        return obj.account.external_id

    @staticmethod
    def resolve_account_name(obj) -> str:
        return obj.account.name

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.external_id

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj.owner.name


class DealLineOut(Schema):
    external_id: str
    product: str = Field(description="the product's external id (SKU)")
    product_name: str
    quantity: DecimalOut
    unit_price: MoneyOut
    unit_cost: MoneyOut

    @staticmethod
    def resolve_product(obj) -> str:
        return obj.product.external_id

    @staticmethod
    def resolve_product_name(obj) -> str:
        return obj.product.name


class CreditOut(Schema):
    rep: str = Field(description="the credited rep's external id")
    rep_name: str
    role: Literal["owner", "split", "overlay", "manager"]
    share: DecimalOut = Field(description="1.0000 = 100%")

    @staticmethod
    def resolve_rep(obj) -> str:
        return obj.rep.external_id

    @staticmethod
    def resolve_rep_name(obj) -> str:
        return obj.rep.name


class DealDetailOut(DealOut):
    lines: list[DealLineOut]
    credits: list[CreditOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.select_related("product"))

    @staticmethod
    def resolve_credits(obj) -> list:
        return list(obj.credits.select_related("rep"))


class DealPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DealOut]


class DealCreateIn(Schema):
    """A new deal. ``account`` and ``owner`` are external ids; a rep or manager who leaves
    out ``owner`` owns the deal themself."""

    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(max_length=64)
    name: str = ""
    account: str
    owner: str | None = None
    stage: str = ""
    status: Status = "open"
    deal_type: DealType = "new"
    amount: DecimalIn
    currency: str = "USD"
    margin: DecimalIn | None = None
    units: DecimalIn = Decimal("0")
    created_date: dt.date
    close_date: dt.date | None = None
    cancellation_date: dt.date | None = None


class DealUpdateIn(Schema):
    """The fields to change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    account: str | None = None
    owner: str | None = None
    stage: str | None = None
    status: Status | None = None
    deal_type: DealType | None = None
    amount: DecimalIn | None = None
    currency: str | None = None
    margin: DecimalIn | None = None
    units: DecimalIn | None = None
    created_date: dt.date | None = None
    close_date: dt.date | None = None
    cancellation_date: dt.date | None = None


class BulkDealRow(Schema):
    """One row in the deals import format (docs/import.md): cells as text or numbers."""

    model_config = ConfigDict(extra="forbid")

    external_id: CellIn = None
    name: CellIn = None
    account: CellIn = None
    owner: CellIn = None
    stage: CellIn = None
    status: CellIn = None
    deal_type: CellIn = None
    amount: CellIn = None
    currency: CellIn = None
    margin: CellIn = None
    units: CellIn = None
    created_date: CellIn = None
    close_date: CellIn = None
    cancellation_date: CellIn = None


class BulkDealsIn(Schema):
    deals: list[BulkDealRow] = Field(min_length=1)
    dry_run: bool = False


class ImportProblem(Schema):
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    index: int | None = Field(description="position in the request's deals list (0-based)")


class BulkDealsOut(Schema):
    ok: bool
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[ImportProblem]
