"""Pay on cash: earnings computed at booking, paid as the deal is invoiced or collected.

A component with ``pay_on: invoice`` or ``pay_on: collection`` (or a plan with that default)
earns exactly as at booking: tiers, attainment, multipliers, gates and caps see the credit on
its event date, so the amount ``a`` of each credit is known. What changes is when it is
*paid*. Per credit and component, with ``D`` the deal amount and ``C_k`` the deal's
cumulative invoiced (or collected) amount after step ``k`` (the ``payments`` input, one
step per day; a payment dated before the booking counts on the booking date):

- a ``hold`` line of ``−a`` in the booking period holds the earning back;
- a ``release`` line per step pays ``round(a·f_k) − round(a·f_{k−1})``, with
  ``f_k = min(1, C_k / D)``, rounded half-even to the cent: the releases telescope, so they
  add up to ``round(a·f_last)``, never more than ``a``, and exactly ``a`` once the deal is
  fully paid; the days' amounts are summed first, so the order and splitting of one day's
  payments changes nothing;
- a deal cancelled within the plan's clawback window is clawed back as at booking (its
  earning lines are reversed); nothing is released from the cancellation date on, and a
  ``hold_reversal`` line of ``a − released`` lifts the hold on what was never paid, so the
  cancellation costs the rep exactly what had been released.

The release lines are computed twice, independently: as relational steps (``cash_outputs``,
sqlglot, for DuckDB and Spark) and as plain loops (``oracle_cash_lines``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from . import sql as q
from .errors import InputError
from .inputs import Credits, credit_columns
from .money import round_money
from .periods import Period
from .resolve import ResolvedPlan

# The payments rows each deferred mode counts: those adding to what the deal has invoiced
# (collected), and those taking from it.
PAYMENT_KIND = {"invoice": "invoice", "collection": "payment"}
TAKEN_BACK_BY = {"invoice": "credit_note", "payment": "refund"}
HOLD, RELEASE, HOLD_REVERSAL = "hold", "release", "hold_reversal"


def deferred(plan: ResolvedPlan) -> dict[str, str]:
    """Component id → ``invoice`` or ``collection`` for the plan's components not paid at
    booking."""
    modes = {}
    for component in plan.components:
        mode = component.component.pay_on or plan.plan.pay_on
        if mode != "booking":
            modes[component.id] = mode
    return modes


def look_back(
    start: dt.date,
    window: Period,
    plans: Iterable[ResolvedPlan],
    credits: Credits,
    payments: pa.Table,
) -> dt.date:
    """The first day to compute from so that every earning released in the window is known.

    A deal invoiced or paid in the window may have been booked in an earlier year: the
    calculation then starts on 1 January of the year of its earliest booking (so its
    year-to-date totals and attainment are exact, as for any period computed).
    """
    if payments.num_rows == 0 or not any(deferred(plan) for plan in plans):
        return start
    credits = credit_columns(credits, ["deal_id", "event_date"])
    dates = payments["date"]
    in_window = pc.and_(
        pc.greater_equal(dates, pa.scalar(window.start, pa.date32())),
        pc.less(dates, pa.scalar(window.end, pa.date32())),
    )
    paid = pc.unique(payments["deal_id"].filter(in_window))
    booked = credits["event_date"].filter(pc.is_in(credits["deal_id"], value_set=paid))
    earliest = pc.min(booked).as_py() if len(booked) else None
    if earliest is None or earliest >= start:
        return start
    return dt.date(earliest.year, 1, 1)


def check_payment_currencies(
    payments: pa.Table,
    credits: Credits,
    assignments: list[dict],
    plans: dict[str, ResolvedPlan],
) -> None:
    """A payment's ``currency``, when given, must be its deal's: payments are compared with
    the deal amount, so both are in the deal's currency (a credit without one is in its
    plan's currency)."""
    given = [
        (index, row)
        for index, row in enumerate(payments.select(["deal_id", "currency"]).to_pylist())
        if row["currency"]
    ]
    if not given:
        return
    credits = credit_columns(credits, ["deal_id", "rep_id", "event_date", "currency"])
    wanted = pa.array(sorted({row["deal_id"] for _, row in given}), pa.string())
    columns = ["deal_id", "rep_id", "event_date", "currency"]
    mask = pc.is_in(credits["deal_id"], value_set=wanted)
    by_rep: dict[str, list[dict]] = defaultdict(list)
    for row in assignments:
        by_rep[row["rep_id"]].append(row)
    deals: dict[str, set[str]] = defaultdict(set)
    for credit in credits.select(columns).filter(mask).to_pylist():
        currency = credit["currency"]
        day = credit["event_date"]
        if not currency:
            for row in by_rep[credit["rep_id"]]:
                if (
                    row["valid_from"] <= day
                    and (row["valid_to"] is None or day < row["valid_to"])
                    and row["plan_id"] in plans
                ):
                    currency = plans[row["plan_id"]].plan.currency
        if currency:
            deals[credit["deal_id"]].add(currency)
    for index, row in given:
        known = deals.get(row["deal_id"], set())
        if known and row["currency"] not in known:
            raise InputError(
                "payments",
                f"deal {row['deal_id']!r} is in {', '.join(sorted(known))}, "
                f"not {row['currency']}: give payments in the deal's currency",
                index + 1,
                "currency",
            )


