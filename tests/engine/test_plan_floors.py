"""Plan floors (across components) and SPIFF roles: validation, the year-end rule, and the
floor invariants on generated data (docs/plans.md, "Plan floor" and "SPIFFs")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attain.engine import PlanError, calculate, parse_plan

from .builders import assignments_for, credits_table, make_plan
from .helpers import CONFORMANCE, load_case

PLAN = """\
id: pf
version: 1
name: Plan floor
valid_from: 2026-01-01
period: quarter
measures:
  revenue: {source: amount}
floors:
  - {valid_from: 2026-01-01, amount: 2500, per: period}
components:
  - id: commission
    name: Commission
    measure: revenue
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        tiers:
          - {from: 0, rate: 5}
spiffs:
  - id: push
    name: Push
    valid_from: 2026-01-01
    roles: [owner]
    window_from: 2026-01-01
    window_to: 2026-04-01
    fixed: 100
"""

SPIFF_ONLY = """\
id: pf
version: 1
name: SPIFFs only
valid_from: 2026-01-01
period: quarter
measures: {}
floors:
  - {valid_from: 2026-01-01, amount: 2500}
spiffs:
  - {id: push, name: Push, valid_from: 2026-01-01, window_from: 2026-01-01,
     window_to: 2026-04-01, fixed: 100}
