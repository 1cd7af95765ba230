"""Reads for statements and inquiries: which run a statement shows, who may see what.

A statement is one rep's lines of one run for one pay period. Reps and managers see only
approved and paid runs; admin and finance may also see the latest draft (no closed run of
that period covers the rep). Reps outside the viewer's scope answer 404 in the views.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from attain.payouts.models import CalcRun, Inquiry, LedgerLine
from attain.people import selectors as people
from attain.people.models import Rep, User

ZERO = Decimal("0.00")


def sees_drafts(user) -> bool:
    return user.is_authenticated and user.sees_everything


def can_see_rep(user, rep_id: int) -> bool:
    ids = people.visible_rep_ids(user)
    return ids is None or rep_id in ids


def visible_rep(user, rep_id: int) -> Rep | None:
    if not can_see_rep(user, rep_id):
        return None
    return Rep.objects.filter(pk=rep_id).first()


def covers(run: CalcRun, rep_id: int) -> bool:
    return run.rep_ids is None or rep_id in run.rep_ids


def statement_run(user, rep_id: int, period: str) -> CalcRun | None:
    """The run a statement of ``rep_id`` for ``period`` shows to ``user``: the latest
    approved or paid run covering the rep, else (admin and finance only) the latest draft."""
    closed = CalcRun.objects.filter(period=period, status__in=CalcRun.CLOSED)
    for run in closed.order_by("-approved_at", "-id"):
        if covers(run, rep_id):
            return run
    if sees_drafts(user):
        drafts = CalcRun.objects.filter(period=period, status=CalcRun.Status.DRAFT)
        for run in drafts.order_by("-started_at", "-id"):
            if covers(run, rep_id):
                return run
    return None


def statement_periods(user, rep_id: int) -> list[dict]:
    """The periods with a statement the user may open for the rep, newest first:
    ``{"period", "run", "net", "currency", "lines"}``."""
    return statement_index(user, [rep_id]).get(rep_id, [])


def statement_index(user, rep_ids: list[int]) -> dict[int, list[dict]]:
    """``statement_periods`` for many reps with two queries (for a manager's team)."""
    statuses = list(CalcRun.CLOSED) + ([CalcRun.Status.DRAFT] if sees_drafts(user) else [])
    runs = list(
        CalcRun.objects.filter(status__in=statuses)
        .only("id", "period", "status", "rep_ids", "currency", "approved_at", "started_at")
        .order_by("-started_at", "-id")
    )
    closed_first = sorted(runs, key=lambda r: (r.status not in CalcRun.CLOSED, _newest(r)))
    chosen: dict[int, dict[str, CalcRun]] = {rep_id: {} for rep_id in rep_ids}
    for run in closed_first:
        for rep_id in rep_ids:
            if covers(run, rep_id):
                chosen[rep_id].setdefault(run.period, run)
    run_ids = {run.pk for periods in chosen.values() for run in periods.values()}
    totals = (
        LedgerLine.objects.filter(run_id__in=run_ids, rep_id__in=rep_ids)
        .values("run_id", "rep_id", "currency")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by("run_id", "rep_id", "currency")
    )
    sums: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in totals:
        sums[(row["run_id"], row["rep_id"])].append(row)
    index = {}
    for rep_id, periods in chosen.items():
        rows = []
        for period in sorted(periods, key=_period_sort, reverse=True):
            run = periods[period]
            found = sums.get((run.pk, rep_id), [])
            main = max(found, key=lambda r: r["n"], default=None)
            rows.append(
                {
                    "period": period,
                    "run": run,
                    "net": main["total"] if main else ZERO,
                    "currency": main["currency"] if main else run.currency,
                    "lines": sum(r["n"] for r in found),
                }
            )
        index[rep_id] = rows
    return index


def _newest(run: CalcRun):
    """Sort key: newest first (approval time for closed runs, else start time)."""
    stamp = run.approved_at or run.started_at
    return (-stamp.timestamp(), -run.pk)


def _period_sort(label: str):
    from attain.engine.periods import parse_period

    window = parse_period(label)
    return (window.start, window.end)


def visible_line(user, pk: int) -> LedgerLine | None:
    """A ledger line the user may open: its rep in scope and its run shown to them."""
    line = LedgerLine.objects.select_related("run", "rep", "deal", "corrects").filter(pk=pk).first()
    if line is None or not can_see_rep(user, line.rep_id):
        return None
    if line.run.status in CalcRun.CLOSED:
        return line
    if sees_drafts(user) and line.run.status == CalcRun.Status.DRAFT:
        return line
    return None


def inquiries_visible_to(user):
    inquiries = Inquiry.objects.select_related("rep", "raised_by", "line", "line__run")
    ids = people.visible_rep_ids(user)
    return inquiries if ids is None else inquiries.filter(rep_id__in=ids)


def visible_inquiry(user, pk: int) -> Inquiry | None:
    return inquiries_visible_to(user).filter(pk=pk).first()


def inquiry_counts(inquiries) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in inquiries.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return {value: counts.get(value, 0) for value, _ in Inquiry.Status.choices}


def is_finance(user) -> bool:
    return user.is_authenticated and user.role == User.Role.FINANCE
