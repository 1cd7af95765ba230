"""Pure statistics for coaching insights: no Django, no database.

Rates (win rate) are compared with empirical-Bayes beta-binomial shrinkage: the team's
prior Beta(α, β) is fitted by the method of moments over the reps' (won, closed) counts, its
strength α + β is floored so that a small team never gets a nearly flat prior, and a rep's
posterior is Beta(α + won, β + lost). A gap is flagged only when the posterior's central
interval (90% by default) excludes the team median.

Continuous metrics (won deal size, sales cycle) are compared on the log scale with a
normal approximation: mean of log values ± z·sd/√n, needing at least ``MIN_SAMPLE`` values.
The Beta quantile is safeguarded Newton (bisection where a step would leave its bracket) on
the regularised incomplete beta function, evaluated with
the continued fraction of Numerical Recipes (Lentz's method); only ``math`` is used.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist, median

CONFIDENCE = 0.90
# The prior counts as at least this many closed deals: a team of three reps with similar
# raw rates must not let one rep's 2 of 3 stand unshrunk.
MIN_PRIOR_STRENGTH = 10.0
# When the reps' rates vary no more than binomial noise, the fitted strength is infinite;
# cap it so that a rep's own record still moves the estimate a little.
MAX_PRIOR_STRENGTH = 1000.0
# Fewest values for a continuous comparison (deal size, cycle length).
MIN_SAMPLE = 5
# Deal sizes and cycles differ between reps for reasons coaching cannot change (segment,
# product mix), so a continuous gap must also be material: the whole interval at least
# this factor away from the team median (1.25: 25% above, 20% below).
MATERIAL_RATIO = 1.25

_EPS = 1e-15
_TINY = 1e-300


# --- Beta distribution ----------------------------------------------------------------


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """Regularised incomplete beta I_x(a, b): P(X ≤ x) for X ~ Beta(a, b)."""
    if a <= 0 or b <= 0:
        raise ValueError("Beta parameters must be positive")
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry
    # I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1.0 - front * _beta_continued_fraction(1.0 - x, b, a) / b


@functools.lru_cache(maxsize=65536)
def beta_quantile(p: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = p: Newton steps on the CDF, kept inside a bracket that
    shrinks at every step, bisecting whenever a step would leave it (the CDF is monotone
    on [0, 1]). Remembered per (p, a, b): reps with the same record share their interval,
    and a team of thousands has few distinct records."""
    if not 0.0 <= p <= 1.0:
        raise ValueError("p must be between 0 and 1")
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    if p > 0.5:
        # Work in the lower tail of the mirrored distribution, where a relative tolerance
        # keeps precision when the quantile is within a hair of 1.
        return 1.0 - beta_quantile(1.0 - p, b, a)
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    lo, hi = 0.0, 1.0
    x = a / (a + b)  # the mean
    for _ in range(200):
        gap = beta_cdf(x, a, b) - p
        if gap == 0:
            return x
        if gap < 0:
            lo = x
        else:
            hi = x
        density = math.exp(log_norm + (a - 1) * math.log(x) + (b - 1) * math.log1p(-x))
        newton = x - gap / density if density > 0 else -1.0
        if lo < newton < hi:
            # Relative tolerance: with a < 1 the quantile of a small p can be tiny.
            if abs(newton - x) <= 1e-13 * newton:
                return newton
            x = newton
        else:
            x = (lo + hi) / 2.0
            if hi - lo <= 1e-13 * hi:
                return x
    return x


# --- empirical-Bayes shrinkage of rates ------------------------------------------------


@dataclass(frozen=True)
class BetaPrior:
    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def strength(self) -> float:
        return self.alpha + self.beta


