"""Everything a backend needs, checked once: inputs, rules in force, window, targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

from .cash import check_payment_currencies, deferred, look_back
from .crediting import CreditingTables, check_team_fx, prepare_crediting
from .draws import build_schedule
from .errors import EngineError
from .inputs import (
    CheckedCredits,
    Credits,
    as_table,
    credit_condition_columns,
    normalise_assignments,
    normalise_credits,
    normalise_draws,
    normalise_fx,
    normalise_hierarchy,
    normalise_payments,
    normalise_quotas,
    normalise_territories,
)
from .periods import Period, parse_period
from .resolve import ResolvedPlan, compute_from, resolve_plans
from .spec import Plan
from .targets import build_targets, check_assignment_overlaps, targets_table

Unassigned = Literal["error", "ignore"]


@dataclass(frozen=True)
class Prepared:
    window: Period
    as_of: dt.date
    compute_from: dt.date
    plans: dict[str, ResolvedPlan]
    credits: Credits  # a Dataset: checked already (files.py), DuckDB only
    assignments: pa.Table
    targets: pa.Table
    unassigned: Unassigned
    fx: pa.Table
    draws: pa.Table  # the draw schedule (draws.SCHEDULE_SCHEMA); empty without draws
    payments: pa.Table  # invoices and payments per deal (pay on cash); may be empty
    # hierarchy, its closure, territories, derivation rules, team targets (crediting.py)
    crediting: CreditingTables = field(default_factory=CreditingTables)


def prepare(
    plans: Iterable[Plan],
    credits,
    assignments,
    quotas=None,
    *,
    fx=None,
    draws=None,
    hierarchy=None,
    territories=None,
    payments=None,
    period: str,
    as_of: dt.date | None = None,
    unassigned: Unassigned = "error",
) -> Prepared:
    window = parse_period(period)
    as_of = as_of or (window.end - dt.timedelta(days=1))
    if unassigned not in ("error", "ignore"):
        raise EngineError(f"unassigned must be 'error' or 'ignore', not {unassigned!r}")
    if isinstance(credits, CheckedCredits):
        credits_table = credits  # checked batch by batch into a scratch file (files.py)
    else:
        credits_table = normalise_credits(as_table(credits))
    assignment_table = normalise_assignments(as_table(assignments))
    quota_table = normalise_quotas(as_table(quotas))
    assignment_rows = assignment_table.to_pylist()
    check_assignment_overlaps(assignment_rows)
    relevant = [a for a in assignment_rows if a["valid_from"] < window.end]
    columns = credit_condition_columns(credits_table)
    resolved = resolve_plans(plans, [a["plan_id"] for a in relevant], as_of, window, columns)
    payment_table = normalise_payments(as_table(payments))
    check_payment_currencies(payment_table, credits_table, relevant, resolved)
    draw_rows = [
        d for d in normalise_draws(as_table(draws)).to_pylist() if d["valid_from"] < window.end
    ]
    start = look_back(
        compute_from(window, resolved.values(), draws=bool(draw_rows)),
        window,
        resolved.values(),
        credits_table,
        payment_table,
    )
    draw_rows = [d for d in draw_rows if d["valid_to"] is None or d["valid_to"] > start]
    schedule = build_schedule(draw_rows, relevant, resolved, start, window)
    quota_rows = quota_table.to_pylist()
    targets = build_targets(resolved, relevant, quota_rows, start, window.end)
    fx_table = normalise_fx(as_table(fx))
    crediting = prepare_crediting(
        resolved,
        credits_table,
        normalise_hierarchy(as_table(hierarchy)),
        normalise_territories(as_table(territories)),
        targets,
        quota_rows,
    )
    check_team_fx(resolved, credits_table, fx_table, start, window.end)
    return Prepared(
        window=window,
        as_of=as_of,
        compute_from=start,
        plans=resolved,
        credits=credits_table,
        assignments=pa.Table.from_pylist(relevant, schema=assignment_table.schema),
        targets=targets_table(targets),
        unassigned=unassigned,
        fx=fx_table,
        draws=schedule,
        crediting=crediting,
        payments=payment_table,
    )


def credits_read_from(
    plans: Iterable[Plan],
    period: str,
    credit_schema: pa.Schema,
    as_of: dt.date | None = None,
    *,
    draws: bool = False,
) -> dt.date | None:
    """The first event date from which a calculation of ``period`` reads credits, whichever
    of ``plans`` the reps are on (``compute_from``), so that a caller loading credits from a
    database loads no more than that; ``credit_schema``: the columns the credits will have
    (plan conditions are checked against them). ``None`` when it cannot be told before the
    credits are read — a plan paying on cash reaches back to the earliest booking of a deal
    paid in the window — or when the plans do not resolve (the calculation will say why)."""
    window = parse_period(period)
    as_of = as_of or (window.end - dt.timedelta(days=1))
    plans = list(plans)
    columns = credit_condition_columns(credit_schema.empty_table())
    try:
        resolved = resolve_plans(plans, {p.id for p in plans}, as_of, window, columns)
    except EngineError:
        return None
    if any(deferred(plan) for plan in resolved.values()):
        return None
    return compute_from(window, resolved.values(), draws=draws)
