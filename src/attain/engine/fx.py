"""FX conversion of credits into a plan's currency: direct rates, or triangulated via a pivot.

The ``fx`` input holds effective-dated rates ``1 from_currency = rate to_currency``. A credit
in another currency than its plan's is converted at (docs/plans.md, "Input tables", fx):

1. the **direct** rate deal currency → plan currency in force on its event date, if any;
2. otherwise, when the plan has an ``fx_pivot`` (default ``USD``) other than both
   currencies, the **cross rate** through the pivot: (deal → pivot) × (pivot → plan), both
   legs in force on the event date, rounded half-even to 8 decimal places (the precision of
   every rate of the table), so that a triangulated rate is used exactly like a published
   one. A cross rate that would round to 0 is no route.

Inverse rates are never derived (the table must hold each direction it needs): a division
would not be exact. There is one pivot per plan, so there is at most one route and never
an ambiguity; a direct rate takes precedence over the route.

This module builds the SQL of that rule for the compiled program; the oracle has its own
plain implementation (``oracle.convert_currency``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlglot import exp

from . import sql as q
from .money import round_half_even
from .spec import Plan

RATE_PLACES = 8
RATE = q.decimal_type(18, RATE_PLACES)


def rate_integer(rate: exp.Expression) -> exp.Expression:
    """A rate (at most 8 places) as an integer scaled by 10^8. Widened to DECIMAL(38, 8)
    first: DuckDB multiplies a DECIMAL(18, 8) within 18 digits, and 150 × 10^8 (a
    USD→JPY rate) would overflow them."""
    return q.to_integer(q.cast(rate, q.decimal_type(38, RATE_PLACES)), RATE_PLACES)


def pivot_of(plan: Plan, deal_currency: str | None = None) -> str | None:
    """The plan's pivot if it can carry a route (it is neither the plan's nor the deal's)."""
    pivot = plan.fx_pivot
    if pivot is None or pivot == plan.currency or pivot == deal_currency:
        return None
    return pivot


def deal_currency(table: str, plan_currency: exp.Expression) -> exp.Expression:
    """A credit's currency; an empty one is the plan's."""
    return q.coalesce(q.col("currency", table), plan_currency)


@dataclass(frozen=True)
class Rates:
    """Expressions over a credit row joined by ``join_rates``: NULL where there is none."""

    rate: exp.Expression  # the rate that converts it (direct, else the cross rate)
    via: exp.Expression  # the pivot when triangulated
    to_via: exp.Expression  # deal → pivot, when triangulated
    from_via: exp.Expression  # pivot → plan, when triangulated
    leg_in: exp.Expression  # deal → pivot in force (for the error message)
    leg_out: exp.Expression  # pivot → plan in force


def _leg(
    alias: str, credits: str, source: exp.Expression, target: exp.Expression
) -> exp.Expression:
    return q.and_(
        q.eq(q.col("from_currency", alias), source),
        q.eq(q.col("to_currency", alias), target),
        q.in_force(alias, q.col("event_date", credits)),
    )


def join_rates(query: exp.Select, credits: str, plan: Plan) -> tuple[exp.Select, Rates]:
    """``query`` (reading credits as ``credits``) left-joined to the rates its credits need:
    ``fx`` as ``f`` (direct) and, with a pivot, ``fi`` (deal → pivot) and ``fo`` (pivot →
    plan). Each join finds at most one row: two rates of a pair never overlap."""
    plan_currency = q.text(plan.currency)
    currency = deal_currency(credits, plan_currency)
    query = query.join(
        exp.alias_(exp.to_table("fx"), "f", table=True),
        on=_leg("f", credits, currency, plan_currency),
        join_type="left",
        copy=False,
    )
    direct = q.col("rate", "f")
    pivot = pivot_of(plan)
    if pivot is None:
        none = q.cast(q.null(), RATE)
        return query, Rates(direct, q.cast(q.null(), "VARCHAR"), none, none.copy(), q.null(),
                            q.null())  # fmt: skip
    via = q.text(pivot)
    query = query.join(
        exp.alias_(exp.to_table("fx"), "fi", table=True),
        on=q.and_(
            _leg("fi", credits, currency.copy(), via),
            exp.NEQ(this=currency.copy(), expression=via.copy()),
        ),
        join_type="left",
        copy=False,
    ).join(
        exp.alias_(exp.to_table("fx"), "fo", table=True),
        on=_leg("fo", credits, via.copy(), plan_currency.copy()),
        join_type="left",
        copy=False,
    )
    scaled = q.round_half_even_division(
        q.mul(rate_integer(q.col("rate", "fi")), rate_integer(q.col("rate", "fo"))),
        q.cast(q.num(10**8), q.HUGEINT),
    )
    cross = q.case(
        [
            (
                exp.GT(this=scaled, expression=q.num(0)),
                q.cast(
                    q.mul(
                        q.cast(scaled.copy(), q.decimal_type(38, 0)),
                        q.dec(Decimal(1).scaleb(-RATE_PLACES), 9, RATE_PLACES),
                    ),
                    RATE,
                ),
            )
        ],
        q.cast(q.null(), RATE),
    )
    triangulated = q.and_(
        exp.NEQ(this=currency.copy(), expression=plan_currency.copy()),
        exp.Is(this=direct.copy(), expression=q.null()),
        exp.Not(this=exp.Is(this=cross.copy(), expression=q.null())),
    )

    def when_triangulated(value: exp.Expression, kind: exp.DataType | str) -> exp.Expression:
        return q.case([(triangulated.copy(), value)], q.cast(q.null(), kind))

    return query, Rates(
        rate=q.coalesce(direct.copy(), cross),
        via=when_triangulated(via.copy(), "VARCHAR"),
        to_via=when_triangulated(q.col("rate", "fi"), RATE),
        from_via=when_triangulated(q.col("rate", "fo"), RATE),
        leg_in=exp.Not(this=exp.Is(this=q.col("rate", "fi"), expression=q.null())),
        leg_out=exp.Not(this=exp.Is(this=q.col("rate", "fo"), expression=q.null())),
    )


def missing_rate_message(
    plan: Plan,
    currency: str,
    day,
    detail: str,
    leg_in: bool | None = None,
    leg_out: bool | None = None,
) -> str:
    """The error for a credit in ``currency`` with no rate into ``plan``'s currency on
    ``day``: names both currencies, the date and, with a pivot, the missing leg(s)."""
    message = f"no FX rate from {currency} to {plan.currency} on {day} ({detail})"
    pivot = pivot_of(plan, currency)
    if pivot is None:
        return message
    missing = [
        leg
        for leg, found in ((f"{currency}→{pivot}", leg_in), (f"{pivot}→{plan.currency}", leg_out))
        if not found
    ]
    if missing:
        legs = " and ".join(f"no {leg} rate" for leg in missing)
        return f"{message}, nor via {pivot}: {legs} on that day"
    return f"{message}, nor via {pivot}: the cross rate rounds to 0 at {RATE_PLACES} places"


def cross_rate(leg_in: Decimal, leg_out: Decimal) -> Decimal:
    """deal → pivot × pivot → plan, rounded half-even to 8 places."""
    return round_half_even(Fraction(leg_in) * Fraction(leg_out), RATE_PLACES)


def python_rate(rows: list[dict], source: str, target: str, day) -> Decimal | None:
    for row in rows:
        if (
            row["from_currency"] == source
            and row["to_currency"] == target
            and row["valid_from"] <= day
            and (row["valid_to"] is None or day < row["valid_to"])
        ):
            return row["rate"]
    return None