"""


def test_the_plan_and_its_spiff_roles_load():
    plan = parse_plan(PLAN, "pf.yaml")
    assert plan.floors[0].per == "period" and plan.floors[0].amount == Decimal(2500)
    assert plan.spiffs[0].roles == ["owner"]
    assert parse_plan(PLAN.replace("    roles: [owner]\n", "")).spiffs[0].roles is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("amount: 2500, per: period", "amount: 2500, multiple_of_target: 1, per: period"),
            "pf.yaml:9: floors[0]: a floor has exactly one of 'amount' or 'multiple_of_target'",
        ),
        (("per: period", "per: week"), "pf.yaml:9: floors[0].per: Input should be 'period' or"),
        (("amount: 2500", "amount: -1"), "pf.yaml:9: floors[0].amount: Input should be greater"),
        (("amount: 2500", "amount: 2500.001"), "floor amount 2500.001 has more than 2 decimal"),
        (
            ("amount: 2500,", "amount: 2500, valid_to: 2025-01-01,"),
            "pf.yaml:9: floors[0]: valid_to 2025-01-01 must be after valid_from 2026-01-01",
        ),
        (
            ("  - id: commission", "  - id: plan_floor"),
            "pf.yaml:11: components[0].id: 'plan_floor' is reserved for plan floor lines",
        ),
        (("roles: [owner]", "roles: []"), "pf.yaml:24: spiffs[0].roles: List should have at least"),
        (
            ("roles: [owner]", "roles: [owner, 'sales rep']"),
            "pf.yaml:24: spiffs[0].roles[1]: String should match pattern",
        ),
        (("roles: [owner]", "roles: owner"), "pf.yaml:24: spiffs[0].roles: Input should be a"),
    ],
)
def test_errors_name_the_file_the_path_and_the_reason(change, message):
    with pytest.raises(PlanError) as error:
        parse_plan(PLAN.replace(*change), "pf.yaml")
    assert message in str(error.value)


def test_a_plan_floor_needs_a_component():
    with pytest.raises(PlanError, match=r"^x.yaml:8: floors: a plan floor tops up the plan's"):
        parse_plan(SPIFF_ONLY, "x.yaml")


EXAMPLE = CONFORMANCE / "43_plan_floor_period_and_year"
YEAR_END = dt.date(2026, 12, 31)


def _rows(result, period: str | None = None) -> list[dict]:
    rows = result.lines.to_pylist()
    return [r for r in rows if period is None or r["period"] == period]


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_the_year_floor_is_settled_in_the_years_last_period_whatever_the_window(backend):
    case = load_case(EXAMPLE)
    year = case.run(backend)
    q4 = dataclasses.replace(case, period="2026-Q4").run(backend)
    assert _rows(q4) == _rows(year, "2026-Q4")
    assert any(r["rate_kind"] == "plan_year_floor" for r in _rows(q4))
    q2 = dataclasses.replace(case, period="2026-Q2", as_of=YEAR_END).run(backend)
    assert _rows(q2) == _rows(year, "2026-Q2")
    assert not any(r["rate_kind"] == "plan_year_floor" for r in _rows(q2))


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_plan_floors_in_force_on_the_as_of_date_apply(backend):
    # As of 2026-06-30 the 10,000 floor (valid until 2026-07-01) is in force and highest:
    # R1's Q2 components paid 6,000, so the plan floor adds 4,000.
    case = dataclasses.replace(load_case(EXAMPLE), period="2026-Q2")
    top_ups = {
        (r["rep_id"], r["period"]): r["amount"]
        for r in _rows(case.run(backend))
        if r["rate_kind"] == "plan_floor"
    }
    assert top_ups == {("R1", "2026-Q2"): Decimal("4000.00"), ("R3", "2026-Q2"): Decimal("9500.00")}


# -- properties ----------------------------------------------------------------------------

PLAN_FLOORS = st.sampled_from(
    [
        [{"amount": Decimal("3000"), "per": "period"}],
        [{"multiple_of_target": Decimal("0.35"), "per": "period"}],
        [{"multiple_of_target": Decimal("1.1"), "per": "year"}],
        [
            {"amount": Decimal("1200.50"), "per": "period"},
            {"multiple_of_target": Decimal("0.3"), "per": "period"},
            {"amount": Decimal("25000"), "per": "year"},
        ],
    ]
)
year_deals = st.lists(
    st.tuples(
        st.integers(1, 8_000_000).map(lambda c: Decimal(c).scaleb(-2)),
        st.integers(0, 364),
        st.sampled_from(["R1", "R2"]),
        st.one_of(st.none(), st.integers(0, 60)),
    ),
    max_size=10,
)


def _limit(floor, incentive: Decimal) -> Decimal:
    if "amount" in floor:
        return floor["amount"]
    return (floor["multiple_of_target"] * incentive).quantize(Decimal("0.01"))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    floors=PLAN_FLOORS,
    caps=st.sampled_from([[], [{"amount": Decimal("4000"), "per": "period"}]]),
    component_floors=st.sampled_from([[], [{"amount": Decimal("700")}]]),
    deals=year_deals,
)
def test_plan_floors_guarantee_their_minimum_and_the_backends_agree(
    floors, caps, component_floors, deals
):
    plan = make_plan(
        caps=caps,
        floors=component_floors,
        plan_floors=floors,
        clawback={"within_days": 45},
    )
    rows = [
        {"amount": a, "day": d, "rep": r, "cancel_day": None if c is None else d + c}
        for a, d, r, c in deals
    ]
    args = ([plan], credits_table(rows), assignments_for(["R1", "R2"]))
    oracle = calculate(*args, period="2026", backend="oracle")
    duckdb = calculate(*args, period="2026", backend="duckdb")
    assert duckdb.lines.equals(oracle.lines)
    assert duckdb.payouts.equals(oracle.payouts)

    # The target incentive is 40,000 a year: 10,000 a quarter for the one component.
    period_limit = max(
        (_limit(f, Decimal(10000)) for f in floors if f["per"] == "period"), default=None
    )
    year_limit = max(
        (_limit(f, Decimal(40000)) for f in floors if f["per"] == "year"), default=None
    )
    counted: dict[tuple[str, str], Decimal] = defaultdict(Decimal)  # before the plan floors
    top_ups: dict[tuple[str, str, str], Decimal] = {}
    for line in oracle.lines.to_pylist():
        key = (line["rep_id"], line["period"])
        if line["component_id"] == "plan_floor":
            assert (*key, line["rate_kind"]) not in top_ups
            top_ups[(*key, line["rate_kind"])] = line["amount"]
            assert line["amount"] > 0 and line["amount"] == line["rate"] - line["base"]
        elif line["line_kind"] in ("earning", "floor"):
            counted[key] += line["amount"]
    for rep in ("R1", "R2"):
        year = Decimal(0)
        for quarter in ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"):
            paid = counted[(rep, quarter)]
            top_up = top_ups.get((rep, quarter, "plan_floor"), Decimal(0))
            if period_limit is None:
                assert top_up == 0
            else:
                assert paid + top_up == max(paid, period_limit)
            year += paid + top_up
            if quarter != "2026-Q4":
                assert (rep, quarter, "plan_year_floor") not in top_ups
        year_top_up = top_ups.get((rep, "2026-Q4", "plan_year_floor"), Decimal(0))
        if year_limit is None:
            assert year_top_up == 0
        else:
            assert year + year_top_up == max(year, year_limit)
