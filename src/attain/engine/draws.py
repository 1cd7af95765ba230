"""Draws: an amount per pay period guaranteed to a rep, recoverable or not.

The schedule (one row per rep with a draw and pay period computed) is built here, in exact
Python, like the targets; the program then adds ``draw`` and ``draw_recovery`` lines from
each period's net payable with window functions (``draw_query``).

Per rep and pay period, with ``n`` the net payable of the period's other lines and ``D`` the
draw in force on the period's last day (0 when none):

- ``draw`` line: ``D − n`` when ``n < D`` and a draw is in force;
- the advance ``A`` is that amount for a recoverable draw, 0 for a non-recoverable one;
- the surplus ``S = max(0, n − D)`` is the pay above the draw; the recovery is
  ``min(balance before, S)``, so pay never drops below the draw;
- the outstanding balance ``B = B_before + A − recovery`` starts at 0 on 1 January.

With ``x = A − S`` this is ``B_t = max(0, B_{t−1} + x_t)``, whose closed form is
``B_t = P_t − min(0, min_{k≤t} P_k)`` with ``P`` the running sum of ``x``: a running sum and a
running minimum, both window functions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pyarrow as pa
from sqlglot import exp

from . import sql as q
from .errors import RuleError
from .periods import Period, period_of
from .resolve import ResolvedPlan

DRAW_COMPONENT = "draw"

SCHEDULE_SCHEMA = pa.schema(
    [
        ("rep_id", pa.string()),
        ("period", pa.string()),
        ("period_start", pa.date32()),
        ("period_last_day", pa.date32()),
        ("draw_year", pa.int32()),
        ("in_window", pa.bool_()),
        ("plan_id", pa.string()),
        ("plan_version", pa.int32()),
        ("draw_kind", pa.string()),  # recoverable | non_recoverable | none
        ("draw_amount", pa.decimal128(18, 2)),
        ("currency", pa.string()),
    ]
)


def _periods(start: dt.date, end: dt.date, kind: str) -> list[Period]:
    periods = []
    day = period_of(start, kind).start
    while day < end:
        period = period_of(day, kind)
        periods.append(period)
        day = period.end
    return periods


def _in_force(rows: list[dict], day: dt.date) -> dict | None:
    for row in rows:
        if row["valid_from"] <= day and (row["valid_to"] is None or day < row["valid_to"]):
            return row
    return None


def build_schedule(
    draws: list[dict],
    assignments: list[dict],
    plans: dict[str, ResolvedPlan],
    compute_from: dt.date,
    window: Period,
) -> pa.Table:
    """One row per pay period (from ``compute_from`` to the window's end) of each rep who
    has a draw: the plan paying that period and the draw in force on its last day."""
    by_rep: dict[str, list[dict]] = defaultdict(list)
    for row in draws:
        by_rep[row["rep_id"]].append(row)
    rows: list[dict] = []
    for rep_id, rep_draws in sorted(by_rep.items()):
        chosen: dict[str, tuple[Period, dt.date, ResolvedPlan]] = {}
        for assignment in assignments:
            if assignment["rep_id"] != rep_id:
                continue
            plan = plans[assignment["plan_id"]]
            start = max(assignment["valid_from"], compute_from)
            end = min(assignment["valid_to"] or dt.date.max, window.end)
            if end <= start:
                continue
            for period in _periods(start, end, plan.plan.period):
                # Several assignments in one period: the later one pays the draw.
                known = chosen.get(period.label)
                if known is None or known[1] < assignment["valid_from"]:
                    chosen[period.label] = (period, assignment["valid_from"], plan)
        ordered = sorted(chosen.values(), key=lambda c: (c[0].start, c[0].end))
        for (earlier, _, _), (later, _, _) in zip(ordered, ordered[1:], strict=False):
            if later.start < earlier.end:
                raise RuleError(
                    f"rep {rep_id!r} has a draw and plans with overlapping pay periods "
                    f"({earlier.label}, {later.label}): a draw needs one pay period at a time"
                )
        period_rows = []
        for period, _, plan in ordered:
            last_day = period.end - dt.timedelta(days=1)
            draw = _in_force(rep_draws, last_day)
            currency = plan.plan.currency
            if draw is not None and (draw["currency"] or currency) != currency:
                raise RuleError(
                    f"the draw of rep {rep_id!r} in force on {last_day} is in "
                    f"{draw['currency']}, but plan {plan.id!r} pays in {currency}"
                )
            period_rows.append(
                {
                    "rep_id": rep_id,
                    "period": period.label,
                    "period_start": period.start,
                    "period_last_day": last_day,
                    "draw_year": period.start.year,
                    "in_window": window.start <= period.start and period.end <= window.end,
                    "plan_id": plan.id,
                    "plan_version": plan.plan.version,
                    "draw_kind": draw["kind"] if draw is not None else "none",
                    "draw_amount": draw["amount"] if draw is not None else 0,
                    "currency": currency,
                }
            )
        if any(r["draw_kind"] != "none" for r in period_rows):
            rows.extend(period_rows)
    return pa.Table.from_pylist(rows, schema=SCHEDULE_SCHEMA)


# -- the SQL step -----------------------------------------------------------------------------


def _window(function: exp.Expression, running: bool = True) -> exp.Window:
    order = exp.Order(expressions=[exp.Ordered(this=q.col("period_start"), nulls_first=True)])
    spec = None
    if running:
        spec = exp.WindowSpec(
            kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
        )
    return exp.Window(
        this=function,
        partition_by=[q.col("rep_id"), q.col("draw_year")],
        order=order,
        spec=spec,
    )


def draw_query(line_tables: list[str], output_select) -> exp.Select:
    """The draw and draw-recovery lines of the window's periods, from the plans' lines of
    every computed period (``line_tables``) and the ``draws`` schedule."""
    money = q.decimal_type(18, 2)
    wide = q.decimal_type(38, 2)
    union: exp.Query = exp.select(q.col("rep_id"), q.col("period"), q.col("amount")).from_(
        line_tables[0]
    )
    for name in line_tables[1:]:
        union = exp.union(
            union,
            exp.select(q.col("rep_id"), q.col("period"), q.col("amount")).from_(name),
            distinct=False,
        )
    net = (
        exp.select(q.col("rep_id"), q.col("period"), q.alias(exp.Sum(this=q.col("amount")), "net"))
        .from_(exp.alias_(exp.Subquery(this=union), "all_lines", table=True), copy=False)
        .group_by(q.col("rep_id"), q.col("period"), copy=False)
    )
    zero = q.cast(q.num(0), wide)
    n = q.cast(q.coalesce(q.col("net", "n"), zero), wide)
    draw = q.cast(q.col("draw_amount", "s"), wide)
    short = q.greatest(zero, q.sub(draw, n))
    kind = q.col("draw_kind", "s")
    step0 = (
        exp.select(
            exp.Column(this=exp.Star(), table=exp.to_identifier("s")),
            q.alias(n, "n"),
            q.alias(q.case([(exp.NEQ(this=kind, expression=q.text("none")), short)], zero), "paid"),
            q.alias(
                q.sub(
                    q.case([(q.eq(kind, q.text("recoverable")), short)], zero),
                    q.greatest(zero, q.sub(n, draw)),
                ),
                "x",
            ),
            q.alias(q.case([(q.eq(kind, q.text("recoverable")), short)], zero), "advance"),
        )
        .from_(exp.alias_(exp.to_table("draws"), "s", table=True), copy=False)
        .join(
            exp.alias_(exp.Subquery(this=net), "n", table=True),
            on=q.and_(
                q.eq(q.col("rep_id", "n"), q.col("rep_id", "s")),
                q.eq(q.col("period", "n"), q.col("period", "s")),
            ),
            join_type="left",
            copy=False,
        )
    )
    step1 = exp.select(exp.Star(), q.alias(_window(exp.Sum(this=q.col("x"))), "p")).from_(
        exp.alias_(exp.Subquery(this=step0), "d0", table=True), copy=False
    )
    balance = q.cast(q.sub(q.col("p"), q.least(zero, _window(exp.Min(this=q.col("p"))))), wide)
    step2 = exp.select(exp.Star(), q.alias(balance, "balance")).from_(
        exp.alias_(exp.Subquery(this=step1), "d1", table=True), copy=False
    )
    before = q.coalesce(_window(exp.Lag(this=q.col("balance")), running=False), zero)
    recovery = q.sub(q.add(before, q.col("advance")), q.col("balance"))
    step3 = exp.select(exp.Star(), q.alias(q.cast(recovery, wide), "recovered")).from_(
        exp.alias_(exp.Subquery(this=step2), "d2", table=True), copy=False
    )
    source = exp.alias_(exp.Subquery(this=step3), "d", table=True)

    def lines(kind_name: str, amount: exp.Expression, positive: str) -> exp.Select:
        values = {
            "rep_id": q.col("rep_id"),
            "period": q.col("period"),
            "plan_id": q.col("plan_id"),
            "plan_version": q.col("plan_version"),
            "component_id": q.text(DRAW_COMPONENT),
            "line_kind": q.text(kind_name),
            "event_date": q.col("period_last_day"),
            "credit_id": q.null(),
            "deal_id": q.null(),
            "tier": q.null(),
            "basis": q.null(),
            "semantic": q.null(),
            "evaluation": q.null(),
            "rate_kind": q.col("draw_kind"),
            "tier_from": q.null(),
            "tier_to": q.null(),
            "rate_from": q.null(),
            "rate": q.col("draw_amount"),
            "base": q.col("n"),
            "period_total": q.col("balance"),
            "quota": q.null(),
            "target_incentive": q.null(),
            "proration": q.null(),
            "deal_currency": q.null(),
            "fx_rate": q.null(),
            "fx_via": q.null(),
            "fx_rate_to_via": q.null(),
            "fx_rate_from_via": q.null(),
            "multiplier": q.null(),
            "gated": q.false(),
            "amount_before_cap": q.cast(amount, money),
            "cap_reduction": q.num(0),
            "amount": q.cast(amount, money),
            "currency": q.col("currency"),
        }
        return output_select(values, source.copy()).where(
            q.and_(q.col("in_window"), exp.GT(this=q.col(positive), expression=zero.copy())),
            copy=False,
        )

    return exp.union(
        lines("draw", q.col("paid"), "paid"),
        lines("draw_recovery", q.neg(q.col("recovered")), "recovered"),
        distinct=False,
    )
