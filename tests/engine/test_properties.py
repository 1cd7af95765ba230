"""Property tests: invariants of the semantics, checked on generated plans and data."""

from __future__ import annotations

import io
import random
from decimal import ROUND_HALF_EVEN, Decimal

import pyarrow as pa
import pyarrow.ipc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attain.engine import calculate

from .builders import assignments_for, credits_table, make_plan, quotas_for

FAST = settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

cents = st.integers(min_value=1, max_value=20_000_000).map(lambda c: Decimal(c).scaleb(-2))
dollars = st.integers(min_value=1, max_value=200_000).map(Decimal)
days_in_q1 = st.integers(min_value=0, max_value=89)


def total(result) -> Decimal:
    return sum((row["amount"] for row in result.lines.to_pylist()), Decimal(0))


def single_deal_payout(plan, amount: Decimal, backend: str = "oracle") -> Decimal:
    credits = credits_table([{"amount": amount, "day": 5}])
    result = calculate([plan], credits, assignments_for(["R1"]), period="2026-Q1", backend=backend)
    return total(result)


rates = st.lists(st.integers(min_value=0, max_value=25), min_size=1, max_size=4)


@st.composite
def marginal_tables(draw):
    rate_list = draw(rates)
    bounds = sorted(
        draw(
            st.sets(
                st.integers(1, 300_000), min_size=len(rate_list) - 1, max_size=len(rate_list) - 1
            )
        )
    )
    lows = [0, *bounds]
    highs = [*bounds, None]
    return [(lo, hi, str(r)) for lo, hi, r in zip(lows, highs, rate_list, strict=True)]


@FAST
@given(table=marginal_tables(), amount=cents)
def test_marginal_payout_is_continuous_and_non_decreasing(table, amount):
    plan = make_plan(tiers=table)
    step = Decimal("0.01")
    low = single_deal_payout(plan, amount)
    high = single_deal_payout(plan, amount + step)
    top_rate = max(Decimal(r) for _, _, r in table) / 100
    assert high >= low
    # One more cent of measure moves the payout by at most the top rate of a cent, plus
    # the half-cent the rounding of each side may add.
    assert high - low <= top_rate * step + Decimal("0.01")


@FAST
@given(
    table=marginal_tables(),
    first=dollars,
    second=dollars,
    other=st.lists(st.tuples(dollars, days_in_q1), max_size=4),
)
def test_splitting_a_transaction_leaves_cumulative_marginal_payout_unchanged(
    table, first, second, other
):
    # Whole dollars, whole-percent rates and whole-dollar bounds: every slice pays whole
    # cents, so the comparison is exact.
    plan = make_plan(tiers=table)
    rest = [{"amount": a, "day": d, "credit_id": f"O{i}"} for i, (a, d) in enumerate(other)]
    whole = [{"amount": first + second, "day": 40, "credit_id": "X"}, *rest]
    split = [
        {"amount": first, "day": 40, "credit_id": "X1"},
        {"amount": second, "day": 40, "credit_id": "X2"},
        *rest,
    ]
    run = lambda deals: calculate(  # noqa: E731
        [plan], credits_table(deals), assignments_for(["R1"]), period="2026-Q1", backend="oracle"
    )
    assert total(run(whole)) == total(run(split))


@FAST
@given(
    deals=st.lists(st.tuples(cents, days_in_q1), min_size=1, max_size=8),
    cap=st.integers(min_value=0, max_value=50_000),
)
def test_a_cap_is_never_exceeded(deals, cap):
    plan = make_plan(caps=[{"amount": Decimal(cap), "per": "period"}])
    credits = credits_table([{"amount": a, "day": d} for a, d in deals])
    result = calculate([plan], credits, assignments_for(["R1"]), period="2026-Q1", backend="duckdb")
    paid = total(result)
    uncapped = sum((r["amount_before_cap"] for r in result.lines.to_pylist()), Decimal(0))
    assert paid <= cap
    assert paid == min(uncapped, Decimal(cap))


