"""Year-to-date retroactive tiers: true-up lines, their order under caps, and what the
plan validation still refuses (docs/plans.md, "True-ups")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.engine import PlanError, calculate, load_plan

from .builders import assignments_for, credits_table, make_plan

PLAN = """\
id: ytd
version: 1
name: YTD retroactive
valid_from: 2026-01-01
period: quarter
measures:
  revenue: {source: amount}
components:
  - id: commission
    name: Commission
    measure: revenue
    accumulate: ytd
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: retroactive
        tiers:
          - {from: 0, to: 100, rate: 2}
          - {from: 100, rate: 3}
"""


def run(plan, deals, period="2026-H1"):
    results = {
        backend: calculate(
            [plan], credits_table(deals), assignments_for(["R1"]), period=period, backend=backend
        )
        for backend in ("oracle", "duckdb")
    }
    assert results["duckdb"].lines.equals(results["oracle"].lines)
    assert results["duckdb"].payouts.equals(results["oracle"].payouts)
    return results["oracle"]


def summary(result) -> list[tuple]:
    return [
        (x["period"], x["line_kind"], x["credit_id"], x["amount_before_cap"], x["amount"])
        for x in result.lines.to_pylist()
    ]


def test_a_year_to_date_retroactive_table_loads(tmp_path):
    path = tmp_path / "ytd.yaml"
    path.write_text(PLAN)
    assert load_plan(path).components[0].trues_up


@pytest.mark.parametrize("pay_on", ["invoice", "collection"])
def test_true_ups_on_cash_are_refused_with_file_path_and_reason(tmp_path, pay_on):
    path = tmp_path / "ytd.yaml"
    path.write_text(
        PLAN.replace("    accumulate: ytd\n", f"    accumulate: ytd\n    pay_on: {pay_on}\n")
    )
    with pytest.raises(PlanError) as error:
        load_plan(path)
    message = str(error.value)
    assert message.startswith(str(path))
    assert "components[0].pay_on" in message
    assert f"pay on {pay_on} is not supported" in message


def test_true_ups_count_toward_a_period_cap_after_the_periods_earnings():
    # Tiers on the year-to-date amount: below 100,000 5%, from 100,000 10%; cap 3,000 a
    # quarter. Q1: C1 60,000 × 5% = 3,000 (at the cap). Q2: C2 50,000 takes the year to
    # 110,000: C2 earns 5,000 (capped to 3,000, on 15 May) and C1 is re-rated 5% → 10%, a
    # true-up of 3,000 on 30 June, after the cap is used up: paid 0.
    plan = make_plan(
        semantic="retroactive",
        tiers=[(0, 100000, "5"), (100000, None, "10")],
        accumulate="ytd",
        caps=[{"amount": Decimal(3000), "per": "period"}],
    )
    result = run(plan, [{"amount": 60000, "day": 10}, {"amount": 50000, "day": 134}])
    assert summary(result) == [
        ("2026-Q1", "earning", "C0000", Decimal("3000.00"), Decimal("3000.00")),
        ("2026-Q2", "earning", "C0001", Decimal("5000.00"), Decimal("3000.00")),
        ("2026-Q2", "true_up", "C0000", Decimal("3000.00"), Decimal("0.00")),
    ]
    payouts = result.payouts.to_pylist()
    assert [(p["earnings"], p["true_ups"], p["cap_reductions"]) for p in payouts] == [
        (Decimal("3000.00"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("3000.00"), Decimal("0.00"), Decimal("5000.00")),
    ]
    true_up = result.lines.to_pylist()[2]
    assert (true_up["event_date"].isoformat(), true_up["rate_from"], true_up["rate"]) == (
        "2026-06-30",
        Decimal("5"),
        Decimal("10"),
    )
    assert true_up["explanation"] == (
        "True-up: deal D0000 ($60,000), paid at 5% in an earlier period of the year, is "
        "re-rated at 10%, the rate of tier 2 ($100,000 and above) reached by the year-to-date "
        "total of $110,000: $3,000. The cap reduces it by $3,000 to $0."
    )


def test_per_deal_rates_are_re_rated_per_deal():
    # Deals counted year to date: under 3 deals $100 a deal, from 3 $250. Q1: two deals,
    # $100 each. Q2: two more (4 in the year): $250 each, and the two Q1 deals get $150 each.
    plan = make_plan(
        semantic="retroactive",
        tiers=[(0, 3, "100"), (3, None, "250")],
        accumulate="ytd",
        source="deals",
    )
    plan = plan.model_copy(
        update={
            "components": [
                plan.components[0].model_copy(
                    update={
                        "rate_tables": [
                            plan.components[0]
                            .rate_tables[0]
                            .model_copy(update={"rate": "per_deal"})
                        ]
                    }
                )
            ]
        }
    )
    deals = [{"amount": 10, "day": d} for d in (5, 20, 100, 120)]
    result = run(plan, deals)
    assert [(p, k, c, a) for p, k, c, a, _ in summary(result)] == [
        ("2026-Q1", "earning", "C0000", Decimal("100.00")),
        ("2026-Q1", "earning", "C0001", Decimal("100.00")),
        ("2026-Q2", "earning", "C0002", Decimal("250.00")),
        ("2026-Q2", "earning", "C0003", Decimal("250.00")),
        ("2026-Q2", "true_up", "C0000", Decimal("150.00")),
        ("2026-Q2", "true_up", "C0001", Decimal("150.00")),
    ]
    # (A deal count is shown as the measure's amount, as on every per-deal line.)
    assert result.lines.to_pylist()[4]["explanation"] == (
        "True-up: deal D0000 ($1), paid at $100 per deal in an earlier period of the year, is "
        "re-rated at $250 per deal, the rate of tier 2 ($3 and above) reached by the "
        "year-to-date total of $4: $150."
    )


def test_no_true_up_without_a_change_of_rate_nor_for_a_gated_credit():
    # Gate: 50% of the year-to-date quota (100,000 a quarter). Q1: 30,000 is 30%: gated,
    # paid 0 at 2%. Q2: 150,000 more, 180,000 of 200,000 = 90%: 5%, not gated. C1 was
    # gated: it earned nothing at any rate, so it gets no true-up.
    plan = make_plan(
        semantic="retroactive",
        basis="attainment",
        tiers=[(0, 50, "2"), (50, None, "5")],
        accumulate="ytd",
        gates=[{"attainment_at_least": Decimal(50)}],
    )
    quotas = [
        {"rep_id": "R1", "quota": "revenue", "period": p, "amount": "100000"}
        for p in ("2026-Q1", "2026-Q2")
    ]
    deals = credits_table([{"amount": 30000, "day": 10}, {"amount": 150000, "day": 100}])
    lines = {
        b: calculate(
            [plan], deals, assignments_for(["R1"]), quotas, period="2026-H1", backend=b
        ).lines
        for b in ("oracle", "duckdb")
    }
    assert lines["duckdb"].equals(lines["oracle"])
    assert [(x["line_kind"], x["gated"], x["amount"]) for x in lines["oracle"].to_pylist()] == [
        ("earning", True, Decimal("0.00")),
        ("earning", False, Decimal("7500.00")),
    ]
