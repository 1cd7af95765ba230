"""The pure statistics: Beta CDF and quantile against closed forms and reference values,
the method-of-moments prior, shrinkage and the log-scale comparison."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attain.coaching import metrics


def binomial_tail(x: float, a: int, b: int) -> float:
    """I_x(a, b) for integer a, b: P(Binomial(a + b − 1, x) ≥ a)."""
    n = a + b - 1
    return sum(math.comb(n, j) * x**j * (1 - x) ** (n - j) for j in range(a, n + 1))


@pytest.mark.parametrize("a", [1, 2, 3, 7, 20])
@pytest.mark.parametrize("b", [1, 2, 5, 13])
@pytest.mark.parametrize("x", [0.01, 0.2, 0.5, 0.77, 0.99])
def test_beta_cdf_matches_the_binomial_identity(a, b, x):
    assert metrics.beta_cdf(x, a, b) == pytest.approx(binomial_tail(x, a, b), abs=1e-12)


@pytest.mark.parametrize(
    ("p", "a", "b", "expected"),
    [
        # Closed forms: Beta(a, 1) quantile p^(1/a); Beta(1, b) quantile 1 − (1 − p)^(1/b).
        (0.05, 3.0, 1.0, 0.05 ** (1 / 3)),
        (0.95, 1.0, 4.5, 1 - 0.05 ** (1 / 4.5)),
        (0.5, 2.0, 2.0, 0.5),
        (0.5, 7.3, 7.3, 0.5),
        # Arcsine distribution Beta(½, ½): quantile sin²(πp/2).
        (0.05, 0.5, 0.5, math.sin(math.pi * 0.05 / 2) ** 2),
        # Reference values (scipy.stats.beta.ppf / R qbeta).
        (0.05, 2.0, 5.0, 0.06284989),
        (0.95, 2.0, 5.0, 0.58180341),
    ],
)
def test_beta_quantile_known_values(p, a, b, expected):
    assert metrics.beta_quantile(p, a, b) == pytest.approx(expected, abs=1e-7)


# Parameters from 0.5 up: a posterior here is Beta(α + won, β + lost) with α + β ≥ 10.
# (Far below, e.g. Beta(1, 0.2) at p = 0.998, the quantile is 1 − 5e-14, closer to 1 than
# a double can resolve well enough for a 1e-7 check of the CDF.)
@settings(max_examples=80, deadline=None)
@given(
    p=st.floats(0.001, 0.999),
    a=st.floats(0.5, 500),
    b=st.floats(0.5, 500),
)
def test_beta_quantile_inverts_the_cdf(p, a, b):
    x = metrics.beta_quantile(p, a, b)
    assert 0.0 <= x <= 1.0
    assert metrics.beta_cdf(x, a, b) == pytest.approx(p, abs=1e-7)


def test_beta_edges_and_bad_input():
    assert metrics.beta_cdf(0.0, 2, 3) == 0.0
    assert metrics.beta_cdf(1.0, 2, 3) == 1.0
    assert metrics.beta_quantile(0.0, 2, 3) == 0.0
    assert metrics.beta_quantile(1.0, 2, 3) == 1.0
    with pytest.raises(ValueError):
        metrics.beta_cdf(0.5, 0, 1)
    with pytest.raises(ValueError):
        metrics.beta_quantile(1.5, 1, 1)


def test_prior_by_method_of_moments_hand_computed():
    # Rates 0.2 (n=10), 0.6 (n=10), 0.4 (n=20): m = 16/40 = 0.4.
    # Σ n (p − m)² = 10·0.04 + 10·0.04 + 0 = 0.8; ÷ m(1 − m) = 0.8 / 0.24 = 3.3333.
    # ρ = (3.3333 − 3) / (9 + 9 + 19) = 0.0090090; strength = 1/ρ − 1 = 110.
    prior = metrics.fit_beta_prior([(2, 10), (6, 10), (8, 20)])
    assert prior.mean == pytest.approx(0.4)
    assert prior.strength == pytest.approx(110.0, rel=1e-9)
    assert prior.alpha == pytest.approx(44.0, rel=1e-9)


def test_prior_strength_is_floored_and_capped():
    # Very different rates: the fitted strength would be tiny; the floor holds it at 10.
    spread = metrics.fit_beta_prior([(0, 20), (20, 20), (10, 20)])
    assert spread.strength == metrics.MIN_PRIOR_STRENGTH
    # Identical rates: no detectable spread, the cap applies.
    same = metrics.fit_beta_prior([(5, 10), (5, 10), (5, 10)])
    assert same.strength == metrics.MAX_PRIOR_STRENGTH
    # No closed deals at all: a centred prior at the floor.
    empty = metrics.fit_beta_prior([(0, 0)])
    assert empty.mean == 0.5 and empty.strength == metrics.MIN_PRIOR_STRENGTH


def test_shrinkage_pulls_small_samples_to_the_team():
    prior = metrics.BetaPrior(4.0, 6.0)  # team rate 0.4, strength 10
    few = metrics.shrink_rate(0, 3, prior)
    assert few.raw == 0.0
    assert few.shrunk == pytest.approx(4 / 13)
    assert metrics.gap_direction(few.low, few.high, 0.4) == ""
    many = metrics.shrink_rate(6, 60, prior)
    assert many.shrunk == pytest.approx(10 / 70)
    assert many.high < 0.4
    assert metrics.gap_direction(many.low, many.high, 0.4) == "below"
    assert many.prob_below(0.4) > 0.999
    assert many.low == pytest.approx(metrics.beta_quantile(0.05, 10, 60))


def test_log_estimate_hand_computed():
    est = metrics.log_estimate([100.0, 1000.0, 10000.0, 100.0, 1000.0])
    logs = [math.log(v) for v in (100, 1000, 10000, 100, 1000)]
    mean = sum(logs) / 5
    sd = math.sqrt(sum((x - mean) ** 2 for x in logs) / 4)
    assert est.centre == pytest.approx(math.exp(mean))
    assert est.low == pytest.approx(math.exp(mean - 1.6448536 * sd / math.sqrt(5)), rel=1e-6)
    assert est.enough


def test_log_estimate_needs_a_minimum_sample():
    est = metrics.log_estimate([10.0, 20.0, 30.0, 40.0])
    assert not est.enough and est.low is None
    assert metrics.gap_direction(est.low, est.high, 1000.0) == ""
    assert metrics.log_estimate([]) is None


def test_material_gap():
    assert metrics.gap_direction(50, 90, 100) == "below"
    assert metrics.gap_direction(50, 90, 100, ratio=1.25) == ""
    assert metrics.gap_direction(50, 79, 100, ratio=1.25) == "below"
    assert metrics.gap_direction(126, 200, 100, ratio=1.25) == "above"
