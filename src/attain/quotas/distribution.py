"""Distributing a team number to reps: pure functions, no database.

The result always adds up exactly, to the cent, to the number distributed:

1. The total is split into periods by the seasonality weights (``split_exact``).
2. Each period's total is split among the reps by their *effective weight*: the method's
   basis (1 for evenly, last year's revenue, territory potential) times the rep's presence
   factor in that period (ramp × proration, between 0 and 1).

``split_exact`` works in whole cents with exact fractions and largest-remainder rounding:
every rep gets the floor of their exact share, and the cents left over go one each to the
largest remainders. Because each period total is shared among *effective* weights, what
ramp or proration takes from one rep goes to the others in proportion to their weights:
the team number never shrinks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from attain.engine.periods import MONTHS_PER, Period, periods_in

CENT = Decimal("0.01")
EVEN = "even"
LAST_YEAR = "last_year"
POTENTIAL = "potential"
METHODS = {
    EVEN: "Evenly",
    LAST_YEAR: "By last year's share",
    POTENTIAL: "By territory potential",
}


class DistributionError(ValueError):
    pass


def split_exact(total: Decimal, weights: Sequence[Decimal | Fraction | int]) -> list[Decimal]:
    """Split ``total`` (2 places, ≥ 0) in proportion to ``weights`` (≥ 0, not all 0) so that
    the parts are whole cents, each ≥ 0, and add up to ``total`` exactly.

    Largest remainder: each part is the floor of its exact share in cents; the leftover
    cents go one each to the largest fractional remainders, earlier positions first on ties.
    """
    if total < 0:
        raise DistributionError("the total must be 0 or more")
    if total != total.quantize(CENT):
        raise DistributionError("the total has more than 2 decimal places")
    fractions = [Fraction(w) for w in weights]
    if any(w < 0 for w in fractions):
        raise DistributionError("weights must be 0 or more")
    whole = sum(fractions, Fraction(0))
    if not fractions or whole == 0:
        raise DistributionError("nothing to distribute to: every weight is 0")
    cents = int(total / CENT)
    exact = [cents * w / whole for w in fractions]
    floors = [int(e) for e in exact]  # exact ≥ 0, so int() is floor
    left = cents - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]


def normalise(weights: Sequence[Decimal]) -> list[Fraction]:
    """Weights as fractions of their sum (20/20/20/40 → 1/5, 1/5, 1/5, 2/5)."""
    whole = sum((Fraction(w) for w in weights), Fraction(0))
    if whole <= 0 or any(w < 0 for w in weights):
        raise DistributionError("seasonality weights must be 0 or more and not all 0")
    return [Fraction(w) / whole for w in weights]


# --- presence: ramp and proration --------------------------------------------------------


def _overlap(a_start, a_end, b_start, b_end) -> int:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return max(0, (end - start).days)


def _months_since(hire: dt.date, day: dt.date) -> int:
    return (day.year - hire.year) * 12 + day.month - hire.month


def presence_factor(
    period: Period,
    spans: Sequence[tuple[dt.date, dt.date | None]],
    *,
    hire_date: dt.date | None = None,
    termination_date: dt.date | None = None,
    ramp: Sequence[Decimal] = (),
    prorate: bool = True,
) -> Fraction:
    """How much of a full share the rep earns in ``period``, between 0 and 1.

    ``spans`` are the rep's half-open membership spans in the team (valid_to None = open).
    With ``prorate`` the factor counts only the days the rep is a member *and* employed
    (hire_date to termination_date, the last day employed); without it, any membership day
    in the period counts the whole period. ``ramp`` gives the fraction of a full share for
    the hire month (month 1), the next month, ...; later months count 1. Ramp and proration
    combine day by day: each day in force counts its month's ramp fraction.
    """
    far = dt.date.max
    employed_from = hire_date or dt.date.min
    employed_to = termination_date + dt.timedelta(days=1) if termination_date else far
    total = Fraction(0)
    month = period.start
    while month < period.end:
        next_month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if prorate:
            days = sum(
                _overlap(
                    max(start, employed_from),
                    min(end or far, employed_to),
                    month,
                    next_month,
                )
                for start, end in spans
            )
        else:
            in_period = any(_overlap(s, e or far, period.start, period.end) > 0 for s, e in spans)
            days = (next_month - month).days if in_period else 0
        days = min(days, (next_month - month).days)
        share = Fraction(1)
        if ramp and hire_date is not None:
            index = _months_since(hire_date, month)
            if 0 <= index < len(ramp):
                share = Fraction(ramp[index]) / 100
        total += days * share
        month = next_month
    return total / period.days


# --- the distribution --------------------------------------------------------------------


@dataclass
class RepInput:
    rep_id: int
    name: str
    basis: Decimal | None = None  # last year's revenue or potential; None = no basis
    factors: list[Fraction] = field(default_factory=list)  # per period; empty = all 1


@dataclass
class RepLine:
    rep_id: int
    name: str
    basis: Decimal | None
    weight: Fraction
    share: Fraction  # of the whole, before presence factors
    note: str
    factors: list[Fraction]
    amounts: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal("0.00"))

    @property
    def share_percent(self) -> Decimal:
        return (Decimal(self.share.numerator) / Decimal(self.share.denominator) * 100).quantize(
            Decimal("0.01")
        )

    @property
    def cells(self) -> list[tuple[Decimal, Decimal]]:
        """(amount, presence factor in %) per period, for templates."""
        return [
            (amount, (Decimal(f.numerator) / Decimal(f.denominator) * 100).quantize(Decimal("1")))
            for amount, f in zip(self.amounts, self.factors, strict=True)
        ]


@dataclass
class Distribution:
    total: Decimal
    method: str
    periods: list[str]
    period_totals: list[Decimal]
    season: list[Fraction]
    lines: list[RepLine]
    notes: list[str]

    @property
    def method_label(self) -> str:
        return METHODS[self.method]

    @property
    def sum(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0.00"))

    @property
    def to_save(self) -> int:
        """Cells a save writes: a rep absent from the team for a whole period (presence 0)
        gets no quota for it, so a quota set by another team is never overwritten."""
        return sum(1 for line in self.lines for f in line.factors if f > 0)

    @property
    def season_percents(self) -> list[Decimal]:
        return [
            (Decimal(w.numerator) / Decimal(w.denominator) * 100).quantize(Decimal("0.01"))
            for w in self.season
        ]


def weights_for(method: str, reps: Sequence[RepInput]) -> tuple[list[Fraction], list[str]]:
    """The method's weight per rep and a note for each.

    Evenly: 1 each. By last year or by potential: the rep's basis; a rep without a basis
    (no won deals a year earlier, no territory) is weighted as the *average* rep with one,
    so a newcomer is neither left at zero nor given a windfall. When no rep has a basis
    (or every basis is 0) the method falls back to evenly, and says so.
    """
    if method not in METHODS:
        raise DistributionError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if method == EVEN:
        return [Fraction(1)] * len(reps), ["even share"] * len(reps)
    known = [Fraction(r.basis) for r in reps if r.basis is not None and r.basis > 0]
    what = "won revenue a year earlier" if method == LAST_YEAR else "territory potential"
    if not known:
        return [Fraction(1)] * len(reps), [f"no {what} for anyone: even share"] * len(reps)
    average = sum(known, Fraction(0)) / len(known)
    weights, notes = [], []
    for rep in reps:
        if rep.basis is not None and rep.basis > 0:
            weights.append(Fraction(rep.basis))
            notes.append(f"{what} {rep.basis:,.2f}")
        else:
            weights.append(average)
            notes.append(f"no {what}: weighted as the average rep ({_money(average)})")
    return weights, notes


def _money(value: Fraction) -> str:
    return f"{Decimal(value.numerator) / Decimal(value.denominator):,.2f}"


def output_periods(window: Period, kind: str) -> list[Period]:
    if kind not in MONTHS_PER:
        raise DistributionError(f"unknown period kind {kind!r}")
    if MONTHS_PER[kind] > MONTHS_PER[window.kind]:
        raise DistributionError(f"{window.label} cannot be split into {kind}s: it is shorter")
    return periods_in(window, kind)


def distribute(
    total: Decimal,
    periods: Sequence[str],
    reps: Sequence[RepInput],
    *,
    method: str = EVEN,
    seasonality: Sequence[Decimal] = (),
) -> Distribution:
    """Distribute ``total`` over ``periods`` (labels) and ``reps``; see the module doc.

    ``seasonality`` has one weight per period (normalised; empty = equal). Each rep's
    ``factors`` (one per period, 0..1) come from ``presence_factor``.
    """
    if not periods:
        raise DistributionError("no periods to distribute over")
    if not reps:
        raise DistributionError("the team has no members to distribute to")
    season_weights = list(seasonality) or [Decimal(1)] * len(periods)
    if len(season_weights) != len(periods):
        raise DistributionError(
            f"seasonality needs {len(periods)} weights (one per period: "
            f"{', '.join(periods)}), got {len(season_weights)}"
        )
    season = normalise(season_weights)
    period_totals = split_exact(total, season)
    weights, notes = weights_for(method, reps)
    whole = sum(weights, Fraction(0))
    factors = [r.factors or [Fraction(1)] * len(periods) for r in reps]
    for rep, f in zip(reps, factors, strict=True):
        if len(f) != len(periods):
            raise DistributionError(f"{rep.name}: one presence factor per period needed")
    amounts: list[list[Decimal]] = [[] for _ in reps]
    extra_notes: list[str] = []
    for p, period_total in enumerate(period_totals):
        effective = [w * f[p] for w, f in zip(weights, factors, strict=True)]
        if sum(effective) == 0:
            if period_total == 0:
                for row in amounts:
                    row.append(Decimal("0.00"))
                continue
            raise DistributionError(
                f"nobody on the team is in force in {periods[p]}: its "
                f"{period_total:,.2f} cannot be distributed"
            )
        reduced = any(f[p] < 1 for f in factors)
        if reduced:
            extra_notes.append(
                f"{periods[p]}: ramp or proration reduce some shares; the difference is "
                "shared among the others by their weights, so the period still totals "
                f"{period_total:,.2f}."
            )
        for i, part in enumerate(split_exact(period_total, effective)):
            amounts[i].append(part)
    lines = [
        RepLine(
            rep_id=rep.rep_id,
            name=rep.name,
            basis=rep.basis,
            weight=w,
            share=w / whole,
            note=note,
            factors=f,
            amounts=a,
        )
        for rep, w, note, f, a in zip(reps, weights, notes, factors, amounts, strict=True)
    ]
    result = Distribution(
        total=total,
        method=method,
        periods=list(periods),
        period_totals=period_totals,
        season=season,
        lines=lines,
        notes=extra_notes,
    )
    assert result.sum == total, "distribution does not add up"  # guaranteed by split_exact
    return result
