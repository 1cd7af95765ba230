"""Draws and guarantees: the balance carried from 1 January, input checks, rule errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.engine import InputError, PlanError, RuleError, calculate, parse_plan

from .builders import assignments_for, credits_table, make_plan
from .helpers import CONFORMANCE, load_case

CAPPED = CONFORMANCE / "37_recovery_capped_by_pay_above_draw"


def rows_of(result, period: str) -> list[dict]:
    return [line for line in result.lines.to_pylist() if line["period"] == period]


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_a_one_month_window_carries_the_balance_from_january(backend):
    case = load_case(CAPPED)
    quarter = case.run(backend)
    case.period = "2026-03"
    march = case.run(backend)
    assert march.lines.to_pylist() == rows_of(quarter, "2026-03")
    recoveries = {
        line["rep_id"]: (line["amount"], line["period_total"])
        for line in march.lines.to_pylist()
        if line["line_kind"] == "draw_recovery"
    }
    assert recoveries == {
        "R1": (Decimal("-500.00"), Decimal("1500")),
        "R2": (Decimal("-1800.00"), Decimal("700")),
    }


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_the_balance_restarts_on_the_first_of_january(backend):
    # A clawback reaching back into 2025 makes the calculation start on 1 January 2025.
    clawback = {"within_days": 90, "reduces_attainment": False}
    plan = make_plan(period="quarter", tiers=[(0, None, "10")], clawback=clawback)
    plan = plan.model_copy(update={"valid_from": plan.valid_from.replace(year=2025)})
    draws = [{"rep_id": "R1", "valid_from": "2025-01-01", "amount": "1000", "kind": "recoverable"}]
    assignments = [{**a, "valid_from": "2025-01-01"} for a in assignments_for(["R1"])]
    # 2025 earns nothing (4 × 1,000 advanced); 2026-Q1 earns 5,000: nothing is recovered.
    credits = credits_table([{"amount": Decimal("50000"), "day": 10}])
    result = calculate([plan], credits, assignments, draws=draws, period="2026-Q1", backend=backend)
    last_year = calculate(
        [plan],
        credits,
        assignments,
        draws=draws,
        period="2025-Q4",
        as_of=dt.date(2026, 3, 31),
        backend=backend,
    )
    assert [line["period_total"] for line in last_year.lines.to_pylist()] == [Decimal(4000)]
    kinds = [line["line_kind"] for line in result.lines.to_pylist()]
    assert kinds == ["earning"]
    assert result.payouts["net_payable"].to_pylist() == [Decimal("5000.00")]


def test_draws_are_checked():
    plan = make_plan()
    args = ([plan], credits_table([]), assignments_for(["R1"]))
    bad_kind = [{"rep_id": "R1", "valid_from": "2026-01-01", "amount": "10", "kind": "loan"}]
    with pytest.raises(InputError, match="kind must be 'recoverable' or 'non_recoverable'"):
        calculate(*args, draws=bad_kind, period="2026-Q1")
    negative = [{"rep_id": "R1", "valid_from": "2026-01-01", "amount": "-1", "kind": "recoverable"}]
    with pytest.raises(InputError, match="must not be negative"):
        calculate(*args, draws=negative, period="2026-Q1")
    overlapping = [
        {"rep_id": "R1", "valid_from": "2026-01-01", "amount": "10", "kind": "recoverable"},
        {"rep_id": "R1", "valid_from": "2026-02-01", "amount": "20", "kind": "recoverable"},
    ]
    with pytest.raises(InputError, match="two draws of rep 'R1' are in force on 2026-02-01"):
        calculate(*args, draws=overlapping, period="2026-Q1")
    euros = [
        {"rep_id": "R1", "valid_from": "2026-01-01", "amount": "10", "kind": "recoverable",
         "currency": "EUR"},
    ]  # fmt: skip
    with pytest.raises(RuleError, match="is in EUR, but plan 'p' pays in USD"):
        calculate(*args, draws=euros, period="2026-Q1")


def test_a_rep_with_a_draw_cannot_have_overlapping_pay_periods():
    monthly = make_plan(period="month").model_copy(update={"id": "m"})
    quarterly = make_plan(period="quarter")
    assignments = [
        {"rep_id": "R1", "plan_id": "m", "valid_from": "2026-01-01", "valid_to": "2026-02-15"},
        {"rep_id": "R1", "plan_id": "p", "valid_from": "2026-02-15"},
    ]
    draws = [{"rep_id": "R1", "valid_from": "2026-01-01", "amount": "10", "kind": "recoverable"}]
    with pytest.raises(RuleError, match="overlapping pay periods"):
        calculate(
            [monthly, quarterly], credits_table([]), assignments, draws=draws, period="2026-Q1"
        )


def test_draw_is_a_reserved_component_id():
    text = """
id: p
version: 1
name: P
valid_from: 2026-01-01
period: month
measures: {revenue: {source: amount}}
components:
  - id: draw
    name: Draw
    measure: revenue
    rate_tables:
      - {valid_from: 2026-01-01, basis: amount, semantic: marginal, tiers: [{from: 0, rate: 1}]}
"""
    with pytest.raises(PlanError, match="reserved"):
        parse_plan(text, "p.yaml")


def test_without_draws_nothing_changes():
    case = load_case(CONFORMANCE / "35_recoverable_draw_recovered")
    case.draws = None
    result = case.run("duckdb")
    assert set(result.lines["line_kind"].to_pylist()) == {"earning"}
    assert result.payouts["draws"].to_pylist() == [Decimal("0.00")] * 3