@FAST
@given(
    deals=st.lists(
        st.tuples(cents, days_in_q1, st.one_of(st.none(), st.integers(0, 120))),
        min_size=1,
        max_size=8,
    )
)
def test_a_clawback_reverses_exactly_the_deals_earnings(deals):
    plan = make_plan(clawback={"within_days": 60})
    rows = [
        {"amount": a, "day": d, "cancel_day": None if c is None else 90 + c % 60}
        for a, d, c in deals
    ]
    credits = credits_table(rows)
    assignments = assignments_for(["R1"])
    lines = calculate([plan], credits, assignments, period="2026-H1", backend="duckdb").lines
    earned: dict[str, Decimal] = {}
    reversed_: dict[str, Decimal] = {}
    for line in lines.to_pylist():
        if line["line_kind"] == "earning":
            assert line["period"] == "2026-Q1"
            earned[line["credit_id"]] = earned.get(line["credit_id"], Decimal(0)) + line["amount"]
        else:
            assert (line["line_kind"], line["period"]) == ("clawback", "2026-Q2")
            reversed_[line["credit_id"]] = (
                reversed_.get(line["credit_id"], Decimal(0)) + line["amount"]
            )
    expected = {}
    for index, row in enumerate(rows):
        credit_id = f"C{index:04d}"
        cancel = row["cancel_day"]
        if cancel is not None and cancel - row["day"] <= 60 and credit_id in earned:
            expected[credit_id] = -earned[credit_id]
    assert reversed_ == expected


def arrow_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pyarrow.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


@FAST
@given(
    deals=st.lists(
        st.tuples(cents, days_in_q1, st.sampled_from(["R1", "R2", "R3"])), min_size=1, max_size=10
    ),
    seed=st.integers(0, 1000),
)
def test_results_do_not_depend_on_input_row_order(deals, seed):
    plan = make_plan(basis="attainment", tiers=[(0, 50, "3"), (50, 100, "6"), (100, None, "9")])
    rows = [{"amount": a, "day": d, "rep": r} for a, d, r in deals]
    shuffled = list(enumerate(rows))
    random.Random(seed).shuffle(shuffled)
    reps = ["R1", "R2", "R3"]
    args = (assignments_for(reps), quotas_for(reps))
    straight = calculate([plan], credits_table(rows), *args, period="2026-Q1")
    # Keep each credit's id when shuffling: the ids, not the positions, identify credits.
    mixed_rows = [{**row, "credit_id": f"C{i:04d}", "deal_id": f"D{i:04d}"} for i, row in shuffled]
    mixed = calculate([plan], credits_table(mixed_rows), *args, period="2026-Q1")
    assert arrow_bytes(straight.lines) == arrow_bytes(mixed.lines)
    assert arrow_bytes(straight.payouts) == arrow_bytes(mixed.payouts)


# Draw tables for the random comparisons: none, a recoverable draw all year, and a mix that
# changes kind mid-year and starts in the middle of a period.
DRAW_CHOICES = [
    None,
    [{"rep_id": "R1", "valid_from": "2026-01-01", "amount": "6000", "kind": "recoverable"}],
    [
        {"rep_id": "R1", "valid_from": "2026-01-01", "valid_to": "2026-04-01",
         "amount": "9000.50", "kind": "recoverable"},
        {"rep_id": "R1", "valid_from": "2026-04-01", "amount": "1500", "kind": "non_recoverable"},
        {"rep_id": "R2", "valid_from": "2026-02-01", "valid_to": "2026-06-01", "amount": "4000",
         "kind": "recoverable"},
    ],
]  # fmt: skip
draw_tables = st.sampled_from(DRAW_CHOICES)


