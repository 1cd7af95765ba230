"""FX triangulation through a plan's pivot currency, and team tests on it and on the year to
date: errors naming the missing leg, the cross rate's rounding (a property), team totals."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attain.engine import RuleError, calculate, parse_plan, plan_json_schema

from .helpers import CONFORMANCE, load_case

PLAN = """
id: uk
version: 1
name: UK
valid_from: 2026-01-01
currency: GBP
{pivot}
period: quarter
measures:
  revenue: {{source: amount}}
components:
  - id: commission
    name: Commission
    measure: revenue
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        evaluation: per_transaction
        tiers:
          - {{from: 0, rate: 5}}
"""
ASSIGNMENTS = {"rep_id": ["R1"], "plan_id": ["uk"], "valid_from": ["2026-01-01"],
               "valid_to": [None], "target_incentive": ["0"]}  # fmt: skip


def fx_table(*rows):
    names = ("from_currency", "to_currency", "valid_from", "valid_to", "rate")
    return {n: [r[i] for r in rows] for i, n in enumerate(names)}


def credits(*rows):
    names = ("credit_id", "deal_id", "rep_id", "share", "event_date", "amount", "currency")
    return {n: [r[i] for r in rows] for i, n in enumerate(names)}


def run(fx, credit_rows, backend, pivot="fx_pivot: USD"):
    plan = parse_plan(PLAN.format(pivot=pivot), "uk.yaml")
    return calculate([plan], credit_rows, ASSIGNMENTS, None, fx=fx, period="2026-Q1",
                     backend=backend)  # fmt: skip


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_missing_leg_of_a_triangulation_is_a_clear_error(backend):
    rows = credits(("C1", "D1", "R1", "1", "2026-02-10", "100", "CHF"),
                   ("C2", "D2", "R1", "1", "2026-02-11", "100", "CHF"))  # fmt: skip
    out_only = fx_table(("USD", "GBP", "2026-01-01", None, "0.8"))
    with pytest.raises(
        RuleError,
        match=r"^no FX rate from CHF to GBP on 2026-02-10 \(credit 'C1'; 2 credit\(s\) lack a "
        r"rate\), nor via USD: no CHF→USD rate on that day$",
    ):
        run(out_only, rows, backend)
    # The CHF→USD leg ends before C1's date: both legs must be in force on the event date.
    early = fx_table(("CHF", "USD", "2026-01-01", "2026-02-10", "1.1"))
    with pytest.raises(RuleError, match=r"nor via USD: no CHF→USD rate and no USD→GBP rate"):
        run(early, rows, backend)
    # No pivot: direct rates only, and the message says no more than that.
    both = fx_table(("CHF", "USD", "2026-01-01", None, "1.1"),
                    ("USD", "GBP", "2026-01-01", None, "0.8"))  # fmt: skip
    with pytest.raises(RuleError, match=r"lack a rate\)$"):
        run(both, rows, backend, pivot="fx_pivot: null")
    assert run(both, rows, backend).lines["fx_rate"].to_pylist() == [Decimal("0.88")] * 2


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_an_inverse_rate_is_never_used(backend):
    rows = credits(("C1", "D1", "R1", "1", "2026-02-10", "100", "EUR"))
    inverse = fx_table(("GBP", "EUR", "2026-01-01", None, "1.2"),
                       ("EUR", "USD", "2026-01-01", None, "1.1"),
                       ("GBP", "USD", "2026-01-01", None, "1.3"))  # fmt: skip
    with pytest.raises(RuleError, match=r"no FX rate from EUR to GBP .* no USD→GBP rate"):
        run(inverse, rows, backend)


def test_json_schema_has_the_pivot_and_team_multipliers():
    schema = plan_json_schema()
    assert schema["properties"]["fx_pivot"]["default"] == "USD"
    assert schema["$defs"]["Multiplier"]["properties"]["team"]["default"] is False
    assert "ytd" in str(schema["$defs"]["Gate"]["properties"]["attainment_scope"])


RATES = st.decimals(
    min_value=Decimal("0.00000100"), max_value=Decimal("200"), places=8, allow_nan=False
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    leg_in=RATES,
    leg_out=RATES,
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000"), places=2),
)
def test_cross_rate_is_the_product_rounded_to_8_places_and_converts_like_a_direct_one(
    leg_in, leg_out, amount
):
    exact = decimal.Context(prec=60)
    cross = exact.multiply(leg_in, leg_out).quantize(Decimal("1E-8"), decimal.ROUND_HALF_EVEN)
    rows = credits(("C1", "D1", "R1", "1", "2026-02-10", str(amount), "EUR"))
    fx = fx_table(("EUR", "USD", "2026-01-01", None, str(leg_in)),
                  ("USD", "GBP", "2026-01-01", None, str(leg_out)))  # fmt: skip
    if cross == 0:
        for backend in ("oracle", "duckdb"):
            with pytest.raises(RuleError, match="the cross rate rounds to 0"):
                run(fx, rows, backend)
        return
    oracle, duckdb = run(fx, rows, "oracle"), run(fx, rows, "duckdb")
    assert duckdb.lines.equals(oracle.lines)
    # The same deal at a direct rate equal to the cross rate converts identically.
    direct = run(fx_table(("EUR", "GBP", "2026-01-01", None, str(cross))), rows, "duckdb")
    assert direct.lines["base"].to_pylist() == duckdb.lines["base"].to_pylist()
    converted = exact.multiply(amount, cross).quantize(Decimal("0.01"), decimal.ROUND_HALF_EVEN)
    if converted == 0:  # a marginal table pays no empty slice: no line
        assert duckdb.lines.num_rows == 0
        return
    (line,) = duckdb.lines.to_pylist()
    assert (line["fx_rate"], line["fx_via"]) == (cross, "USD")
    assert (line["fx_rate_to_via"], line["fx_rate_from_via"]) == (leg_in, leg_out)
    assert line["base"] == converted
    assert direct.lines["fx_via"].to_pylist() == [None]


def _team_case_in_gbp():
    """Example 46 with a GBP plan and every deal in EUR: EUR→USD 1.25 × USD→GBP 0.8 = 1."""
    case = load_case(CONFORMANCE / "46_team_multiplier")
    text = (case.folder / "plan.yaml").read_text().replace("period: quarter", "currency: GBP\n"
                                                           "period: quarter")  # fmt: skip
    case.plans = [parse_plan(text, "ae.yaml")]
    case.credits = case.credits.append_column(
        "currency", pa.array(["EUR"] * case.credits.num_rows, pa.string())
    )
    return case


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_team_totals_convert_through_the_pivot_too(backend):
    case = _team_case_in_gbp()
    case.fx = fx_table(("EUR", "USD", "2026-01-01", None, "1.25"),
                       ("USD", "GBP", "2026-01-01", None, "0.8"))  # fmt: skip
    result = case.run(backend)
    paid = {p["rep_id"]: p["net_payable"] for p in result.payouts.to_pylist()}
    assert paid == {"R1": Decimal("5250.00"), "R2": Decimal("3750.00"), "R3": Decimal("2950.00")}
    # At EUR→USD 2.5 the teams double: M2 reaches 95% (not below 50%), so R3's lines lose the
    # decelerator: 59,000 EUR × 2 = 118,000 GBP × 10% = 11,800.
    case.fx = fx_table(("EUR", "USD", "2026-01-01", None, "2.5"),
                       ("USD", "GBP", "2026-01-01", None, "0.8"))  # fmt: skip
    paid = {p["rep_id"]: p["net_payable"] for p in case.run(backend).payouts.to_pylist()}
    assert paid["R3"] == Decimal("11800.00")
    case.fx = fx_table(("EUR", "USD", "2026-01-01", None, "1.25"))
    needed = (
        r"no FX rate from EUR to GBP on 2026-01-10 \(credit 'C1', needed for the team totals "
        r"of plan ae\), nor via USD: no USD→GBP rate"
    )
    with pytest.raises(RuleError, match=needed):
        case.run(backend)


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_year_to_date_team_quota_needs_the_managers_earlier_quotas(backend):
    case = load_case(CONFORMANCE / "47_team_gate_year_to_date")
    keep = pc.invert(pc.and_(pc.equal(case.quotas["rep_id"], "M2"),
                             pc.equal(case.quotas["period"], "2026-Q1")))  # fmt: skip
    case.quotas = case.quotas.filter(keep)
    with pytest.raises(RuleError, match=r"no quota 'revenue' for rep 'M2' in 2026-Q1"):
        case.run(backend)


def test_rates_of_100_or_more_do_not_overflow():
    # A USD→JPY-sized rate scaled by 10^8 exceeds DuckDB's DECIMAL(18): widened first.
    rows = credits(("C1", "D1", "R1", "1", "2026-02-10", "1234567.89", "USD"))
    fx = fx_table(("USD", "GBP", "2026-01-01", None, "150.12345678"))
    oracle, duckdb = run(fx, rows, "oracle"), run(fx, rows, "duckdb")
    assert duckdb.lines.equals(oracle.lines)
    assert duckdb.lines["base"].to_pylist() == [Decimal("185337599.28")]  # …599.2763907942