# -- the relational steps ---------------------------------------------------------------------


def _share(earned: exp.Expression, paid: exp.Expression, deal: exp.Expression) -> exp.Expression:
    """``a × min(max(C, 0), D)`` in cent units over ``_denominator``: the part of ``a`` due
    once ``C`` is paid (net of refunds; more refunded than paid counts as nothing paid). A
    deal amount of 0 or less is due in full while anything is paid."""
    zero = q.cast(q.num(0), q.HUGEINT)
    return q.cast(
        q.case(
            [
                (
                    exp.GT(this=deal, expression=zero),
                    q.mul(earned, q.least(q.greatest(paid, zero.copy()), deal)),
                ),
                (exp.GT(this=paid, expression=zero.copy()), earned),
            ],
            zero.copy(),
        ),
        q.HUGEINT,
    )


def _denominator(deal: exp.Expression) -> exp.Expression:
    one = q.cast(q.num(1), q.HUGEINT)
    return q.case([(exp.GT(this=deal, expression=q.num(0)), deal)], one)


def cash_outputs(
    plan: ResolvedPlan,
    lines: str,
    window_end: dt.date,
    cte: Callable[[str, exp.Select], str],
    output_select: Callable[[dict[str, exp.Expression], object], exp.Select],
    period_label: Callable[[exp.Expression, str], exp.Expression],
) -> list[exp.Select]:
    """Hold, release and hold-reversal lines of the plan's deferred components, of every
    computed period, from its ``lines`` (earnings after caps), ``base`` (credits in the
    plan's currency), ``base_raw`` (the deal amount in the deal's currency) and the
    ``payments`` input. ``cte`` adds a named step to the plan's query."""
    modes = deferred(plan)
    if not modes:
        return []
    earned = cte(
        "cash_earned",
        exp.select(
            q.col("credit_id"),
            q.col("component_id"),
            q.alias(exp.Sum(this=q.col("amount")), "earned"),
        )
        .from_(lines, copy=False)
        .where(
            q.and_(
                q.eq(q.col("line_kind"), q.text("earning")),
                exp.In(this=q.col("component_id"), expressions=[q.text(c) for c in sorted(modes)]),
            ),
            copy=False,
        )
        .group_by(q.col("credit_id"), q.col("component_id"), copy=False),
    )
    steps: dict[str, str] = {}
    for kind in sorted({PAYMENT_KIND[mode] for mode in modes.values()}):
        day = q.greatest(q.col("date", "p"), q.col("event_date", "b"))
        signed = q.case(
            [(q.eq(q.col("kind", "p"), q.text(TAKEN_BACK_BY[kind])), q.neg(q.col("amount", "p")))],
            q.col("amount", "p"),
        )
        dated = (
            exp.select(
                q.col("credit_id", "b"),
                q.alias(day, "pay_day"),
                q.alias(signed, "paid"),
            )
            .from_(exp.alias_(exp.to_table("base_raw"), "b", table=True), copy=False)
            .join(
                exp.alias_(exp.to_table("payments"), "p", table=True),
                on=q.and_(
                    q.eq(q.col("deal_id", "p"), q.col("deal_id", "b")),
                    exp.In(
                        this=q.col("kind", "p"),
                        expressions=[q.text(kind), q.text(TAKEN_BACK_BY[kind])],
                    ),
                ),
                copy=False,
            )
            .where(
                q.and_(
                    exp.LT(this=q.col("date", "p"), expression=q.date(window_end)),
                    q.or_(
                        exp.Not(this=q.coalesce(q.col("clawed", "b"), q.false())),
                        exp.LT(this=day.copy(), expression=q.col("cancellation_date", "b")),
                    ),
                ),
                copy=False,
            )
        )
        daily = (
            exp.select(
                q.col("credit_id"), q.col("pay_day"), q.alias(exp.Sum(this=q.col("paid")), "step")
            )
            .from_(exp.alias_(exp.Subquery(this=dated), "d", table=True), copy=False)
            .group_by(q.col("credit_id"), q.col("pay_day"), copy=False)
        )
        collected = q.running_sum(q.col("step"), [q.col("credit_id")], [q.col("pay_day")])
        steps[kind] = cte(
            f"cash_steps_{kind}",
            exp.select(exp.Star(), q.alias(collected, "collected")).from_(
                exp.alias_(exp.Subquery(this=daily), "s", table=True), copy=False
            ),
        )
    releases = []
    for component_id, mode in sorted(modes.items()):
        a = q.to_integer(q.col("earned", "e"), 2)
        deal = q.to_integer(q.col("amount", "r"), 2)
        after = q.to_integer(q.col("collected", "s"), 2)
        before = q.to_integer(q.sub(q.col("collected", "s"), q.col("step", "s")), 2)
        cents = q.sub(
            q.round_half_even_division(_share(a, after, deal), _denominator(deal.copy())),
            q.round_half_even_division(
                _share(a.copy(), before, deal.copy()), _denominator(deal.copy())
            ),
        )
        releases.append(
            exp.select(
                q.col("credit_id", "e"),
                q.col("component_id", "e"),
                q.col("earned", "e"),
                q.col("pay_day", "s"),
                q.col("step", "s"),
                q.col("collected", "s"),
                q.alias(q.cents_to_money(cents), "released"),
            )
            .from_(exp.alias_(exp.to_table(earned), "e", table=True), copy=False)
            .join(
                exp.alias_(exp.to_table(steps[PAYMENT_KIND[mode]]), "s", table=True),
                on=q.eq(q.col("credit_id", "s"), q.col("credit_id", "e")),
                copy=False,
            )
            .join(
                exp.alias_(exp.to_table("base_raw"), "r", table=True),
                on=q.eq(q.col("credit_id", "r"), q.col("credit_id", "e")),
                copy=False,
            )
            .where(q.eq(q.col("component_id", "e"), q.text(component_id)), copy=False)
        )
    union: exp.Query = releases[0]
    for query in releases[1:]:
        union = exp.union(union, query, distinct=False)
    released = cte(
        "cash_released",
        exp.select(exp.Star()).from_(exp.alias_(exp.Subquery(this=union), "u", table=True)),
    )
    totals = cte(
        "cash_released_total",
        exp.select(
            q.col("credit_id"),
            q.col("component_id"),
            q.alias(exp.Sum(this=q.col("released")), "released_total"),
        )
        .from_(released, copy=False)
        .group_by(q.col("credit_id"), q.col("component_id"), copy=False),
    )
    mode_of = q.case(
        [
            (q.eq(q.col("component_id", "e"), q.text(c)), q.text(m))
            for c, m in sorted(modes.items())
        ],
        q.null(),
    )

    def values(kind: str, amount: exp.Expression, **columns: exp.Expression) -> dict:
        common = {
            "rep_id": q.col("rep_id", "b"),
            "plan_id": q.text(plan.id),
            "plan_version": q.num(plan.plan.version),
            "component_id": q.col("component_id", "e"),
            "line_kind": q.text(kind),
            "credit_id": q.col("credit_id", "b"),
            "deal_id": q.col("deal_id", "b"),
            "tier": q.null(),
            "basis": q.null(),
            "semantic": q.null(),
            "evaluation": q.null(),
            "rate_kind": mode_of.copy(),
            "tier_from": q.null(),
            "tier_to": q.null(),
            "rate_from": q.col("amount", "r"),
            "rate": q.col("earned", "e"),
            "quota": q.null(),
            "target_incentive": q.null(),
            "proration": q.null(),
            "deal_currency": q.col("deal_currency", "b"),
            "fx_rate": q.col("fx_rate", "b"),
            "fx_via": q.col("fx_via", "b"),
            "fx_rate_to_via": q.col("fx_rate_to_via", "b"),
            "fx_rate_from_via": q.col("fx_rate_from_via", "b"),
            "multiplier": q.null(),
            "gated": q.false(),
            "amount_before_cap": amount,
            "cap_reduction": q.num(0),
            "amount": amount.copy(),
            "currency": q.text(plan.plan.currency),
        }
        return {**common, **columns}

    def lines_from(source: str, columns: dict, where: exp.Expression) -> exp.Select:
        """Lines from ``source`` (aliased ``e``) joined to its credit in ``base`` (``b``) and
        ``base_raw`` (``r``)."""
        query = output_select(columns, exp.alias_(exp.to_table(source), "e", table=True))
        for table, alias in (("base", "b"), ("base_raw", "r")):
            query = query.join(
                exp.alias_(exp.to_table(table), alias, table=True),
                on=q.eq(q.col("credit_id", alias), q.col("credit_id", "e")),
                copy=False,
            )
        return query.where(where, copy=False)

    zero = q.num(0)
    hold = lines_from(
        earned,
        values(
            HOLD,
            q.neg(q.col("earned", "e")),
            period=q.col("period", "b"),
            event_date=q.col("event_date", "b"),
            base=q.null(),
            period_total=q.null(),
        ),
        exp.NEQ(this=q.col("earned", "e"), expression=zero),
    )
    release = lines_from(
        released,
        values(
            RELEASE,
            q.col("released", "e"),
            period=period_label(q.col("pay_day", "e"), plan.plan.period),
            event_date=q.col("pay_day", "e"),
            base=q.col("step", "e"),
            period_total=q.col("collected", "e"),
        ),
        exp.NEQ(this=q.col("released", "e"), expression=zero.copy()),
    )
    paid_before = q.coalesce(q.col("released_total", "t"), q.num(0))
    remainder = q.sub(q.col("earned", "e"), paid_before)
    reversal = lines_from(
        earned,
        values(
            HOLD_REVERSAL,
            remainder,
            period=q.col("cancel_period", "b"),
            event_date=q.col("cancellation_date", "b"),
            base=paid_before.copy(),
            period_total=q.null(),
        ),
        q.and_(q.col("clawed", "b"), exp.NEQ(this=remainder.copy(), expression=zero.copy())),
    ).join(
        exp.alias_(exp.to_table(totals), "t", table=True),
        on=q.and_(
            q.eq(q.col("credit_id", "t"), q.col("credit_id", "e")),
            q.eq(q.col("component_id", "t"), q.col("component_id", "e")),
        ),
        join_type="left",
        copy=False,
    )
    return [hold, release, reversal]


