"""Crediting inputs and rules: the hierarchy and territories tables, the reporting chain,
team gates' missing rules, and a roll-up property."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attain.engine import InputError, PlanError, RuleError, calculate, parse_plan
from attain.engine.crediting import reporting_chain
from attain.engine.inputs import normalise_hierarchy, normalise_territories

from .helpers import CONFORMANCE, load_case

D = dt.date


def hierarchy(*rows):
    return normalise_hierarchy(pa_rows(rows, ("rep_id", "manager_id", "valid_from", "valid_to")))


def pa_rows(rows, names):
    return pa.table({n: pa.array([r[i] for r in rows], pa.string()) for i, n in enumerate(names)})


def test_hierarchy_refuses_two_managers_on_one_day():
    with pytest.raises(InputError, match=r"hierarchy, row 2: rep 'R1' has two managers on "
                       r"2026-02-01 \(rows 1 and 2\)"):  # fmt: skip
        hierarchy(("R1", "M1", "2026-01-01", "2026-03-01"), ("R1", "M2", "2026-02-01", None))


def test_hierarchy_refuses_a_rep_managing_themselves_and_bad_dates():
    with pytest.raises(InputError, match=r"row 1, column 'manager_id': rep 'R1' reports to"):
        hierarchy(("R1", "R1", "2026-01-01", None))
    with pytest.raises(InputError, match=r"row 1, column 'valid_to': valid_to must be after"):
        hierarchy(("R1", "M1", "2026-01-01", "2026-01-01"))
    with pytest.raises(InputError, match=r"hierarchy, row 1, column 'valid_from': '2026-13-01'"):
        hierarchy(("R1", "M1", "2026-13-01", None))


def test_territories_refuse_two_owners_on_one_day():
    rows = (("T1", "R1", "2026-01-01", None), ("T1", "R2", "2026-06-01", None))
    with pytest.raises(InputError, match=r"territories, row 2: territory 'T1' has two owners"):
        normalise_territories(pa_rows(rows, ("territory_id", "rep_id", "valid_from", "valid_to")))


def test_reporting_chain_intersects_intervals_level_by_level():
    chain = reporting_chain(
        hierarchy(
            ("R1", "M1", "2026-01-01", None),
            ("M1", "V1", "2026-02-01", "2026-05-01"),
            ("M1", "V2", "2026-05-01", None),
        )
    ).to_pylist()
    got = sorted((r["rep_id"], r["manager_id"], r["level"], r["valid_from"], r["valid_to"])
                 for r in chain)  # fmt: skip
    assert got == [
        ("M1", "V1", 1, D(2026, 2, 1), D(2026, 5, 1)),
        ("M1", "V2", 1, D(2026, 5, 1), None),
        ("R1", "M1", 1, D(2026, 1, 1), None),
        ("R1", "V1", 2, D(2026, 2, 1), D(2026, 5, 1)),
        ("R1", "V2", 2, D(2026, 5, 1), None),
    ]


def test_a_cycle_on_disjoint_dates_is_no_cycle():
    # R1 → M1 in January, M1 → R1 in March: never both on one day.
    chain = reporting_chain(
        hierarchy(("R1", "M1", "2026-01-01", "2026-02-01"), ("M1", "R1", "2026-03-01", None))
    )
    assert chain.num_rows == 2


def test_plan_refuses_manager_credits_rolling_up_again():
    text = (CONFORMANCE / "38_manager_roll_up_hierarchy_change" / "plan_mgr.yaml").read_text()
    bad = text.replace("roll_up: {levels: 1}", "roll_up: {levels: 1, roles: [manager]}")
    with pytest.raises(PlanError, match="crediting.roll_up: .*'manager' credits do not roll up"):
        parse_plan(bad, "mgr.yaml")
    with pytest.raises(PlanError, match="levels"):
        parse_plan(text.replace("levels: 1", "levels: 0"), "mgr.yaml")


def test_team_tests_take_a_scope_and_a_team_multiplier_needs_an_attainment_condition():
    text = (CONFORMANCE / "40_team_gate_met_and_not_met" / "plan_ae.yaml").read_text()
    ytd = parse_plan(text.replace("team: true}", "team: true, attainment_scope: ytd}"), "ae.yaml")
    gate = ytd.components[0].modifiers.gates[0]
    assert gate.team and gate.attainment_scope == "ytd"
    bad = text.replace(
        "gates:", 'multipliers:\n        - {valid_from: 2026-01-01, factor: 2, when: "amount > 0", '
        "team: true}\n      gates:"
    )  # fmt: skip
    with pytest.raises(PlanError, match=r"a team multiplier \('team: true'\) needs"):
        parse_plan(bad, "ae.yaml")


@pytest.mark.parametrize("backend", ["oracle", "duckdb"])
def test_team_gate_needs_a_manager_and_the_managers_quota(backend):
    case = load_case(CONFORMANCE / "40_team_gate_met_and_not_met")
    no_manager = case.hierarchy.filter(pc.not_equal(case.hierarchy["rep_id"], "R3"))
    with pytest.raises(RuleError, match=r"rep 'R3' has no manager on 2026-03-31"):
        calculate(case.plans, case.credits, case.assignments, case.quotas,
                  hierarchy=no_manager, period="2026-Q1", backend=backend)  # fmt: skip
    quotas = case.quotas.filter(pc.not_equal(case.quotas["rep_id"], "M2"))
    with pytest.raises(RuleError, match=r"no quota 'revenue' for rep 'M2' in 2026-Q1"):
        calculate(case.plans, case.credits, case.assignments, quotas,
                  hierarchy=case.hierarchy, period="2026-Q1", backend=backend)  # fmt: skip


def test_team_totals_need_fx_rates_for_foreign_credits():
    case = load_case(CONFORMANCE / "40_team_gate_met_and_not_met")
    credits = case.credits.append_column(
        "currency", pa.array(["USD", "USD", "USD", "EUR", "USD", "USD"], pa.string())
    )
    with pytest.raises(RuleError, match=r"no FX rate from EUR to USD on 2026-02-05 \(credit "
                       r"'C4', needed for the team totals of plan ae\)"):  # fmt: skip
        calculate(case.plans, credits, case.assignments, case.quotas,
                  hierarchy=case.hierarchy, period="2026-Q1")  # fmt: skip
    fx = {"from_currency": ["EUR"], "to_currency": ["USD"], "valid_from": ["2026-01-01"],
          "valid_to": [None], "rate": ["1.5"]}  # fmt: skip
    # 20,000 EUR = 30,000 USD: M2's team reaches 55,000 of 50,000 and R3 is paid.
    results = [
        calculate(
            case.plans,
            credits,
            case.assignments,
            case.quotas,
            fx=fx,
            hierarchy=case.hierarchy,
            period="2026-Q1",
            backend=backend,
        )  # fmt: skip
        for backend in ("oracle", "duckdb")
    ]
    assert results[0].lines.equals(results[1].lines)
    paid = {p["rep_id"]: p["net_payable"] for p in results[1].payouts.to_pylist()}
    assert paid["R3"] == Decimal("7000.00")  # (30,000 + 40,000) × 10%


# -- property: a roll-up credit never exceeds the deal's amount × share -------------------------

REPS = ["R1", "R2", "R3", "M1", "M2", "V1"]
DAYS = [D(2026, 1, 1) + dt.timedelta(days=n) for n in range(0, 90, 7)]


@st.composite
def org(draw):
    """A random effective-dated hierarchy without cycles: managers come later in REPS."""
    rows = []
    for index, rep in enumerate(REPS[:-1]):
        above = REPS[index + 1 :]
        change = draw(st.sampled_from([None, *DAYS[1:]]))
        first = draw(st.sampled_from(above))
        if change is None:
            rows.append((rep, first, "2026-01-01", None))
        else:
            rows.append((rep, first, "2026-01-01", change.isoformat()))
            rows.append((rep, draw(st.sampled_from(above)), change.isoformat(), None))
    return rows


deals = st.lists(
    st.tuples(
        st.sampled_from(REPS),
        st.sampled_from(["owner", "split", "overlay"]),
        st.sampled_from(["1", "0.5", "0.3333"]),
        st.sampled_from(DAYS),
        st.integers(min_value=1, max_value=10**7),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=org(), deals=deals, levels=st.sampled_from(["1", "2", "all"]))
def test_roll_up_credits_never_exceed_the_deal_and_backends_agree(rows, deals, levels):
    plan = parse_plan(
        (CONFORMANCE / "38_manager_roll_up_hierarchy_change" / "plan_vp.yaml")
        .read_text()
        .replace("levels: all", f"levels: {levels}")
        .replace("roles: [manager]", "roles: [manager, owner, split, overlay]"),
        "vp.yaml",
    )
    credits = credit_rows(deals)
    assignments = [{"rep_id": r, "plan_id": "vp", "valid_from": "2026-01-01"} for r in REPS]
    results = {
        backend: calculate(
            [plan],
            credits,
            assignments,
            hierarchy=[
                dict(zip(("rep_id", "manager_id", "valid_from", "valid_to"), r, strict=True))
                for r in rows
            ],
            period="2026-Q1",
            backend=backend,
        )  # fmt: skip
        for backend in ("oracle", "duckdb")
    }
    lines = results["duckdb"].lines
    assert lines.equals(results["oracle"].lines)
    by_id = {c["credit_id"]: c for c in credits}
    depth = {"1": 1, "2": 2, "all": len(REPS)}[levels]
    rolled: dict[str, int] = {}
    for line in lines.to_pylist():
        source, *derived = line["credit_id"].split("/")
        credit = by_id[source]
        # A line pays on at most the credited value: amount × share.
        assert line["base"] <= Decimal(credit["amount"]) * Decimal(credit["share"])
        if derived:
            assert credit["role"] in ("owner", "split")
            assert derived[0] == "manager" and derived[1] != credit["rep_id"]
            rolled[source] = rolled.get(source, 0) + 1
    # Each credit rolls up to at most `levels` managers, one line each (a flat 1% rate).
    assert all(count <= depth for count in rolled.values())


def test_input_ids_shaped_like_derived_ids_are_refused_when_credits_are_derived():
    case = load_case(CONFORMANCE / "38_manager_roll_up_hierarchy_change")
    ids = case.credits["credit_id"].to_pylist()
    ids[2] = "C1/manager/M1"
    credits = case.credits.set_column(0, "credit_id", pa.array(ids))
    with pytest.raises(InputError, match=r"credits, row 3, column 'credit_id': 'C1/manager/M1'"):
        calculate(case.plans, credits, case.assignments, hierarchy=case.hierarchy,
                  period="2026-Q1")  # fmt: skip


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=org(),
    deals=deals,
    level=st.sampled_from(["0", "50", "100", "150"]),
    quota=st.integers(min_value=1, max_value=2 * 10**7),
)
def test_team_gate_oracle_and_duckdb_agree(rows, deals, level, quota):
    """Random effective-dated teams: the team gate pays or gates the same lines on both."""
    plan = parse_plan(
        (CONFORMANCE / "40_team_gate_met_and_not_met" / "plan_ae.yaml")
        .read_text()
        .replace("attainment_at_least: 100", f"attainment_at_least: {level}"),
        "ae.yaml",
    )
    credits = credit_rows(deals)
    # V1 is the top: give it a manager of its own so every rep on the plan has one.
    hierarchy = [dict(zip(("rep_id", "manager_id", "valid_from", "valid_to"), r, strict=True))
                 for r in [*rows, ("V1", "TOP", "2026-01-01", None)]]  # fmt: skip
    assignments = [{"rep_id": r, "plan_id": "ae", "valid_from": "2026-01-01"} for r in REPS]
    quotas = [
        {"rep_id": r, "quota": "revenue", "period": "2026-Q1", "amount": str(quota)}
        for r in [*REPS, "TOP"]
    ]
    results = [
        calculate(
            [plan],
            credits,
            assignments,
            quotas,
            hierarchy=hierarchy,
            period="2026-Q1",
            backend=backend,
        )  # fmt: skip
        for backend in ("oracle", "duckdb")
    ]
    assert results[0].lines.equals(results[1].lines)
    assert results[0].payouts.equals(results[1].payouts)
    if level == "0":
        assert not any(results[1].lines.column("gated").to_pylist())


def credit_rows(deals) -> list[dict]:
    """Credit rows, one per (rep, role, share, day, amount) of ``deals``, each its own deal."""
    return [
        {
            "credit_id": f"C{n}",
            "deal_id": f"D{n}",
            "rep_id": rep,
            "role": role,
            "share": share,
            "event_date": day.isoformat(),
            "amount": str(amount),
        }  # fmt: skip
        for n, (rep, role, share, day, amount) in enumerate(deals)
    ]
