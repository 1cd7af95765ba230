"""Turning engine results into ledger lines: earnings, adjustments, draws, manual lines.

Every ledger line has a ``key`` naming what it is about: rep, earned period, plan, component,
line kind, credit and tier. The amount in force for a key is the sum of the closed (approved
or paid) lines with that key: the original line plus any reversals and rebooks. A
recalculation compares the engine's new amount with that sum; when they differ it books a
reversal of the old amount and a rebook of the new one in the open period, each pointing at
the line it corrects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
from django.db.models import Q

from attain.engine.explain import money
from attain.payouts.models import CalcRun, LedgerLine, ManualAdjustment

# Every kind of line the engine gives (draws are the ledger's own, draw_lines): a closed
# period's line of any of these kinds whose recalculation no longer gives it is reversed.
ENGINE_KINDS = {
    "earning", "true_up", "floor", "spiff", "clawback", "hold", "release", "hold_reversal",
}  # fmt: skip
ZERO = Decimal("0.00")


def line_key(rep_ref: str, line: dict) -> str:
    """What identifies a line from one run to the next (corrections compare by it)."""
    parts = [
        rep_ref,
        line["period"],
        line["plan_id"] or "",
        line["component_id"] or "",
        line["line_kind"],
        line["credit_id"] or "",
        "" if line["tier"] is None else str(line["tier"]),
    ]
    if line["line_kind"] == "release":
        # A deal collected in instalments releases once per day it is paid, and a pay
        # period may hold several of those days.
        parts.append(line["event_date"].isoformat())
    return "|".join(parts)


KEY_KIND = 4  # the position of the line kind among a key's parts (line_key)


def kind_in_key(key: str) -> str | None:
    """The line kind a ``line_key`` names (a reversal or rebook carries the key of the line
    it corrects); None for keys of another shape (draws, manual adjustments)."""
    parts = key.split("|")
    return parts[KEY_KIND] if len(parts) > KEY_KIND else None


@dataclass
class Lookups:
    rep_pk: dict[str, int]  # rep external id → pk
    deal_pk: dict[str, int]  # deal external id → pk


def engine_lines(lines: pa.Table, pay_period: str, lookups: Lookups) -> list[LedgerLine]:
    """Unsaved ledger lines, one per engine line, in the engine's order."""
    built = []
    for line in lines.to_pylist():
        rep_ref = line["rep_id"]
        deal_ref = line["deal_id"] or ""
        built.append(
            LedgerLine(
                rep_id=lookups.rep_pk[rep_ref],
                pay_period=pay_period,
                period=line["period"],
                kind=line["line_kind"],
                plan_id=line["plan_id"] or "",
                plan_version=line["plan_version"],
                component_id=line["component_id"] or "",
                event_date=line["event_date"],
                credit_ref=line["credit_id"] or "",
                deal_id=lookups.deal_pk.get(deal_ref),
                deal_ref=deal_ref,
                tier=line["tier"],
                rate_kind=line["rate_kind"] or "",
                rate=line["rate"],
                base=line["base"],
                quota=line["quota"],
                amount_before_cap=line["amount_before_cap"] or ZERO,
                cap_reduction=line["cap_reduction"] or ZERO,
                amount=line["amount"],
                currency=line["currency"],
                explanation=line["explanation"] or "",
                key=line_key(rep_ref, line),
            )
        )
    return built


def closed_lines_by_key(keys: set[str]) -> dict[str, list[LedgerLine]]:
    found: dict[str, list[LedgerLine]] = defaultdict(list)
    key_list = sorted(keys)
    for start in range(0, len(key_list), 500):
        chunk = key_list[start : start + 500]
        lines = LedgerLine.objects.filter(key__in=chunk, run__status__in=CalcRun.CLOSED)
        for line in lines.order_by("id"):
            found[line.key].append(line)
    return found


def closed_keys_for_periods(periods: set[str], rep_ids: list[int] | None) -> set[str]:
    lines = LedgerLine.objects.filter(
        run__status__in=CalcRun.CLOSED, period__in=periods, kind__in=ENGINE_KINDS | {"rebook"}
    )
    if rep_ids is not None:
        lines = lines.filter(rep_id__in=rep_ids)
    return set(lines.values_list("key", flat=True))


def adjustment_lines(recomputed: list[LedgerLine], pay_period: str, scope_keys: set[str]):
    """Reversal and rebook lines where ``recomputed`` (a closed period calculated again)
    differs from what the closed runs booked for the same keys."""
    new_by_key: dict[str, list[LedgerLine]] = defaultdict(list)
    for line in recomputed:
        new_by_key[line.key].append(line)
    keys = scope_keys | set(new_by_key)
    booked = closed_lines_by_key(keys)
    adjustments = []
    for key in sorted(keys):
        old_lines = booked.get(key, [])
        old = sum((line.amount for line in old_lines), ZERO)
        new_lines = new_by_key.get(key, [])
        new = sum((line.amount for line in new_lines), ZERO)
        if old == new:
            continue
        target = next((line for line in reversed(old_lines) if line.amount != 0), None)
        if target is None and old_lines:
            target = old_lines[-1]
        if old != 0:
            adjustments.append(_reversal(target, old, pay_period))
        for line in new_lines:
            adjustments.append(_rebook(line, target, pay_period))
    return adjustments