def fit_beta_prior(
    counts: list[tuple[int, int]],
    min_strength: float = MIN_PRIOR_STRENGTH,
    max_strength: float = MAX_PRIOR_STRENGTH,
) -> BetaPrior:
    """Method-of-moments Beta prior from (successes, trials) per rep.

    With pooled mean m and intra-class correlation ρ = 1/(α+β+1), a beta-binomial rate
    p_i = k_i/n_i has E[n_i (p_i − m)²] = m(1−m)(1 + (n_i − 1)ρ). Summing over reps:
    ρ = (Σ n_i (p_i − m)² / (m(1−m)) − N) / Σ (n_i − 1). Strength α+β = 1/ρ − 1, clamped
    to [min_strength, max_strength]. Reps with no trials carry no information and are
    skipped; with no trials at all the prior is uniform-centred at strength ``min_strength``.
    """
    rows = [(k, n) for k, n in counts if n > 0]
    total_k = sum(k for k, _ in rows)
    total_n = sum(n for _, n in rows)
    if total_n == 0:
        return BetaPrior(min_strength / 2, min_strength / 2)
    m = total_k / total_n
    # Keep the mean off 0 and 1 so that both parameters stay positive.
    m = min(max(m, 0.5 / (total_n + 1)), 1 - 0.5 / (total_n + 1))
    spread = sum(n * (k / n - m) ** 2 for k, n in rows) / (m * (1 - m))
    extra_trials = sum(n - 1 for _, n in rows)
    rho = (spread - len(rows)) / extra_trials if extra_trials > 0 else 0.0
    strength = 1.0 / rho - 1.0 if rho > 0 else max_strength
    strength = min(max(strength, min_strength), max_strength)
    return BetaPrior(m * strength, (1 - m) * strength)


@dataclass(frozen=True)
class RateEstimate:
    successes: int
    trials: int
    raw: float | None  # successes / trials, None without trials
    shrunk: float  # posterior mean
    low: float  # posterior interval
    high: float
    alpha: float
    beta: float

    def prob_below(self, x: float) -> float:
        """Posterior probability that the rep's true rate is below ``x``."""
        return beta_cdf(x, self.alpha, self.beta)


def shrink_rate(
    successes: int, trials: int, prior: BetaPrior, confidence: float = CONFIDENCE
) -> RateEstimate:
    a = prior.alpha + successes
    b = prior.beta + trials - successes
    tail = (1 - confidence) / 2
    return RateEstimate(
        successes=successes,
        trials=trials,
        raw=successes / trials if trials else None,
        shrunk=a / (a + b),
        low=beta_quantile(tail, a, b),
        high=beta_quantile(1 - tail, a, b),
        alpha=a,
        beta=b,
    )


# --- continuous metrics on the log scale -------------------------------------------------


@dataclass(frozen=True)
class LogEstimate:
    """Geometric mean of positive values, with a normal-approximation interval."""

    n: int
    centre: float  # exp(mean log)
    low: float | None  # None when n < MIN_SAMPLE
    high: float | None
    mean_log: float
    se_log: float | None

    @property
    def enough(self) -> bool:
        return self.low is not None

    def prob_below(self, x: float) -> float | None:
        if self.se_log is None or x <= 0:
            return None
        if self.se_log == 0:
            return 1.0 if self.mean_log < math.log(x) else 0.0
        return NormalDist(self.mean_log, self.se_log).cdf(math.log(x))


def log_estimate(
    values: list[float], confidence: float = CONFIDENCE, min_sample: int = MIN_SAMPLE
) -> LogEstimate | None:
    """None without positive values; an interval only from ``min_sample`` values up."""
    logs = [math.log(v) for v in values if v > 0]
    n = len(logs)
    if n == 0:
        return None
    mean_log = sum(logs) / n
    if n < max(min_sample, 2):
        return LogEstimate(n, math.exp(mean_log), None, None, mean_log, None)
    sd = math.sqrt(sum((x - mean_log) ** 2 for x in logs) / (n - 1))
    se = sd / math.sqrt(n)
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    low, high = math.exp(mean_log - z * se), math.exp(mean_log + z * se)
    return LogEstimate(n, math.exp(mean_log), low, high, mean_log, se)


# --- comparing with the team -----------------------------------------------------------


def gap_direction(
    low: float | None, high: float | None, team: float | None, ratio: float = 1.0
) -> str:
    """Says "below" or "above" when the interval excludes the team figure (divided or
    multiplied by ``ratio`` for a material gap on a ratio scale), else ""."""
    if low is None or high is None or team is None:
        return ""
    if high < team / ratio:
        return "below"
    if low > team * ratio:
        return "above"
    return ""


def team_median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def median_days(days: list[int]) -> float | None:
    return median(days) if days else None