@st.composite
def monthly_draws(draw):
    """One draw row per rep and a few months, of either kind, possibly with gaps."""
    rows = []
    for rep in ("R1", "R2"):
        start = draw(st.integers(1, 6))
        end = draw(st.integers(start + 1, 7))
        rows.append(
            {
                "rep_id": rep,
                "valid_from": f"2026-{start:02d}-01",
                "valid_to": None if end == 7 else f"2026-{end:02d}-01",
                "amount": str(draw(st.integers(0, 1_500_000)) / Decimal(100)),
                "kind": draw(st.sampled_from(["recoverable", "non_recoverable"])),
            }
        )
    return rows


@FAST
@given(
    deals=st.lists(
        st.tuples(
            cents, st.integers(0, 180), st.sampled_from(["R1", "R2"]),
            st.one_of(st.none(), st.integers(0, 60)),
        ),
        min_size=0,
        max_size=10,
    ),
    draws=monthly_draws(),
)  # fmt: skip
def test_draws_recover_no_more_than_advanced_and_pay_never_drops_below_the_draw(deals, draws):
    plan = make_plan(
        period="month",
        tiers=[(0, 20000, "5"), (20000, None, "12")],
        clawback={"within_days": 60, "reduces_attainment": False},
    )
    rows = [
        {"amount": a, "day": d, "rep": r, "cancel_day": None if c is None else d + c}
        for a, d, r, c in deals
    ]
    reps = ["R1", "R2"]
    results = [
        calculate([plan], credits_table(rows), assignments_for(reps), draws=draws,
                  period="2026-H1", backend=backend)
        for backend in ("oracle", "duckdb")
    ]  # fmt: skip
    oracle, duckdb = results
    assert duckdb.lines.equals(oracle.lines)
    assert duckdb.payouts.equals(oracle.payouts)
    lines = oracle.lines.to_pylist()
    for rep in reps:
        own = [line for line in lines if line["rep_id"] == rep]
        advanced = sum(
            (
                x["amount"]
                for x in own
                if x["line_kind"] == "draw" and x["rate_kind"] == "recoverable"
            ),
            Decimal(0),
        )
        recovered = -sum(
            (x["amount"] for x in own if x["line_kind"] == "draw_recovery"), Decimal(0)
        )
        assert Decimal(0) <= recovered <= advanced
    in_force = {}
    for row in draws:
        for month in range(1, 7):
            last_day = f"2026-{month:02d}-28"
            if row["valid_from"] <= last_day and (
                row["valid_to"] is None or last_day < row["valid_to"]
            ):
                in_force[(row["rep_id"], f"2026-{month:02d}")] = Decimal(row["amount"])
    payouts = {(p["rep_id"], p["period"]): p for p in oracle.payouts.to_pylist()}
    for key, amount in in_force.items():
        paid = payouts[key]["net_payable"] if key in payouts else Decimal(0)
        if amount > 0:
            assert key in payouts, key  # a draw pays even a rep with no credits
        assert paid >= amount, (key, paid, amount)