# -- the oracle ---------------------------------------------------------------------------------


def _due(earned: Decimal, paid: Decimal, deal: Decimal) -> Decimal:
    """The part of ``earned`` due once ``paid`` of a ``deal`` is in, half-even to the cent."""
    if deal > 0:
        fraction = min(Fraction(1), max(Fraction(0), Fraction(paid) / Fraction(deal)))
    else:
        fraction = Fraction(1 if paid > 0 else 0)
    return round_money(Fraction(earned) * fraction)


def _line_maker(common: dict, label: Callable[[dt.date], str]):
    def line(kind: str, day: dt.date, amount: Decimal, base, total) -> dict:
        return {
            **common,
            "period": label(day),
            "line_kind": kind,
            "event_date": day,
            "base": base,
            "period_total": total,
            "amount_before_cap": amount,
            "amount": amount,
        }

    return line


def oracle_cash_lines(
    plan: ResolvedPlan,
    credits: list[dict],
    deal_amounts: dict[str, Decimal],
    earnings: list[dict],
    payments: list[dict],
    window_end: dt.date,
    label: Callable[[dt.date], str],
    clawed: Callable[[dict], bool],
) -> list[dict]:
    """The same lines as ``cash_outputs``, by plain loops over credits and payments.

    ``credits`` are the plan's credits (in its currency); ``deal_amounts`` the deal amount of
    each credit in the deal's currency; ``earnings`` the plan's earning lines after caps.
    """
    modes = deferred(plan)
    if not modes:
        return []
    earned: dict[tuple[str, str], Decimal] = {}
    for line in earnings:
        if line["line_kind"] == "earning" and line["component_id"] in modes:
            key = (line["credit_id"], line["component_id"])
            earned[key] = earned.get(key, Decimal(0)) + line["amount"]
    by_deal: dict[str, list[dict]] = defaultdict(list)
    for payment in payments:
        by_deal[payment["deal_id"]].append(payment)
    result = []
    for credit in credits:
        booked = credit["event_date"]
        cancelled = credit["cancellation_date"] if clawed(credit) else None
        deal_amount = deal_amounts[credit["credit_id"]]
        for component_id, mode in sorted(modes.items()):
            a = earned.get((credit["credit_id"], component_id))
            if a is None:
                continue

            common = {
                "rep_id": credit["rep_id"],
                "plan_id": plan.id,
                "plan_version": plan.plan.version,
                "component_id": component_id,
                "credit_id": credit["credit_id"],
                "deal_id": credit["deal_id"],
                "tier": None,
                "basis": None,
                "semantic": None,
                "evaluation": None,
                "rate_kind": mode,
                "tier_from": None,
                "tier_to": None,
                "rate_from": deal_amount,
                "rate": a,
                "quota": None,
                "target_incentive": None,
                "proration": None,
                "deal_currency": credit["deal_currency"],
                "fx_rate": credit["fx_rate"],
                "fx_via": credit["fx_via"],
                "fx_rate_to_via": credit["fx_rate_to_via"],
                "fx_rate_from_via": credit["fx_rate_from_via"],
                "multiplier": None,
                "gated": False,
                "cap_reduction": Decimal("0.00"),
                "currency": plan.plan.currency,
            }
            line = _line_maker(common, label)
            if a != 0:
                result.append(line(HOLD, booked, -a, None, None))
            per_day: dict[dt.date, Decimal] = defaultdict(Decimal)
            for payment in by_deal[credit["deal_id"]]:
                kind = PAYMENT_KIND[mode]
                if payment["kind"] not in (kind, TAKEN_BACK_BY[kind]):
                    continue
                if payment["date"] >= window_end:
                    continue
                day = max(payment["date"], booked)
                sign = -1 if payment["kind"] == TAKEN_BACK_BY[kind] else 1
                if cancelled is None or day < cancelled:
                    per_day[day] += sign * payment["amount"]
            paid, released = Decimal(0), Decimal(0)
            for day in sorted(per_day):
                paid += per_day[day]
                due = _due(a, paid, deal_amount)
                if due != released:  # less than before after a refund: taken back
                    result.append(line(RELEASE, day, due - released, per_day[day], paid))
                released = due
            if cancelled is not None and a - released != 0:
                result.append(line(HOLD_REVERSAL, cancelled, a - released, released, None))
    return result
