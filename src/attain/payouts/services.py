"""Calculation runs: start, approve, mark paid, discard, replay.

Who may do what: admins (RevOps) and finance start runs; only finance approves and marks
paid, and never a run they started themselves. Approved and paid runs are immutable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

import pyarrow as pa
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from attain.audit.services import record
from attain.engine import EngineError, calculate
from attain.engine.periods import Period, parse_period
from attain.payouts import ledger
from attain.payouts.inputs import EngineInputs, build_inputs
from attain.payouts.models import CalcRun, ImmutableError, LedgerLine
from attain.people.models import Rep, User
from attain.sales.models import Deal


def can_start_runs(user) -> bool:
    return user.is_authenticated and (user.is_admin_role or user.role == User.Role.FINANCE)


def can_approve(user, run: CalcRun | None = None) -> bool:
    if not user.is_authenticated or user.role != User.Role.FINANCE:
        return False
    return run is None or run.started_by_id != user.pk


def parse_run_period(period: str) -> Period:
    try:
        return parse_period(period.strip())
    except (EngineError, ValueError) as error:
        raise ValidationError(
            f"{period!r} is not a period; use 2026, 2026-H1, 2026-Q1 or 2026-03 ({error})"
        ) from None


def _overlaps(run_rep_ids: list[int] | None, other: list[int] | None) -> bool:
    if run_rep_ids is None or other is None:
        return True
    return bool(set(run_rep_ids) & set(other))


def _closed_run_for(period: str, rep_ids: list[int] | None) -> CalcRun | None:
    for run in CalcRun.objects.filter(period=period, status__in=CalcRun.CLOSED):
        if _overlaps(rep_ids, run.rep_ids):
            return run
    return None


def lines_fingerprint(lines: pa.Table) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, lines.schema) as writer:
        writer.write_table(lines.combine_chunks())
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def run_engine(inputs: EngineInputs, backend: str = "duckdb"):
    return calculate(
        inputs.plans(),
        inputs.credits,
        inputs.assignments,
        inputs.quotas,
        payments=inputs.payments,
        fx=inputs.fx,
        period=inputs.period,
        as_of=inputs.as_of,
        backend=backend,
        unassigned="ignore",
    )


def _lookups(result_lines: pa.Table) -> ledger.Lookups:
    rep_refs = set(result_lines.column("rep_id").to_pylist())
    deal_refs = {d for d in result_lines.column("deal_id").to_pylist() if d}
    reps = dict(Rep.objects.filter(external_id__in=rep_refs).values_list("external_id", "id"))
    deals = {}
    refs = sorted(deal_refs)
    for start in range(0, len(refs), 1000):
        chunk = refs[start : start + 1000]
        deals.update(Deal.objects.filter(external_id__in=chunk).values_list("external_id", "id"))
    return ledger.Lookups(rep_pk=reps, deal_pk=deals)


def _closed_periods_before(window: Period, rep_ids: list[int] | None) -> list[CalcRun]:
    """The latest closed run of each earlier period, to recalculate for adjustments."""
    latest: dict[str, CalcRun] = {}
    for run in CalcRun.objects.filter(status__in=CalcRun.CLOSED).order_by("approved_at", "id"):
        if parse_period(run.period).end <= window.start and _overlaps(rep_ids, run.rep_ids):
            latest[run.period] = run
    return [latest[p] for p in sorted(latest, key=lambda p: parse_period(p).start)]


def _within(label: str, window: Period) -> bool:
    inner = parse_period(label)
    return window.start <= inner.start and inner.end <= window.end


def _adjustments(window: Period, rep_ids: list[int] | None, backend: str) -> list[LedgerLine]:
    built: list[LedgerLine] = []
    for closed in _closed_periods_before(window, rep_ids):
        closed_window = parse_period(closed.period)
        as_of = max(closed.as_of, closed_window.end - dt.timedelta(days=1))
        inputs = build_inputs(closed.period, as_of, rep_ids)
        result = run_engine(inputs, backend)
        recomputed = ledger.engine_lines(result.lines, closed.period, _lookups(result.lines))
        periods = {line.period for line in recomputed} | {
            p
            for p in closed.lines.values_list("period", flat=True).distinct()
            if _within(p, closed_window)
        }
        scope = ledger.closed_keys_for_periods(periods, rep_ids)
        built.extend(ledger.adjustment_lines(recomputed, window.label, scope))
    return built


def _draws(window: Period, rep_ids: list[int] | None) -> dict:
    from attain.common import in_force_on
    from attain.plans.models import PlanAssignment

    last_day = window.end - dt.timedelta(days=1)
    assignments = PlanAssignment.objects.filter(in_force_on(last_day), draw_per_period__gt=0)
    if rep_ids is not None:
        assignments = assignments.filter(rep_id__in=rep_ids)
    return {
        a.rep_id: (a.draw_per_period, a.draw_recoverable, a.currency)
        for a in assignments.order_by("rep_id", "valid_from")
    }


def _link_clawbacks(lines: list[LedgerLine]) -> None:
    """A clawback line corrects the closed earning line of the same credit, if any."""
    credit_refs = {line.credit_ref for line in lines if line.kind == "clawback"}
    if not credit_refs:
        return
    earned = {}
    closed = LedgerLine.objects.filter(
        credit_ref__in=credit_refs, kind="earning", run__status__in=CalcRun.CLOSED
    ).order_by("id")
    for line in closed:
        earned.setdefault((line.credit_ref, line.component_id), line.pk)
    for line in lines:
        if line.kind == "clawback":
            line.corrects_id = earned.get((line.credit_ref, line.component_id))


@dataclass
class Calculation:
    inputs: EngineInputs
    lines: list[LedgerLine]
    result_fingerprint: str
    seconds: float


def calculate_period(
    period: str,
    as_of: dt.date | None = None,
    rep_ids: list[int] | None = None,
    backend: str = "duckdb",
) -> Calculation:
    """Everything a run for ``period`` would book, without writing anything."""
    started = time.perf_counter()
    window = parse_run_period(period)
    inputs = build_inputs(window.label, as_of, rep_ids)
    result = run_engine(inputs, backend)
    lines = ledger.engine_lines(result.lines, window.label, _lookups(result.lines))
    _link_clawbacks(lines)
    lines += _adjustments(window, rep_ids, backend)
    lines += ledger.manual_lines(window.label, rep_ids)
    lines += ledger.draw_lines(window.label, _draws(window, rep_ids), lines)
    return Calculation(
        inputs=inputs,
        lines=lines,
        result_fingerprint=lines_fingerprint(result.lines),
        seconds=time.perf_counter() - started,
    )


def start_run(
    user,
    period: str,
    as_of: dt.date | None = None,
    rep_ids: list[int] | None = None,
    note: str = "",
) -> CalcRun:
    """Calculate ``period`` and record a draft run. Earlier drafts of the same period and
    scope are discarded (kept for history). An engine error records a failed run."""
    if not can_start_runs(user):
        raise PermissionDenied("Only admins and finance can start calculation runs.")
    window = parse_run_period(period)
    if as_of is not None and as_of < window.start:
        raise ValidationError(f"The as-of date {as_of} is before the period {window.label}.")
    if rep_ids is not None:
        rep_ids = sorted(set(rep_ids))
        if not rep_ids:
            raise ValidationError("Choose at least one rep, or run for all reps.")
        known = set(Rep.objects.filter(id__in=rep_ids).values_list("id", flat=True))
        if len(known) != len(rep_ids):
            raise ValidationError("Some of the chosen reps do not exist.")
    closed = _closed_run_for(window.label, rep_ids)
    if closed is not None:
        raise ValidationError(
            f"{window.label} is closed by run {closed.pk} ({closed.get_status_display()}). "
            "Later changes to a closed period are booked as adjustments by the next run of an "
            "open period."
        )
    as_of = as_of or window.end - dt.timedelta(days=1)
    try:
        calculation = calculate_period(window.label, as_of, rep_ids)
    except EngineError as error:
        with transaction.atomic():
            run = CalcRun.objects.create(
                period=window.label,
                as_of=as_of,
                rep_ids=rep_ids,
                started_by=user,
                status=CalcRun.Status.FAILED,
                error=str(error),
                finished_at=timezone.now(),
                note=note,
            )
            record(user, "failed", run, after={"error": str(error)})
        return run
    with transaction.atomic():
        for draft in CalcRun.objects.select_for_update().filter(
            period=window.label, status=CalcRun.Status.DRAFT
        ):
            if draft.rep_ids == rep_ids:
                draft.status = CalcRun.Status.DISCARDED
                draft.save(update_fields=["status"])
                record(user, "discarded", draft, note="replaced by a newer run")
        run = _save_run(user, window, as_of, rep_ids, note, calculation)
    return run


def _save_run(user, window, as_of, rep_ids, note, calculation: Calculation) -> CalcRun:
    lines = calculation.lines
    currencies = sorted({line.currency for line in lines}) or ["USD"]
    currency = currencies[0]
    run = CalcRun.objects.create(
        period=window.label,
        as_of=as_of,
        rep_ids=rep_ids,
        started_by=user,
        finished_at=timezone.now(),
        duration_ms=round(calculation.seconds * 1000),
        inputs_fingerprint=calculation.inputs.fingerprint(),
        result_fingerprint=calculation.result_fingerprint,
        inputs=calculation.inputs.to_zip(),
        line_count=len(lines),
        total_amount=sum((x.amount for x in lines if x.currency == currency), ledger.ZERO),
        currency=currency,
        note=note,
    )
    run.plan_revisions.set(calculation.inputs.revision_ids)
    for line in lines:
        line.run = run
    LedgerLine.objects.bulk_create(lines, batch_size=2000)
    record(
        user,
        "started",
        run,
        after={
            "period": run.period,
            "as_of": run.as_of,
            "reps": rep_ids or "all",
            "lines": run.line_count,
            "inputs_fingerprint": run.inputs_fingerprint,
            "plan_revisions": calculation.inputs.revision_ids,
        },
    )
    return run


def _transition(user, run: CalcRun, allowed_from: set[str], to: str, **stamps) -> CalcRun:
    with transaction.atomic():
        locked = CalcRun.objects.select_for_update().get(pk=run.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                f"Run {locked.pk} is {locked.get_status_display().lower()}; it cannot be "
                f"{CalcRun.Status(to).label.lower()} from there."
            )
        before = {"status": locked.status}
        CalcRun.objects.filter(pk=locked.pk).update(status=to, **stamps)
        locked.refresh_from_db()
        record(user, to, locked, before=before, after={"status": to})
    return locked


def approve_run(user, run: CalcRun) -> CalcRun:
    if not user.is_authenticated or user.role != User.Role.FINANCE:
        raise PermissionDenied("Only finance can approve a run.")
    if run.started_by_id == user.pk:
        raise PermissionDenied("You started this run; someone else in finance must approve it.")
    if _closed_run_for(run.period, run.rep_ids) is not None:
        raise ValidationError(f"{run.period} already has an approved run.")
    return _transition(
        user,
        run,
        {CalcRun.Status.DRAFT},
        CalcRun.Status.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
    )


def mark_paid(user, run: CalcRun) -> CalcRun:
    if not user.is_authenticated or user.role != User.Role.FINANCE:
        raise PermissionDenied("Only finance can mark a run paid.")
    return _transition(
        user,
        run,
        {CalcRun.Status.APPROVED},
        CalcRun.Status.PAID,
        paid_by=user,
        paid_at=timezone.now(),
    )


def discard_run(user, run: CalcRun) -> CalcRun:
    if not can_start_runs(user):
        raise PermissionDenied("Only admins and finance can discard runs.")
    return _transition(
        user, run, {CalcRun.Status.DRAFT, CalcRun.Status.FAILED}, CalcRun.Status.DISCARDED
    )


@dataclass(frozen=True)
class Replay:
    run: CalcRun
    matches: bool
    expected: str
    actual: str
    seconds: float


def replay_run(user, run: CalcRun) -> Replay:
    """Calculate the run again from its recorded inputs; the engine's lines must hash to the
    same fingerprint."""
    if not (can_start_runs(user) or user.role == User.Role.FINANCE):
        raise PermissionDenied("Only admins and finance can replay runs.")
    if not run.inputs:
        raise ValidationError(f"Run {run.pk} has no recorded inputs to replay.")
    started = time.perf_counter()
    inputs = EngineInputs.from_zip(run.inputs)
    if inputs.fingerprint() != run.inputs_fingerprint:
        raise ValidationError(f"Run {run.pk}'s recorded inputs do not match their fingerprint.")
    result = run_engine(inputs, run.backend)
    actual = lines_fingerprint(result.lines)
    replay = Replay(
        run=run,
        matches=actual == run.result_fingerprint,
        expected=run.result_fingerprint,
        actual=actual,
        seconds=time.perf_counter() - started,
    )
    record(user, "replayed", run, after={"matches": replay.matches, "fingerprint": actual})
    return replay


__all__ = [
    "ImmutableError",
    "approve_run",
    "calculate_period",
    "can_approve",
    "can_start_runs",
    "discard_run",
    "mark_paid",
    "replay_run",
    "start_run",
]