@st.composite
def plan_variants(draw):
    semantic = draw(st.sampled_from(["marginal", "retroactive", "interpolated"]))
    basis = (
        "attainment"
        if semantic == "interpolated"
        else draw(st.sampled_from(["amount", "attainment"]))
    )
    evaluation = draw(st.sampled_from(["cumulative", "per_transaction"]))
    if semantic == "interpolated":
        tiers = [(0, None, "0"), (50, None, "20"), (100, None, "100"), (160, None, "250")]
    elif basis == "attainment":
        tiers = [(0, 40, "2.5"), (40, 100, "5"), (100, None, "7.75")]
    else:
        tiers = [(0, 25000, "2.5"), (25000, 80000, "5"), (80000, None, "7.75")]
    caps = draw(
        st.sampled_from(
            [
                [],
                [{"amount": Decimal("7000.50"), "per": "period"}],
                [{"multiple_of_target": Decimal("0.75"), "per": "year"}],
            ]
        )
    )
    multipliers = draw(
        st.sampled_from(
            [
                [],
                [{"factor": Decimal("1.25"), "when": "amount > 30000"}],
                [{"factor": Decimal("1.5"), "attainment_at_least": 90}],
                [{"factor": Decimal("2"), "attainment_at_least": 60, "attainment_scope": "ytd"}],
            ]
        )
    )
    gates = draw(st.sampled_from([[], [{"attainment_at_least": Decimal("30")}]]))
    floors = draw(st.sampled_from([[], [{"multiple_of_target": Decimal("0.15")}]]))
    reduces = draw(st.booleans())
    accumulate = "period"
    if semantic in ("marginal", "retroactive") and draw(st.booleans()):
        accumulate = "ytd"  # a cumulative retroactive table on the year to date trues up
    return make_plan(
        semantic=semantic,
        basis=basis,
        evaluation=evaluation,
        tie_break=draw(st.sampled_from(["higher", "lower"])),
        tiers=tiers,
        caps=caps,
        multipliers=multipliers,
        gates=gates,
        floors=floors,
        clawback={"within_days": 45, "reduces_attainment": reduces},
        accumulate=accumulate,
        source=draw(st.sampled_from(["amount", "margin"])),
        plan_caps=draw(
            st.sampled_from(
                [
                    [],
                    [{"multiple_of_target": Decimal("0.6"), "per": "period"}],
                    [{"amount": Decimal("9000"), "per": "year"}],
                ]
            )
        ),
        plan_floors=draw(
            st.sampled_from(
                [
                    [],
                    [{"multiple_of_target": Decimal("0.4"), "per": "period"}],
                    [{"amount": Decimal("2500.50"), "per": "period"}],
                ]
            )
        ),
    )


# Random deals for the backend comparisons: (amount, day, rep, share, cancel after days,
# margin % from -100 to +100 (negative measure values included), currency).
random_deals = st.lists(
    st.tuples(
        cents,
        st.integers(0, 180),
        st.sampled_from(["R1", "R2"]),
        st.sampled_from(["1", "0.5", "0.3333"]),
        st.one_of(st.none(), st.integers(0, 60)),
        st.integers(-100, 100),
        st.sampled_from([None, "USD", "EUR"]),
    ),
    min_size=1,
    max_size=10,
)
RANDOM_FX = [
    {"from_currency": "EUR", "to_currency": "USD", "valid_from": "2025-01-01",
     "valid_to": "2026-03-01", "rate": "1.08345678"},
    {"from_currency": "EUR", "to_currency": "USD", "valid_from": "2026-03-01", "rate": "1.1"},
]  # fmt: skip


def calculate_random(plan, deals, draws, backend: str, **options):
    """``calculate`` on a ``random_deals`` draw for reps R1 and R2 over 2026-H1."""
    rows = [
        {
            "amount": a,
            "margin": (a * m / 100).quantize(Decimal("0.01")),
            "day": d,
            "rep": r,
            "share": s,
            "cancel_day": None if c is None else d + c,
            "currency": currency,
        }
        for a, d, r, s, c, m, currency in deals
    ]
    reps = ["R1", "R2"]
    args = ([plan], credits_table(rows), assignments_for(reps), quotas_for(reps))
    return calculate(*args, fx=RANDOM_FX, draws=draws, period="2026-H1", backend=backend, **options)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(plan=plan_variants(), deals=random_deals, draws=draw_tables)
def test_duckdb_agrees_with_the_oracle(plan, deals, draws):
    oracle = calculate_random(plan, deals, draws, "oracle")
    duckdb = calculate_random(plan, deals, draws, "duckdb")
    assert duckdb.lines.equals(oracle.lines)
    assert duckdb.payouts.equals(oracle.payouts)


# --- year-to-date retroactive tiers: true-ups ---------------------------------------------

QUARTERS = ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")
YTD_TIERS = {
    "amount": [(0, 60000, "2"), (60000, 150000, "4.5"), (150000, None, "7.25")],
    "attainment": [(0, 50, "2"), (50, 100, "4.5"), (100, None, "7.25")],
}


