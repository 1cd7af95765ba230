"""One rep's pay statement for one pay period, built from a run's ledger lines.

The statement groups the lines the way a rep reads them: earnings per plan component (with
attainment against quota where the lines carry a quota), cap reductions, clawbacks, draws
and adjustments (reversals, rebooks and manual adjustments, each naming the line it
corrects), and the net pay: the sum of every line. Every amount is an exact Decimal.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from attain.common import in_force_on
from attain.engine.periods import parse_period
from attain.payouts.ledger import kind_in_key
from attain.payouts.models import CalcRun, LedgerLine
from attain.people.models import Rep

ZERO = Decimal("0.00")
EARNING_KINDS = {"earning", "true_up", "floor", "spiff"}
# Pay on cash: earnings held at booking, released as the deal is invoiced or collected.
CASH_KINDS = {"hold", "release", "hold_reversal"}
DRAW_KINDS = {"draw", "draw_recovery"}
ADJUSTMENT_KINDS = {"reversal", "rebook", "manual"}
CORRECTION_KINDS = {"reversal", "rebook"}


def original_kind(line: LedgerLine) -> str:
    """The kind of line a reversal or rebook corrects (its key is that line's), else the
    line's own kind."""
    if line.kind in CORRECTION_KINDS:
        return kind_in_key(line.key) or line.kind
    return line.kind


@dataclass
class ComponentSummary:
    plan_id: str
    component_id: str
    earned: Decimal = ZERO  # earning, floor and spiff lines, after caps
    before_cap: Decimal = ZERO
    cap_reduction: Decimal = ZERO
    clawbacks: Decimal = ZERO
    measure: Decimal | None = None  # sum of the earning lines' base
    quota: Decimal | None = None
    lines: int = 0

    @property
    def attainment(self) -> Decimal | None:
        """Measure total over quota, as a percentage with one decimal (None without quota)."""
        if self.quota is None or not self.quota or self.measure is None:
            return None
        return (self.measure / self.quota * 100).quantize(Decimal("0.1"))

    @property
    def net(self) -> Decimal:
        return self.earned + self.clawbacks


@dataclass
class Statement:
    rep: Rep
    period: str
    run: CalcRun
    lines: list[LedgerLine]
    plans: list[str] = field(default_factory=list)
    components: list[ComponentSummary] = field(default_factory=list)
    currency: str = "USD"
    # Pay on cash: the net of holds and releases (corrections included) that the closed runs
    # of earlier periods booked for the rep, in the statement's currency.
    cash_before: Decimal = ZERO

    @property
    def is_draft(self) -> bool:
        return self.run.status == CalcRun.Status.DRAFT

    def _sum(self, kinds: set[str] | None = None, attr: str = "amount") -> Decimal:
        return sum(
            (
                getattr(line, attr)
                for line in self.lines
                if (kinds is None or line.kind in kinds) and line.currency == self.currency
            ),
            ZERO,
        )

    @property
    def earnings(self) -> Decimal:
        return self._sum(EARNING_KINDS)

    @property
    def cap_reductions(self) -> Decimal:
        return self._sum(EARNING_KINDS, "cap_reduction")

    @property
    def clawbacks(self) -> Decimal:
        return self._sum({"clawback"})

    @property
    def draws(self) -> Decimal:
        return self._sum(DRAW_KINDS)

    @property
    def held_or_released(self) -> Decimal:
        """Earnings held back (negative) or released (positive) on cash this period."""
        return self._sum(CASH_KINDS)

    @property
    def has_cash_lines(self) -> bool:
        return any(line.kind in CASH_KINDS for line in self.lines)

    @property
    def still_held(self) -> Decimal:
        """Earnings held on cash and not released by the end of this period: every hold (−)
        and release (+) booked so far, this period's included, corrections included,
        negated. Zero once every deal is paid."""
        cash = (
            line.amount
            for line in self.lines
            if original_kind(line) in CASH_KINDS and line.currency == self.currency
        )
        return -(self.cash_before + sum(cash, ZERO))

    @property
    def shows_cash(self) -> bool:
        """Whether the statement shows the pay-on-cash figures: the rep has cash lines this
        period or still has earnings held from earlier ones."""
        return self.has_cash_lines or bool(self.still_held)

    @property
    def adjustments(self) -> Decimal:
        return self._sum(ADJUSTMENT_KINDS)

    @property
    def net_pay(self) -> Decimal:
        return self._sum()

    @property
    def other_currencies(self) -> dict[str, Decimal]:
        """Net per currency for lines not in the statement's main currency (rare)."""
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            if line.currency != self.currency:
                totals[line.currency] += line.amount
        return dict(totals)

    def lines_of(self, kinds: set[str]) -> list[LedgerLine]:
        return [line for line in self.lines if line.kind in kinds]

    @property
    def earning_lines(self):
        return self.lines_of(EARNING_KINDS)

    @property
    def clawback_lines(self):
        return self.lines_of({"clawback"})

    @property
    def draw_lines(self):
        return self.lines_of(DRAW_KINDS)

    @property
    def adjustment_lines(self):
        return self.lines_of(ADJUSTMENT_KINDS)

    @property
    def capped_lines(self):
        return [line for line in self.lines if line.cap_reduction]

    def totals(self) -> dict[str, Decimal]:
        return {
            "earnings": self.earnings,
            "cap_reductions": self.cap_reductions,
            "clawbacks": self.clawbacks,
            "draws": self.draws,
            "adjustments": self.adjustments,
            "held_or_released": self.held_or_released,
            "net_pay": self.net_pay,
            "still_held": self.still_held,
        }


def build_statement(rep: Rep, period: str, run: CalcRun) -> Statement:
    lines = list(
        LedgerLine.objects.filter(run=run, rep=rep)
        .select_related("deal", "corrects", "corrects__run")
        .order_by("kind", "period", "plan_id", "component_id", "event_date", "tier", "id")
    )
    lines.sort(key=_line_order)
    currencies = defaultdict(int)
    for line in lines:
        currencies[line.currency] += 1
    currency = max(currencies, key=currencies.get) if currencies else run.currency
    statement = Statement(rep=rep, period=period, run=run, lines=lines, currency=currency)
    statement.cash_before = _cash_before(rep, period, currency)
    statement.components = _components(lines, period)
    _fill_quotas(statement)
    statement.plans = _plans(rep, period, lines)
    return statement


def _cash_before(rep: Rep, period: str, currency: str) -> Decimal:
    """Holds and releases (and their corrections) booked for ``rep`` by the closed runs of
    the periods before ``period``."""
    start = parse_period(period).start
    lines = LedgerLine.objects.filter(
        rep=rep,
        run__status__in=CalcRun.CLOSED,
        kind__in=CASH_KINDS | CORRECTION_KINDS,
        currency=currency,
    ).only("kind", "key", "amount", "run__period")
    return sum(
        (
            line.amount
            for line in lines.select_related("run")
            if original_kind(line) in CASH_KINDS and parse_period(line.run.period).end <= start
        ),
        ZERO,
    )


KIND_ORDER = [
    "earning", "true_up", "floor", "spiff", "clawback", "hold", "release", "hold_reversal",
    "reversal", "rebook", "manual", "draw",
]  # fmt: skip


def _line_order(line: LedgerLine):
    kind = KIND_ORDER.index(line.kind) if line.kind in KIND_ORDER else len(KIND_ORDER)
    return (
        kind,
        line.period,
        line.plan_id,
        line.component_id,
        line.event_date or dt.date.min,
        line.tier or 0,
        line.pk,
    )


def _components(lines: list[LedgerLine], period: str) -> list[ComponentSummary]:
    found: dict[tuple[str, str], ComponentSummary] = {}
    for line in lines:
        if line.kind not in EARNING_KINDS | {"clawback"} or not line.component_id:
            continue
        key = (line.plan_id, line.component_id)
        summary = found.setdefault(key, ComponentSummary(*key))
        summary.lines += 1
        if line.kind == "clawback":
            summary.clawbacks += line.amount
            continue
        summary.earned += line.amount
        summary.before_cap += line.amount_before_cap
        summary.cap_reduction += line.cap_reduction
        if line.kind == "earning" and line.period == period and line.base is not None:
            summary.measure = (summary.measure or Decimal(0)) + line.base
        if line.quota is not None:
            summary.quota = line.quota
    return [found[key] for key in sorted(found)]


def _fill_quotas(statement: Statement) -> None:
    """Components whose lines carry no quota (amount-based tiers): the rep's quota for the
    period named by the component's ``quota`` (else its measure), when there is one."""
    from attain.engine import parse_plan
    from attain.quotas.models import Quota

    missing = [c for c in statement.components if c.quota is None]
    if not missing:
        return
    names: dict[tuple[str, str], str] = {}
    for revision in statement.run.plan_revisions.select_related("document"):
        if revision.document.plan_id not in {c.plan_id for c in missing}:
            continue
        try:
            plan = parse_plan(revision.yaml, f"{revision.document.plan_id}.yaml")
        except Exception:  # noqa: BLE001 - a plan that no longer parses just shows no quota
            continue
        for component in plan.components:
            ref = getattr(component, "quota", None)
            names[(plan.id, component.id)] = ref.name if ref is not None else component.measure
    quotas = dict(
        Quota.objects.filter(rep=statement.rep, period=statement.period).values_list(
            "quota", "amount"
        )
    )
    for c in missing:
        name = names.get((c.plan_id, c.component_id))
        if name in quotas:
            c.quota = quotas[name]


def _plans(rep: Rep, period: str, lines: list[LedgerLine]) -> list[str]:
    from attain.plans.models import PlanAssignment

    names = {f"{line.plan_id} v{line.plan_version}" for line in lines if line.plan_id}
    if not names:
        try:
            window = parse_period(period)
        except Exception:  # noqa: BLE001 - a bad label just shows no plan
            return []
        last = window.end - dt.timedelta(days=1)
        names = set(
            PlanAssignment.objects.filter(in_force_on(last), rep=rep).values_list(
                "plan_id", flat=True
            )
        )
    return sorted(names)


CSV_COLUMNS = [
    "line_id",
    "run_id",
    "run_status",
    "rep_id",
    "rep",
    "pay_period",
    "period",
    "kind",
    "plan_id",
    "plan_version",
    "component_id",
    "event_date",
    "deal",
    "tier",
    "rate_kind",
    "rate",
    "base",
    "quota",
    "amount_before_cap",
    "cap_reduction",
    "amount",
    "currency",
    "corrects_line",
    "explanation",
]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def statement_csv(statement: Statement) -> str:
    """The statement's lines as CSV, decimals exactly as stored, with a total row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    run = statement.run
    for line in statement.lines:
        writer.writerow(
            [
                _text(v)
                for v in (
                    line.pk,
                    run.pk,
                    run.status,
                    statement.rep.external_id,
                    statement.rep.name,
                    line.pay_period,
                    line.period,
                    line.kind,
                    line.plan_id,
                    line.plan_version,
                    line.component_id,
                    line.event_date,
                    line.deal_ref,
                    line.tier,
                    line.rate_kind,
                    line.rate,
                    line.base,
                    line.quota,
                    line.amount_before_cap,
                    line.cap_reduction,
                    line.amount,
                    line.currency,
                    line.corrects_id,
                    line.explanation,
                )
            ]
        )
    total = [""] * len(CSV_COLUMNS)
    total[CSV_COLUMNS.index("kind")] = "net_pay"
    total[CSV_COLUMNS.index("amount")] = _text(statement.net_pay)
    total[CSV_COLUMNS.index("currency")] = statement.currency
    total[CSV_COLUMNS.index("pay_period")] = statement.period
    writer.writerow(total)
    return buffer.getvalue()


def describe_correction(line: LedgerLine) -> str:
    """'Corrects line #12 (earning, 2026-01, run 3)' for adjustment lines."""
    target = line.corrects
    if target is None:
        return ""
    return (
        f"Corrects line #{target.pk} ({target.get_kind_display().lower()}, "
        f"{target.period}, run {target.run_id})"
    )
