"""Building plans and inputs in code, for property tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from attain.engine.spec import Plan

START = dt.date(2026, 1, 1)


def make_plan(
    *,
    semantic: str = "marginal",
    evaluation: str = "cumulative",
    basis: str = "amount",
    tie_break: str = "higher",
    tiers: list[tuple[int, int | None, str]] | None = None,
    caps: list[dict] | None = None,
    multipliers: list[dict] | None = None,
    gates: list[dict] | None = None,
    floors: list[dict] | None = None,
    clawback: dict | None = None,
    accumulate: str = "period",
    period: str = "quarter",
    source: str = "amount",
    plan_caps: list[dict] | None = None,
    plan_floors: list[dict] | None = None,
) -> Plan:
    tiers = tiers or [(0, 50000, "5"), (50000, None, "10")]
    table: dict = {
        "valid_from": START,
        "basis": basis,
        "semantic": semantic,
        "evaluation": evaluation,
        "tie_break": tie_break,
    }
    if semantic == "interpolated":
        table["rate"] = "target_incentive_percent"
        table["points"] = [{"at": Decimal(a), "payout": Decimal(p)} for a, _, p in tiers]
    else:
        table["tiers"] = [
            {"from": Decimal(lo), "to": None if hi is None else Decimal(hi), "rate": Decimal(r)}
            for lo, hi, r in tiers
        ]
    component = {
        "id": "commission",
        "name": "Commission",
        "measure": "revenue",
        "accumulate": accumulate,
        "rate_tables": [table],
        "modifiers": {
            "caps": [{"valid_from": START, **c} for c in caps or []],
            "multipliers": [{"valid_from": START, **m} for m in multipliers or []],
            "gates": [{"valid_from": START, **g} for g in gates or []],
            "floors": [{"valid_from": START, **f} for f in floors or []],
        },
    }
    if basis == "attainment" or gates or any("attainment_at_least" in m for m in multipliers or []):
        component["quota"] = {"name": "revenue"}
    document = {
        "id": "p",
        "version": 1,
        "name": "Property plan",
        "valid_from": START,
        "period": period,
        "measures": {"revenue": {"source": source}},
        "components": [component],
    }
    if plan_caps:
        document["caps"] = [{"valid_from": START, **c} for c in plan_caps]
    if plan_floors:
        document["floors"] = [{"valid_from": START, **f} for f in plan_floors]
    if clawback:
        document["clawback"] = {"valid_from": START, **clawback}
    return Plan.model_validate(document)


def credits_table(deals: list[dict]) -> dict[str, list]:
    """Columns for ``deals``: each a dict with amount, day offset, optional rep/share/cancel."""
    columns: dict[str, list] = {
        k: []
        for k in [
            "credit_id",
            "deal_id",
            "rep_id",
            "share",
            "event_date",
            "amount",
            "margin",
            "cancellation_date",
            "currency",
        ]
    }
    for index, deal in enumerate(deals):
        columns["credit_id"].append(deal.get("credit_id", f"C{index:04d}"))
        columns["deal_id"].append(deal.get("deal_id", f"D{index:04d}"))
        columns["rep_id"].append(deal.get("rep", "R1"))
        columns["share"].append(str(deal.get("share", "1")))
        columns["event_date"].append((START + dt.timedelta(days=deal["day"])).isoformat())
        columns["amount"].append(str(deal["amount"]))
        columns["margin"].append(str(deal.get("margin", deal["amount"])))
        columns["currency"].append(deal.get("currency"))
        cancel = deal.get("cancel_day")
        columns["cancellation_date"].append(
            None if cancel is None else (START + dt.timedelta(days=cancel)).isoformat()
        )
    return columns


def assignments_for(reps: list[str], incentive: str = "40000") -> list[dict]:
    return [
        {"rep_id": r, "plan_id": "p", "valid_from": "2026-01-01", "target_incentive": incentive}
        for r in reps
    ]


def quotas_for(reps: list[str], amount: str = "100000", periods=("2026-Q1", "2026-Q2")) -> list:
    return [
        {"rep_id": r, "quota": "revenue", "period": p, "amount": amount}
        for r in reps
        for p in periods
    ]
