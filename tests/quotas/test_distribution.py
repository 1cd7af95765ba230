"""The distribution arithmetic: worked examples checked by hand, and properties for random
inputs (the parts are whole cents, never negative, and add up exactly to the total)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attain.engine.periods import parse_period
from attain.quotas.distribution import (
    EVEN,
    LAST_YEAR,
    DistributionError,
    RepInput,
    distribute,
    presence_factor,
    split_exact,
)

D = Decimal


def test_split_exact_gives_leftover_cents_to_the_largest_remainders():
    # 10000 cents / 3 = 3333.33 each: floors 3333 ×3 = 9999, the one cent left goes first.
    assert split_exact(D("100.00"), [1, 1, 1]) == [D("33.34"), D("33.33"), D("33.33")]
    # 1000 cents by 1:2 = 333.33 and 666.67: floors 333 + 666, the cent goes to .67.
    assert split_exact(D("10.00"), [1, 2]) == [D("3.33"), D("6.67")]
    assert split_exact(D("0.00"), [1, 5]) == [D("0.00"), D("0.00")]
    assert split_exact(D("0.01"), [0, 1, 0]) == [D("0.00"), D("0.01"), D("0.00")]


def test_split_exact_refuses_what_it_cannot_split():
    with pytest.raises(DistributionError):
        split_exact(D("10.00"), [0, 0])
    with pytest.raises(DistributionError):
        split_exact(D("10.001"), [1])
    with pytest.raises(DistributionError):
        split_exact(D("-1.00"), [1])
    with pytest.raises(DistributionError):
        split_exact(D("1.00"), [1, -1])


def test_annual_number_with_quarterly_seasonality_evenly_to_three_reps():
    reps = [RepInput(1, "Ann"), RepInput(2, "Bob"), RepInput(3, "Cy")]
    result = distribute(
        D("1000000.00"),
        ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"],
        reps,
        method=EVEN,
        seasonality=[D(20), D(20), D(20), D(40)],
    )
    # 20/20/20/40 of 1,000,000 → 200,000 ×3 and 400,000.
    assert result.period_totals == [D("200000.00")] * 3 + [D("400000.00")]
    # 200,000 / 3 = 66,666.666…: two reps get 66,666.67, one 66,666.66.
    # 400,000 / 3 = 133,333.333…: one rep gets 133,333.34, two 133,333.33.
    assert result.lines[0].amounts == [D("66666.67")] * 3 + [D("133333.34")]
    assert result.lines[1].amounts == [D("66666.67")] * 3 + [D("133333.33")]
    assert result.lines[2].amounts == [D("66666.66")] * 3 + [D("133333.33")]
    assert [line.total for line in result.lines] == [
        D("333333.35"),
        D("333333.34"),
        D("333333.31"),
    ]
    assert result.sum == D("1000000.00")


def test_a_ramped_new_hire_leaves_the_difference_to_the_others():
    q1 = parse_period("2026-Q1")
    # Hired 1 February with a 50%, 100% ramp: January 0 days, February 28 days at 50%,
    # March 31 days at 100% → (14 + 31) / 90 = 1/2 of a full share.
    factor = presence_factor(
        q1, [(dt.date(2026, 2, 1), None)], hire_date=dt.date(2026, 2, 1), ramp=[D(50), D(100)]
    )
    assert factor == Fraction(1, 2)
    reps = [RepInput(1, "Veteran", factors=[Fraction(1)]), RepInput(2, "New", factors=[factor])]
    result = distribute(D("120000.00"), ["2026-Q1"], reps)
    # Weights 1 and 1/2: 2/3 and 1/3 of 120,000. The team number does not shrink.
    assert [line.total for line in result.lines] == [D("80000.00"), D("40000.00")]
    assert result.notes  # the preview says the reduction went to the others


def test_proration_of_a_mid_quarter_joiner():
    q1 = parse_period("2026-Q1")
    factor = presence_factor(q1, [(dt.date(2026, 2, 1), None)])
    assert factor == Fraction(59, 90)  # February and March: 28 + 31 of 90 days
    reps = [RepInput(1, "A", factors=[Fraction(1)]), RepInput(2, "B", factors=[factor])]
    result = distribute(D("120000.00"), ["2026-Q1"], reps)
    # 12,000,000 cents × 90/149 = 7,248,322.15 and × 59/149 = 4,751,677.85: floors leave
    # one cent, which goes to the larger remainder (B).
    assert [line.total for line in result.lines] == [D("72483.22"), D("47516.78")]


def test_a_leaver_counts_until_their_last_day():
    q1 = parse_period("2026-Q1")
    # Last day employed 31 January: 31 of 90 days.
    left = presence_factor(q1, [(dt.date(2025, 1, 1), None)], termination_date=dt.date(2026, 1, 31))
    assert left == Fraction(31, 90)
    # Without proration a member for any day of the period counts fully.
    member = presence_factor(q1, [(dt.date(2026, 3, 1), None)], prorate=False)
    assert member == 1


def test_last_years_share_with_a_rep_without_history():
    reps = [
        RepInput(1, "A", basis=D("300.00")),
        RepInput(2, "B", basis=D("100.00")),
        RepInput(3, "New", basis=None),
    ]
    result = distribute(D("60000.00"), ["2026"], reps, method=LAST_YEAR)
    # The newcomer is weighted as the average rep with history (200): 300/100/200 of 600.
    assert [line.total for line in result.lines] == [
        D("30000.00"),
        D("10000.00"),
        D("20000.00"),
    ]
    assert "average" in result.lines[2].note


def test_last_year_without_any_history_falls_back_to_even():
    reps = [RepInput(1, "A"), RepInput(2, "B")]
    result = distribute(D("10.00"), ["2026"], reps, method=LAST_YEAR)
    assert [line.total for line in result.lines] == [D("5.00"), D("5.00")]
    assert "even share" in result.lines[0].note


def test_bad_inputs_are_explained():
    with pytest.raises(DistributionError, match="seasonality needs 4 weights"):
        distribute(D("1.00"), ["Q1", "Q2", "Q3", "Q4"], [RepInput(1, "A")], seasonality=[D(1)])
    with pytest.raises(DistributionError, match="no members"):
        distribute(D("1.00"), ["2026"], [])
    with pytest.raises(DistributionError, match="nobody on the team is in force"):
        distribute(D("1.00"), ["2026"], [RepInput(1, "A", factors=[Fraction(0)])])


weights = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
factors = st.fractions(min_value=0, max_value=1, max_denominator=400)


@settings(max_examples=120, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**13),
    data=st.data(),
    n_reps=st.integers(min_value=1, max_value=15),
    n_periods=st.integers(min_value=1, max_value=12),
    method=st.sampled_from(["even", "last_year", "potential"]),
)
def test_distribution_always_adds_up_exactly(cents, data, n_reps, n_periods, method):
    total = D(cents) / 100
    season = data.draw(st.lists(weights, min_size=n_periods, max_size=n_periods))
    if not any(season):
        season[0] = D(1)
    reps = []
    for i in range(n_reps):
        basis = data.draw(st.one_of(st.none(), weights))
        f = data.draw(st.lists(factors, min_size=n_periods, max_size=n_periods))
        reps.append(RepInput(i, f"rep {i}", basis=basis, factors=f))
    for p in range(n_periods):  # someone is in force in every period
        if all(r.factors[p] == 0 for r in reps):
            reps[0].factors[p] = Fraction(1)
    labels = [f"P{p}" for p in range(n_periods)]
    result = distribute(total, labels, reps, method=method, seasonality=season)
    assert result.sum == total
    assert sum(result.period_totals) == total
    for p, period_total in enumerate(result.period_totals):
        assert sum(line.amounts[p] for line in result.lines) == period_total
    for line in result.lines:
        for amount in line.amounts:
            assert amount >= 0
            assert amount == amount.quantize(D("0.01"))


@settings(max_examples=120, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**12),
    ws=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40),
)
def test_split_exact_is_within_a_cent_of_the_exact_share(cents, ws):
    if not any(ws):
        ws[0] = 1
    total = D(cents) / 100
    parts = split_exact(total, ws)
    assert sum(parts) == total
    whole = sum(ws)
    for part, w in zip(parts, ws, strict=True):
        exact = Fraction(cents * w, whole)
        assert abs(Fraction(int(part * 100)) - exact) < 1