def retro_rate(tiers, total: Decimal, quota: Decimal | None) -> Decimal:
    """The rate of the tier ``total`` reaches (tie: higher), written out independently."""
    rate = Decimal(tiers[0][2])
    for low, _, tier_rate in tiers[1:]:
        bound = Decimal(low) * quota / 100 if quota is not None else Decimal(low)
        if total >= bound:
            rate = Decimal(tier_rate)
    return rate


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    basis=st.sampled_from(["amount", "attainment"]),
    deals=st.lists(
        st.tuples(cents, st.integers(0, 364), st.one_of(st.none(), st.integers(0, 120))),
        min_size=1,
        max_size=12,
    ),
    kicker=st.booleans(),
    year_cap=st.one_of(st.none(), st.integers(0, 30_000)),
)
def test_true_ups_make_the_year_pay_every_credit_at_the_final_rate(basis, deals, kicker, year_cap):
    """Earnings, true-ups and clawbacks of the year add up to what the year's standing
    credits earn at the rate of the final year-to-date tier, each rounded half-even to the
    cent as its earning line is; a year cap bounds that sum, true-ups included."""
    tiers = YTD_TIERS[basis]
    plan = make_plan(
        semantic="retroactive",
        basis=basis,
        tiers=tiers,
        accumulate="ytd",
        clawback={"within_days": 60, "reduces_attainment": True},
        multipliers=[{"factor": Decimal("1.5"), "when": "amount > 50000"}] if kicker else [],
        caps=[] if year_cap is None else [{"amount": Decimal(year_cap), "per": "year"}],
    )
    rows = [
        {"amount": a, "day": d, "cancel_day": None if c is None else min(364, d + c)}
        for a, d, c in deals
    ]
    quota = Decimal(40000)
    args = (
        [plan],
        credits_table(rows),
        assignments_for(["R1"]),
        quotas_for(["R1"], str(quota), QUARTERS),
    )
    results = {b: calculate(*args, period="2026", backend=b) for b in ("oracle", "duckdb")}
    assert results["duckdb"].lines.equals(results["oracle"].lines)
    lines = results["oracle"].lines.to_pylist()
    standing = [
        (a, c is None or c - d > 60)
        for a, d, c in ((r["amount"], r["day"], r["cancel_day"]) for r in rows)
    ]
    year_total = sum((a for a, kept in standing if kept), Decimal(0))
    final = retro_rate(tiers, year_total, 4 * quota if basis == "attainment" else None)
    expected = Decimal(0)
    for amount, kept in standing:
        if kept:
            factor = Decimal("1.5") if kicker and amount > 50000 else Decimal(1)
            expected += (amount * final / 100 * factor).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    kinds = {line["line_kind"] for line in lines}
    assert kinds <= {"earning", "true_up", "clawback"}
    standing_ids = {f"C{i:04d}" for i, (_, kept) in enumerate(standing) if kept}
    own = [x for x in lines if x["credit_id"] in standing_ids and x["line_kind"] != "clawback"]
    assert sum((x["amount_before_cap"] for x in own), Decimal(0)) == expected
    if year_cap is None:
        # Clawed-back credits net to zero: the year pays exactly the standing credits' sum,
        # the final rate × the year-to-date total up to half a cent a credit.
        paid = sum((x["amount"] for x in lines), Decimal(0))
        assert paid == expected
        if not kicker:
            assert abs(paid - year_total * final / 100) <= Decimal("0.005") * len(rows)
    else:
        # The year cap's running sum covers earnings and true-ups alike: what they pay
        # together is the lesser of their uncapped sum and the cap.
        counted = [x for x in lines if x["line_kind"] != "clawback"]
        uncapped = sum((x["amount_before_cap"] for x in counted), Decimal(0))
        assert sum((x["amount"] for x in counted), Decimal(0)) == min(uncapped, Decimal(year_cap))
