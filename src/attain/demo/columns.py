"""How each generated table maps to typed columns, shared by the writers.

Kinds: ``id`` int64 (``id?`` when 0 means none), ``int16``/``int32``, ``date`` (int32 day
numbers, ``NO_DAY`` = none), ``money`` (integer cents → DECIMAL(18,2)), ``share`` (integer
ten-thousandths → DECIMAL(7,4)), ``qty`` (whole units → DECIMAL(14,2)), ``micro`` (integer
micro-degrees → DECIMAL(9,6)), ``code`` (small integer → label, see ``codes``), ``str``,
``float`` (latent traits only, never money).
"""

from __future__ import annotations

# Table → [(column, kind)] in output order. ``external_id`` columns of streamed tables are
# derived from ids (see ``external_ids``) rather than generated as strings.
TABLES: dict[str, list[tuple[str, str]]] = {
    "teams": [
        ("id", "id"),
        ("external_id", "str"),
        ("name", "str"),
        ("region", "str"),
        ("parent_id", "id?"),
    ],
    "reps": [
        ("id", "id"),
        ("external_id", "str"),
        ("name", "str"),
        ("email", "str"),
        ("title", "str"),
        ("region", "str"),
        ("hire_date", "date"),
        ("termination_date", "date"),
        ("home_latitude", "micro"),
        ("home_longitude", "micro"),
        ("latent_win_rate", "float"),
        ("latent_size", "float"),
        ("latent_activity", "float"),
    ],
    "memberships": [
        ("id", "id"),
        ("rep_id", "id"),
        ("team_id", "id"),
        ("role", "str"),
        ("valid_from", "date"),
        ("valid_to", "date"),
    ],
    "accounts": [
        ("id", "id"),
        ("external_id", "derived"),
        ("name", "str"),
        ("industry", "str"),
        ("segment", "str"),
        ("region", "str"),
        ("state", "str"),
        ("city", "str"),
        ("postcode", "str"),
        ("latitude", "micro"),
        ("longitude", "micro"),
        ("potential", "money"),
    ],
    "products": [
        ("id", "id"),
        ("external_id", "str"),
        ("name", "str"),
        ("family", "str"),
        ("list_price", "money"),
        ("unit_cost", "money"),
    ],
    "territories": [
        ("id", "id"),
        ("external_id", "str"),
        ("name", "str"),
        ("rule_region", "str"),
        ("rule_state", "str"),
        ("valid_from", "date"),
    ],
    "territory_owners": [
        ("id", "id"),
        ("territory_id", "id"),
        ("rep_id", "id"),
        ("valid_from", "date"),
        ("valid_to", "date"),
    ],
    "deals": [
        ("id", "id"),
        ("external_id", "derived"),
        ("account_id", "id"),
        ("owner_id", "id"),
        ("stage", "code"),
        ("status", "code"),
        ("deal_type", "code"),
        ("amount", "money"),
        ("margin", "money"),
        ("units", "qty"),
        ("created_date", "date"),
        ("close_date", "date"),
        ("cancellation_date", "date"),
    ],
    "deal_lines": [
        ("id", "id"),
        ("external_id", "derived"),
        ("deal_id", "id"),
        ("line_number", "int16"),
        ("product_id", "id"),
        ("quantity", "qty"),
        ("unit_price", "money"),
        ("unit_cost", "money"),
    ],
    "credits": [
        ("id", "id"),
        ("deal_id", "id"),
        ("rep_id", "id"),
        ("role", "code"),
        ("share", "share"),
    ],
    "activities": [
        ("id", "id"),
        ("external_id", "derived"),
        ("rep_id", "id"),
        ("kind", "code"),
        ("date", "date"),
        ("deal_id", "id?"),
        ("account_id", "id"),
        ("outcome", "code"),
        ("duration_minutes", "int32"),
    ],
    # A deal's stage history: the day it entered each stage of its path.
    "deal_stages": [
        ("id", "id"),
        ("deal_id", "id"),
        ("stage", "code"),
        ("entered_on", "date"),
    ],
}
STREAMED = ("deals", "deal_lines", "credits", "activities", "deal_stages")
CURRENCY = "USD"

# Derived external ids: prefix and zero padding of the id (wider numbers just grow).
ID_FORMATS = {"accounts": ("A-", 6), "deals": ("D-", 8), "activities": ("ACT-", 9)}


def external_id(table: str, number: int) -> str:
    prefix, width = ID_FORMATS[table]
    return f"{prefix}{number:0{width}d}"


def line_external_id(deal_id: int, line_number: int) -> str:
    return f"{external_id('deals', deal_id)}-{line_number}"