def _copy(line: LedgerLine, **changes) -> LedgerLine:
    fields = {
        f.attname: getattr(line, f.attname)
        for f in LedgerLine._meta.concrete_fields
        if f.attname not in {"id", "run_id"}
    }
    fields.update(changes)
    return LedgerLine(**fields)


def _reversal(target: LedgerLine, old: Decimal, pay_period: str) -> LedgerLine:
    what = f"deal {target.deal_ref}" if target.deal_ref else target.component_id or "the line"
    text = (
        f"Reverses {money(old, target.currency)} booked for {target.period} ({what}, line "
        f"#{target.pk}): the inputs changed after that period was closed."
    )
    return _copy(
        target,
        kind=LedgerLine.Kind.REVERSAL,
        pay_period=pay_period,
        amount=-old,
        amount_before_cap=-old,
        cap_reduction=ZERO,
        explanation=text,
        corrects_id=target.pk,
    )


def _rebook(line: LedgerLine, target: LedgerLine | None, pay_period: str) -> LedgerLine:
    if target is None:
        prefix = f"Booked late for {line.period} (that period was already closed): "
    else:
        prefix = f"Rebooks {line.period} after a change (replaces line #{target.pk}): "
    return _copy(
        line,
        kind=LedgerLine.Kind.REBOOK,
        pay_period=pay_period,
        explanation=prefix + line.explanation,
        corrects_id=None if target is None else target.pk,
    )


def manual_lines(period: str, rep_ids: list[int] | None) -> list[LedgerLine]:
    """Lines for manual adjustments due in ``period`` that no closed run has booked yet."""
    adjustments = ManualAdjustment.objects.filter(pay_period__in=["", period]).select_related("rep")
    if rep_ids is not None:
        adjustments = adjustments.filter(rep_id__in=rep_ids)
    keys = {f"manual:{a.pk}": a for a in adjustments}
    booked = set(
        LedgerLine.objects.filter(key__in=list(keys), run__status__in=CalcRun.CLOSED).values_list(
            "key", flat=True
        )
    )
    lines = []
    for key, adjustment in sorted(keys.items(), key=lambda item: item[1].pk):
        if key in booked:
            continue
        lines.append(
            LedgerLine(
                rep_id=adjustment.rep_id,
                pay_period=period,
                period=period,
                kind=LedgerLine.Kind.MANUAL,
                amount=adjustment.amount,
                amount_before_cap=adjustment.amount,
                currency=adjustment.currency,
                explanation=f"Manual adjustment by {adjustment.created_by}: {adjustment.reason}",
                key=key,
            )
        )
    return lines


def draw_lines(period: str, draws: dict[int, tuple[Decimal, bool, str]], lines: list[LedgerLine]):
    """Draw top-ups and recoveries for reps with a draw in force.

    ``draws``: rep pk → (draw per period, recoverable, currency). A rep whose net pay for
    the period is below the draw is paid the difference (a ``draw`` line). For a recoverable
    draw, the balance advanced and not yet recovered is taken back from later pay above
    the draw (a ``draw_recovery`` line), never taking pay below the draw.
    """
    net: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        net[line.rep_id] += line.amount
    outstanding = _outstanding_draws(list(draws))
    built = []
    for rep_id, (draw, recoverable, currency) in sorted(draws.items()):
        pay = net[rep_id]
        if pay < draw:
            top_up = draw - pay
            built.append(
                LedgerLine(
                    rep_id=rep_id,
                    pay_period=period,
                    period=period,
                    kind=LedgerLine.Kind.DRAW,
                    amount=top_up,
                    amount_before_cap=top_up,
                    currency=currency,
                    explanation=(
                        f"Draw: pay of {money(pay, currency)} is below the "
                        f"{money(draw, currency)} draw, so {money(top_up, currency)} is "
                        + ("advanced (recoverable from later pay)." if recoverable else "paid.")
                    ),
                    key=f"draw:{'advance' if recoverable else 'guarantee'}:{rep_id}:{period}",
                )
            )
        elif recoverable and outstanding.get(rep_id, ZERO) > 0:
            recovered = min(pay - draw, outstanding[rep_id])
            if recovered > 0:
                built.append(
                    LedgerLine(
                        rep_id=rep_id,
                        pay_period=period,
                        period=period,
                        kind=LedgerLine.Kind.DRAW_RECOVERY,
                        amount=-recovered,
                        amount_before_cap=-recovered,
                        currency=currency,
                        explanation=(
                            f"Draw recovery: {money(recovered, currency)} of the "
                            f"{money(outstanding[rep_id], currency)} advanced in earlier "
                            f"periods is recovered from pay above the draw."
                        ),
                        key=f"draw_recovery:{rep_id}:{period}",
                    )
                )
    return built


def _outstanding_draws(rep_ids: list[int]) -> dict[int, Decimal]:
    """Recoverable draw advanced minus recovered so far, per rep, from closed runs."""
    balance: dict[int, Decimal] = defaultdict(lambda: ZERO)
    lines = LedgerLine.objects.filter(
        Q(key__startswith="draw:advance:") | Q(kind=LedgerLine.Kind.DRAW_RECOVERY),
        rep_id__in=rep_ids,
        run__status__in=CalcRun.CLOSED,
    ).values_list("rep_id", "amount")
    for rep_id, amount in lines:
        balance[rep_id] += amount
    return dict(balance)
