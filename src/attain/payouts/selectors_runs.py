"""Reads for the run pages, the payroll export and the commission expense report.

Runs, their ledger lines and the expense report are for admins (RevOps) and finance only;
everyone else gets 403 (``require_run_access``). Money is summed by the database over
``DecimalField`` columns and comes back as ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.urls import NoReverseMatch, reverse

from attain.engine.periods import parse_period
from attain.payouts import services
from attain.payouts.models import CalcRun, LedgerLine
from attain.people.models import Rep, TeamMembership

ZERO = Decimal("0.00")

# Line kinds grouped into the columns of the per-rep totals and the payroll file.
BUCKETS: list[tuple[str, str, tuple[str, ...]]] = [
    # Earnings as paid in the period: a plan paying on cash holds them back at booking and
    # releases them as the deal is invoiced or collected (docs/plans.md, "Pay on cash").
    ("commission", "Earnings", ("earning", "true_up", "floor", "hold", "release", "hold_reversal")),
    ("spiffs", "SPIFFs", ("spiff",)),
    ("clawbacks", "Clawbacks", ("clawback",)),
    ("adjustments", "Adjustments", ("reversal", "rebook", "manual")),
    ("draws", "Draws", ("draw", "draw_recovery")),
]
BUCKET_OF_KIND = {kind: key for key, _label, kinds in BUCKETS for kind in kinds}
CORRECTIONS_SHOWN = 500  # the run page lists at most this many adjustment lines


def can_view_runs(user) -> bool:
    return services.can_start_runs(user)


def require_run_access(user) -> None:
    if not can_view_runs(user):
        raise PermissionDenied("Calculation runs are for admins and finance.")


def runs(status: str = "", period: str = "") -> QuerySet[CalcRun]:
    found = CalcRun.objects.select_related("started_by", "approved_by", "paid_by").defer("inputs")
    if status:
        found = found.filter(status=status)
    if period:
        found = found.filter(period=period.strip())
    return found


def run_detail(pk: int) -> QuerySet[CalcRun]:
    return runs().filter(pk=pk)


@dataclass
class RepTotals:
    rep_id: int | None
    external_id: str
    name: str
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=dict)
    statement_url: str | None = None

    @property
    def net(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def columns(self) -> list[Decimal]:
        return [self.buckets.get(key, ZERO) for key, _label, _kinds in BUCKETS]


def statement_url(rep_id: int, period: str) -> str | None:
    """The rep's statement page for ``period``, if the statement pages are installed."""
    try:
        return reverse("payouts:statement", args=(rep_id, period))
    except NoReverseMatch:
        return None


def rep_totals(run: CalcRun) -> tuple[list[RepTotals], list[RepTotals]]:
    """Per rep (and currency): the run's lines summed per bucket, by rep name; and one
    totals row per currency."""
    sums = (
        LedgerLine.objects.filter(run=run)
        .order_by()
        .values("rep_id", "currency", "kind")
        .annotate(total=Sum("amount"))
    )
    rows: dict[tuple[int, str], RepTotals] = {}
    reps = {}
    for item in sums:
        rep_id, currency = item["rep_id"], item["currency"]
        row = rows.get((rep_id, currency))
        if row is None:
            reps.setdefault(rep_id, None)
            row = rows[(rep_id, currency)] = RepTotals(rep_id, "", "", currency)
        bucket = BUCKET_OF_KIND.get(item["kind"], "adjustments")
        row.buckets[bucket] = row.buckets.get(bucket, ZERO) + (item["total"] or ZERO)
    for rep in Rep.objects.filter(id__in=list(reps)).only("id", "name", "external_id"):
        reps[rep.id] = rep
    for (rep_id, _currency), row in rows.items():
        rep = reps.get(rep_id)
        row.name = rep.name if rep else f"Rep {rep_id}"
        row.external_id = rep.external_id if rep else ""
    ordered = sorted(rows.values(), key=lambda r: (r.name.lower(), r.external_id, r.currency))
    totals: dict[str, RepTotals] = {}
    for row in ordered:
        total = totals.setdefault(row.currency, RepTotals(None, "", "Total", row.currency))
        for key, amount in row.buckets.items():
            total.buckets[key] = total.buckets.get(key, ZERO) + amount
    return ordered, [totals[c] for c in sorted(totals)]


def corrections(run: CalcRun) -> QuerySet[LedgerLine]:
    """Reversal and rebook lines of the run (and clawbacks of closed earnings), with the
    line each corrects and that line's run."""
    return (
        LedgerLine.objects.filter(run=run, corrects__isnull=False)
        .select_related("rep", "corrects", "corrects__run")
        .order_by("rep__name", "period", "corrects_id", "id")
    )


def uncorrected_rebooks(run: CalcRun) -> QuerySet[LedgerLine]:
    """Rebook lines booked late for a closed period with nothing earlier to correct."""
    return LedgerLine.objects.filter(run=run, kind="rebook", corrects__isnull=True).select_related(
        "rep"
    )


def plan_revisions(run: CalcRun) -> list[dict]:
    revisions = []
    for revision in run.plan_revisions.select_related("document").order_by(
        "document__plan_id", "document__version", "number"
    ):
        document = revision.document
        try:
            url = reverse(
                "plans:revision", args=(document.plan_id, document.version, revision.number)
            )
        except NoReverseMatch:
            url = None
        revisions.append(
            {
                "plan_id": document.plan_id,
                "version": document.version,
                "number": revision.number,
                "sha256": revision.sha256,
                "url": url,
            }
        )
    return revisions


