"""Mapping presets: CRM exports converted into the ``deals`` format.

A preset says which export column feeds which deals column, converts values (US dates,
currency-formatted amounts, CRM stage names) and lets owners and accounts be matched by
name or email instead of external id. docs/import.md lists the columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from attain.imports.readers import normalize_header

Transform = Callable[[dict[str, str]], tuple[dict[str, str], list[tuple[str, str]]]]

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:[ T].*)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_CURRENCY_NOISE = re.compile(r"^(?:[A-Z]{3}\s*)|[$€£¥\s]")
TRUE_WORDS = {"1", "true", "yes", "y", "x"}


@dataclass
class Preset:
    name: str
    entity: str
    title: str
    # deals column -> export headers, in order of preference (as the export spells them)
    sources: dict[str, tuple[str, ...]]
    transform: Transform
    # deals columns the transform fills even without a source column, and their label
    derived: dict[str, str] = field(default_factory=dict)
    # reference columns matched by more than the external id
    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sample_header: tuple[str, ...] = ()

    def map_header(self, header: list[str]) -> tuple[dict[str, int], dict[str, str]]:
        """(deals column -> index in the file, deals column -> header as in the file)."""
        positions = {normalize_header(h): i for i, h in reversed(list(enumerate(header)))}
        index: dict[str, int] = {}
        labels: dict[str, str] = {}
        for target, candidates in self.sources.items():
            for candidate in candidates:
                i = positions.get(normalize_header(candidate))
                if i is not None:
                    index[target] = i
                    labels[target] = header[i].strip()
                    break
        return index, labels

    def known_headers(self) -> set[str]:
        return {normalize_header(c) for cs in self.sources.values() for c in cs}


def us_or_iso_date(raw: str) -> str:
    """'3/31/2026', '3/31/26', '2026-03-31', '2026-03-31 14:05' -> '2026-03-31'."""
    raw = raw.strip()
    if not raw:
        return ""
    match = _ISO_DATE.match(raw)
    if match:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        match = _US_DATE.match(raw)
        if not match:
            raise ValueError("not a date (expected M/D/YYYY or YYYY-MM-DD)")
        month, day, year = int(match[1]), int(match[2]), int(match[3])
        if year < 100:
            year += 2000
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError("not a date (expected M/D/YYYY or YYYY-MM-DD)") from None


def plain_amount(raw: str) -> str:
    """'$1,234.50', 'USD 1,234.50', '1234.5' -> '1234.50'-style plain numbers."""
    text = _CURRENCY_NOISE.sub("", raw.strip())
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


def _flag(raw: str) -> bool:
    return raw.strip().lower() in TRUE_WORDS


def _convert_common(
    row: dict[str, str], out: dict[str, str], problems: list[tuple[str, str]]
) -> None:
    for column in ("created_date", "close_date"):
        if column in row:
            try:
                out[column] = us_or_iso_date(row[column])
            except ValueError as exc:
                problems.append((column, str(exc)))
    if "amount" in row:
        out["amount"] = plain_amount(row["amount"]) or "0"


# --- Salesforce ------------------------------------------------------------------------

SALESFORCE_TYPES = {
    "": "new",
    "new business": "new",
    "new customer": "new",
    "new": "new",
    "existing customer - upgrade": "expansion",
    "existing customer - replacement": "expansion",
    "existing customer - downgrade": "expansion",
    "existing business": "expansion",
    "upsell": "expansion",
    "expansion": "expansion",
    "renewal": "renewal",
    "existing customer - renewal": "renewal",
}


def salesforce_status(row: dict[str, str]) -> str:
    if "won" in row and _flag(row["won"]):
        return "won"
    if "closed" in row:
        return "lost" if _flag(row["closed"]) else "open"
    stage = row.get("stage", "").strip().lower()
    if stage == "closed won" or stage == "won":
        return "won"
    if stage.startswith("closed") or stage == "lost":
        return "lost"
    return "open"


def salesforce_transform(row: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    out = {k: v for k, v in row.items() if k not in {"won", "closed"}}
    problems: list[tuple[str, str]] = []
    _convert_common(row, out, problems)
    out["status"] = salesforce_status(row)
    if "type" in row:
        deal_type = SALESFORCE_TYPES.get(row["type"].strip().lower())
        if deal_type is None:
            problems.append(
                (
                    "type",
                    "unknown type (expected New Business, Existing Customer - Upgrade/"
                    "Replacement/Downgrade or Renewal)",
                )
            )
        else:
            out["type"] = deal_type
    return out, problems


SALESFORCE = Preset(
    name="salesforce",
    entity="deals",
    title="Salesforce Opportunities report (Export → Details only → CSV or .xlsx)",
    sources={
        "external_id": ("Opportunity ID", "Opportunity ID (18)", "Id"),
        "name": ("Opportunity Name",),
        "account": ("Account ID", "Account Name"),
        "owner": (
            "Opportunity Owner Email",
            "Owner Email",
            "Opportunity Owner: Email",
            "Opportunity Owner",
            "Owner Name",
            "Owner",
        ),
        "stage": ("Stage",),
        "type": ("Type",),
        "amount": ("Amount",),
        "currency": ("Opportunity Currency", "Amount Currency", "Currency"),
        "units": ("Total Opportunity Quantity", "Quantity"),
        "created_date": ("Created Date",),
        "close_date": ("Close Date",),
        "won": ("Won",),
        "closed": ("Closed",),
    },
    transform=salesforce_transform,
    derived={"status": "Stage"},
    lookups={"owner": ("external_id", "email", "name"), "account": ("external_id", "name")},
    sample_header=(
        "Opportunity Owner",
        "Account Name",
        "Opportunity Name",
        "Opportunity ID",
        "Stage",
        "Type",
        "Amount",
        "Opportunity Currency",
        "Close Date",
        "Created Date",
        "Won",
        "Closed",
    ),
)


# --- HubSpot ---------------------------------------------------------------------------

HUBSPOT_WON = {"closedwon", "closed won", "won"}
HUBSPOT_LOST = {"closedlost", "closed lost", "lost"}
HUBSPOT_TYPES = {
    "": "new",
    "newbusiness": "new",
    "new business": "new",
    "existingbusiness": "expansion",
    "existing business": "expansion",
    "upsell": "expansion",
    "renewal": "renewal",
}


def hubspot_transform(row: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    out = dict(row)
    problems: list[tuple[str, str]] = []
    _convert_common(row, out, problems)
    stage = row.get("stage", "").strip().lower()
    out["status"] = "won" if stage in HUBSPOT_WON else "lost" if stage in HUBSPOT_LOST else "open"
    if "type" in row:
        deal_type = HUBSPOT_TYPES.get(row["type"].strip().lower())
        if deal_type is None:
            problems.append(
                ("type", "unknown type (expected newbusiness, existingbusiness or renewal)")
            )
        else:
            out["type"] = deal_type
    return out, problems


HUBSPOT = Preset(
    name="hubspot",
    entity="deals",
    title="HubSpot deals export (Deals → Export → CSV or XLSX)",
    sources={
        "external_id": ("Record ID", "Deal ID", "hs_object_id"),
        "name": ("Deal Name", "dealname"),
        "account": ("Associated Company", "Associated Company IDs", "Company name"),
        "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id", "Owner"),
        "stage": ("Deal Stage", "dealstage"),
        "type": ("Deal Type", "dealtype"),
        "amount": ("Amount", "amount"),
        "currency": ("Currency", "Deal currency code", "deal_currency_code"),
        "created_date": ("Create Date", "createdate"),
        "close_date": ("Close Date", "closedate"),
    },
    transform=hubspot_transform,
    derived={"status": "Deal Stage"},
    lookups={"owner": ("external_id", "email", "name"), "account": ("external_id", "name")},
    sample_header=(
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Amount",
        "Close Date",
        "Create Date",
        "Deal owner",
        "Associated Company",
        "Deal Type",
        "Pipeline",
    ),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (SALESFORCE, HUBSPOT)}


class UnknownPreset(ValueError):
    pass


def get_preset(name: str | None, entity: str) -> Preset | None:
    if not name:
        return None
    preset = PRESETS.get(name.strip().lower())
    if preset is None:
        raise UnknownPreset(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    if preset.entity != entity:
        raise UnknownPreset(f"preset {preset.name!r} imports {preset.entity}, not {entity}")
    return preset