# --- commission expense -----------------------------------------------------------------

NO_TEAM = "No team"


@dataclass
class ExpenseRow:
    label: str
    currency: str
    region: str = ""
    by_period: dict[str, Decimal] = field(default_factory=dict)
    values: list[Decimal] = field(default_factory=list)  # per period, in the report's order

    @property
    def total(self) -> Decimal:
        return sum(self.by_period.values(), ZERO)

    def cells(self, periods: list[str]) -> list[Decimal]:
        return [self.by_period.get(p, ZERO) for p in periods]


@dataclass
class Expense:
    year: int
    periods: list[str]
    teams: list[ExpenseRow]
    regions: list[ExpenseRow]
    totals: list[ExpenseRow]
    chart: dict

    @property
    def empty(self) -> bool:
        return not self.totals


def _last_day(label: str) -> dt.date:
    return parse_period(label).end - dt.timedelta(days=1)


def _teams_on(rep_ids: set[int], days: set[dt.date]) -> dict[tuple[int, dt.date], object]:
    """The team each rep belongs to on each day: member rows before manager rows (as
    ``attain.people.selectors.team_of``), memberships loaded once."""
    memberships = defaultdict(list)
    for m in TeamMembership.objects.filter(rep_id__in=rep_ids).select_related("team"):
        memberships[m.rep_id].append(m)
    found = {}
    for rep_id in rep_ids:
        rows = sorted(
            memberships.get(rep_id, []),
            key=lambda m: (m.role != TeamMembership.Role.MEMBER, m.team.name, m.valid_from),
        )
        for day in days:
            found[(rep_id, day)] = next(
                (
                    m.team
                    for m in rows
                    if m.valid_from <= day and (m.valid_to is None or day < m.valid_to)
                ),
                None,
            )
    return found


def expense_years() -> list[int]:
    labels = (
        LedgerLine.objects.filter(run__status__in=CalcRun.CLOSED)
        .order_by()
        .values_list("pay_period", flat=True)
        .distinct()
    )
    return sorted({int(label[:4]) for label in labels if label[:4].isdigit()}, reverse=True)


def expense(year: int) -> Expense:
    """Commission expense for ``year``: the lines of approved and paid runs summed by the
    period they are paid in, per team and region of the rep's team on that period's last
    day, and per period."""
    sums = (
        LedgerLine.objects.filter(run__status__in=CalcRun.CLOSED, pay_period__startswith=str(year))
        .order_by()
        .values("rep_id", "pay_period", "currency")
        .annotate(total=Sum("amount"))
    )
    sums = [s for s in sums if parse_period(s["pay_period"]).start.year == year]
    periods = sorted({s["pay_period"] for s in sums}, key=lambda p: (parse_period(p).start, p))
    days = {p: _last_day(p) for p in periods}
    teams = _teams_on({s["rep_id"] for s in sums}, set(days.values()))
    by_team: dict[tuple[str, str], ExpenseRow] = {}
    by_region: dict[tuple[str, str], ExpenseRow] = {}
    by_currency: dict[str, ExpenseRow] = {}
    for s in sums:
        period, currency, amount = s["pay_period"], s["currency"], s["total"] or ZERO
        team = teams.get((s["rep_id"], days[period]))
        team_name = team.name if team else NO_TEAM
        region = (team.region if team else "") or "No region"
        rows = (
            by_team.setdefault(
                (team_name, currency),
                ExpenseRow(team_name, currency, region=team.region if team else ""),
            ),
            by_region.setdefault((region, currency), ExpenseRow(region, currency)),
            by_currency.setdefault(currency, ExpenseRow("Total", currency)),
        )
        for row in rows:
            row.by_period[period] = row.by_period.get(period, ZERO) + amount

    def ordered(rows: dict) -> list[ExpenseRow]:
        return [rows[k] for k in sorted(rows, key=lambda k: (k[0] in {NO_TEAM, "No region"}, k))]

    team_rows = ordered(by_team)
    for row in [*by_team.values(), *by_region.values(), *by_currency.values()]:
        row.values = row.cells(periods)
    return Expense(
        year=year,
        periods=periods,
        teams=team_rows,
        regions=ordered(by_region),
        totals=[by_currency[c] for c in sorted(by_currency)],
        chart=expense_chart(team_rows, periods),
    )


def expense_chart(rows: list[ExpenseRow], periods: list[str]) -> dict:
    """A stacked Plotly bar chart of expense per period, one trace per team (and currency).
    Floats are fine here: the chart only draws; the tables show the exact figures."""
    currencies = {row.currency for row in rows}
    palette = ["#2563eb", "#16a34a", "#f59e0b", "#db2777", "#7c3aed", "#0891b2", "#64748b"]
    data = [
        {
            "type": "bar",
            "name": row.label if len(currencies) == 1 else f"{row.label} ({row.currency})",
            "x": periods,
            "y": [float(v) for v in row.cells(periods)],
            "marker": {"color": palette[i % len(palette)]},
            "hovertemplate": "%{x}<br>"
            + row.currency
            + " %{y:,.2f}<extra>"
            + row.label
            + "</extra>",
        }
        for i, row in enumerate(rows)
    ]
    return {
        "data": data,
        "layout": {
            "height": 340,
            "barmode": "relative",
            "margin": {"l": 70, "r": 10, "t": 10, "b": 40},
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": {"tickformat": ",.0f", "automargin": True},
            "showlegend": True,
            "legend": {"orientation": "h"},
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": "system-ui, sans-serif", "size": 13},
        },
    }
