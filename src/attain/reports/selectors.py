"""The numbers on each role's home page.

Amounts are exact Decimals summed per currency (a company selling in two currencies gets
two figures, never a meaningless mixed sum). "Won" counts deals whose status is won, whose
close date falls in the period and that were not cancelled on or before the day viewed;
they are attributed to the deal owner. Win rate is won ÷ (won + lost) by number of deals
closed in the trailing 12 months, which stays meaningful early in a quarter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, QuerySet, Sum, When

from attain.common import DEFAULT_CURRENCY
from attain.imports.models import ImportRun
from attain.people.models import Rep, Team, TeamMembership
from attain.people.selectors import subtree_rep_ids, team_today_subquery
from attain.sales.models import Account, Activity, Credit, Deal, Product
from attain.territories.models import Territory

RECENT_DEALS = 10
RECENT_IMPORT_ERRORS = 5


def format_money(amount: Decimal, currency: str = DEFAULT_CURRENCY) -> str:
    return f"{currency} {amount:,.2f}"


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


@dataclass(frozen=True)
class Total:
    """A sum of deal amounts, one Money per currency, and how many deals went into it."""

    amounts: tuple[Money, ...] = ()
    count: int = 0

    def __str__(self) -> str:
        if not self.amounts:
            return format_money(Decimal("0"))
        return " + ".join(str(m) for m in self.amounts)

    def in_currency(self, currency: str = DEFAULT_CURRENCY) -> Decimal:
        return sum((m.amount for m in self.amounts if m.currency == currency), Decimal("0"))


def _totals_by(deals: QuerySet[Deal], key: str | None) -> dict[object, Total]:
    keys = ["currency"] if key is None else [key, "currency"]
    rows = deals.order_by().values(*keys).annotate(amount=Sum("amount"), n=Count("id"))
    amounts: dict[object, list[Money]] = defaultdict(list)
    counts: dict[object, int] = defaultdict(int)
    for row in rows:
        group = None if key is None else row[key]
        amounts[group].append(Money(row["amount"], row["currency"]))
        counts[group] += row["n"]
    return {
        group: Total(tuple(sorted(money, key=lambda m: m.currency)), counts[group])
        for group, money in amounts.items()
    }


def total_of(deals: QuerySet[Deal]) -> Total:
    return _totals_by(deals, None).get(None, Total())


@dataclass(frozen=True)
class Periods:
    today: dt.date
    month_start: dt.date
    month_end: dt.date
    quarter_start: dt.date
    quarter_end: dt.date
    trailing_start: dt.date

    @property
    def month_label(self) -> str:
        return self.month_start.strftime("%B %Y")

    @property
    def quarter_label(self) -> str:
        return f"Q{(self.quarter_start.month - 1) // 3 + 1} {self.quarter_start.year}"


def _month_end(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def periods_for(day: dt.date) -> Periods:
    quarter_month = (day.month - 1) // 3 * 3 + 1
    try:
        year_ago = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        year_ago = dt.date(day.year - 1, 2, 28)
    return Periods(
        today=day,
        month_start=day.replace(day=1),
        month_end=_month_end(day.year, day.month),
        quarter_start=dt.date(day.year, quarter_month, 1),
        quarter_end=_month_end(day.year, quarter_month + 2),
        trailing_start=year_ago + dt.timedelta(days=1),
    )


def won_between(deals: QuerySet[Deal], start: dt.date, end: dt.date, as_of: dt.date):
    """Won deals closed in [start, end], leaving out those cancelled by ``as_of``."""
    won = deals.filter(status=Deal.Status.WON, close_date__gte=start, close_date__lte=end)
    return won.exclude(cancellation_date__isnull=False, cancellation_date__lte=as_of)


def open_pipeline(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return deals.filter(status=Deal.Status.OPEN)


def win_rate(won: int, lost: int) -> Decimal | None:
    """Percentage with one decimal, or None when nothing closed."""
    if won + lost == 0:
        return None
    return (Decimal(won * 100) / Decimal(won + lost)).quantize(Decimal("0.1"))


def _closed_counts(deals: QuerySet[Deal], periods: Periods, key: str | None):
    closed = deals.filter(
        status__in=[Deal.Status.WON, Deal.Status.LOST],
        close_date__gte=periods.trailing_start,
        close_date__lte=periods.today,
    )
    keys = ["status"] if key is None else [key, "status"]
    counts: dict[object, dict[str, int]] = defaultdict(lambda: {"won": 0, "lost": 0})
    for row in closed.order_by().values(*keys).annotate(n=Count("id")):
        counts[None if key is None else row[key]][row["status"]] = row["n"]
    return counts


def recent_deals(deals: QuerySet[Deal], as_of: dt.date, limit: int = RECENT_DEALS) -> list[Deal]:
    """The deals with the latest event on or before ``as_of``: closing if they have
    closed, else being created (an open deal's expected close date is in the future)."""
    latest = Case(When(close_date__lte=as_of, then=F("close_date")), default=F("created_date"))
    recent = deals.select_related("account", "owner").order_by(latest.desc(), "-id")
    return list(recent[:limit])


# --- rep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepHome:
    periods: Periods
    won_month: Total
    won_quarter: Total
    pipeline: Total
    win_rate: Decimal | None
    recent_deals: list[Deal]
    has_deals: bool


def rep_home(rep: Rep, as_of: dt.date) -> RepHome:
    """A rep's own numbers: deals they own."""
    periods = periods_for(as_of)
    deals = Deal.objects.filter(owner=rep)
    closed = _closed_counts(deals, periods, None)[None]
    return RepHome(
        periods=periods,
        won_month=total_of(won_between(deals, periods.month_start, periods.month_end, as_of)),
        won_quarter=total_of(won_between(deals, periods.quarter_start, periods.quarter_end, as_of)),
        pipeline=total_of(open_pipeline(deals)),
        win_rate=win_rate(closed["won"], closed["lost"]),
        recent_deals=recent_deals(deals, as_of),
        has_deals=deals.exists(),
    )


# --- manager --------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    rep: Rep
    team_name: str | None
    won_quarter: Total
    pipeline: Total
    won_count: int
    lost_count: int
    win_rate: Decimal | None


@dataclass(frozen=True)
class TeamHome:
    periods: Periods
    rows: list[TeamRow]
    won_quarter: Total
    pipeline: Total
    win_rate: Decimal | None
    chart: dict = field(default_factory=dict)


def team_home(manager: Rep, as_of: dt.date) -> TeamHome:
    """One row per rep in the manager's subtree, by the hierarchy in force on ``as_of``."""
    periods = periods_for(as_of)
    rep_ids = subtree_rep_ids(manager, as_of)
    reps = Rep.objects.filter(id__in=rep_ids).annotate(team_name=team_today_subquery(as_of))
    deals = Deal.objects.filter(owner_id__in=rep_ids)
    won = won_between(deals, periods.quarter_start, periods.quarter_end, as_of)
    won_by_rep = _totals_by(won, "owner_id")
    pipeline_by_rep = _totals_by(open_pipeline(deals), "owner_id")
    closed_by_rep = _closed_counts(deals, periods, "owner_id")
    rows = []
    for rep in reps:
        closed = closed_by_rep[rep.id]
        rows.append(
            TeamRow(
                rep=rep,
                team_name=rep.team_name,
                won_quarter=won_by_rep.get(rep.id, Total()),
                pipeline=pipeline_by_rep.get(rep.id, Total()),
                won_count=closed["won"],
                lost_count=closed["lost"],
                win_rate=win_rate(closed["won"], closed["lost"]),
            )
        )
    rows.sort(key=lambda r: (-r.won_quarter.in_currency(), r.rep.name))
    all_closed = _closed_counts(deals, periods, None)[None]
    return TeamHome(
        periods=periods,
        rows=rows,
        won_quarter=total_of(won),
        pipeline=total_of(open_pipeline(deals)),
        win_rate=win_rate(all_closed["won"], all_closed["lost"]),
        chart=won_chart(rows, periods),
    )


# Bars in the won-per-rep chart: the reps who won most (rows come sorted so); past a few
# dozen bars a chart is a smear, and a vice president's team has thousands of reps.
CHART_REPS = 30


def won_chart(rows: list[TeamRow], periods: Periods) -> dict:
    """A Plotly bar chart figure (plain JSON-able dict) of won per rep, one trace per
    currency, for the first ``CHART_REPS`` rows. Floats are fine here: the chart only draws;
    the table shows exact figures."""
    rows = rows[:CHART_REPS]
    currencies = sorted({m.currency for r in rows for m in r.won_quarter.amounts}) or [
        DEFAULT_CURRENCY
    ]
    names = [r.rep.name for r in rows]
    data = [
        {
            "type": "bar",
            "name": currency,
            "x": names,
            "y": [float(r.won_quarter.in_currency(currency)) for r in rows],
            "marker": {"color": "#2563eb"},
            "hovertemplate": "%{x}<br>" + currency + " %{y:,.2f}<extra></extra>",
        }
        for currency in currencies
    ]
    return {
        "data": data,
        "layout": {
            "height": 340,
            "margin": {"l": 60, "r": 10, "t": 10, "b": 40},
            "xaxis": {"automargin": True},
            "yaxis": {"tickformat": ",.0f", "rangemode": "tozero", "automargin": True},
            "showlegend": len(currencies) > 1,
            "barmode": "group",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "font": {"family": "system-ui, sans-serif", "size": 13},
        },
    }


# --- admin ----------------------------------------------------------------------------


ERRORS_SHOWN_PER_RUN = 10


@dataclass(frozen=True)
class FailedImport:
    run: ImportRun
    errors: list[dict[str, object]]  # row, column, value, reason; the first few only
    more: int


def _error_rows(errors: object) -> list[dict[str, object]]:
    """ImportRun.errors as rows of row/column/value/reason, whatever shape was stored."""
    rows = []
    for error in errors if isinstance(errors, list) else [errors]:
        if isinstance(error, dict):
            rows.append(
                {
                    "row": error.get("row"),
                    "column": error.get("column"),
                    "value": error.get("value"),
                    "reason": error.get("reason") or error.get("message") or "",
                }
            )
        else:
            rows.append({"row": None, "column": None, "value": None, "reason": str(error)})
    return rows


@dataclass(frozen=True)
class DataHealth:
    counts: list[tuple[str, int]]
    last_import: ImportRun | None
    recent_failures: list[FailedImport]

    @property
    def is_empty(self) -> bool:
        return all(n == 0 for _, n in self.counts)


def data_health() -> DataHealth:
    counts = [
        ("Reps", Rep.objects.count()),
        ("Teams", Team.objects.count()),
        ("Team memberships", TeamMembership.objects.count()),
        ("Territories", Territory.objects.count()),
        ("Accounts", Account.objects.count()),
        ("Products", Product.objects.count()),
        ("Deals", Deal.objects.count()),
        ("Credits", Credit.objects.count()),
        ("Activities", Activity.objects.count()),
    ]
    failures = ImportRun.objects.filter(status=ImportRun.Status.REJECTED).select_related("user")
    return DataHealth(
        counts=counts,
        last_import=ImportRun.objects.select_related("user").first(),
        recent_failures=[
            FailedImport(
                run=run,
                errors=_error_rows(run.errors)[:ERRORS_SHOWN_PER_RUN],
                more=max(0, len(_error_rows(run.errors)) - ERRORS_SHOWN_PER_RUN),
            )
            for run in failures[:RECENT_IMPORT_ERRORS]
        ],
    )


# --- finance --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionRow:
    region: str
    won_quarter: Total
    pipeline: Total


@dataclass(frozen=True)
class CompanyHome:
    periods: Periods
    won_month: Total
    won_quarter: Total
    pipeline: Total
    win_rate: Decimal | None
    counts: list[tuple[str, int]]
    regions: list[RegionRow]

    @property
    def has_deals(self) -> bool:
        return dict(self.counts)["Deals"] > 0


def company_home(as_of: dt.date) -> CompanyHome:
    periods = periods_for(as_of)
    deals = Deal.objects.all()
    won_quarter = won_between(deals, periods.quarter_start, periods.quarter_end, as_of)
    won_by_region = _totals_by(won_quarter, "account__region")
    pipeline_by_region = _totals_by(open_pipeline(deals), "account__region")
    regions = sorted(set(won_by_region) | set(pipeline_by_region), key=lambda r: r or "")
    closed = _closed_counts(deals, periods, None)[None]
    return CompanyHome(
        periods=periods,
        won_month=total_of(won_between(deals, periods.month_start, periods.month_end, as_of)),
        won_quarter=total_of(won_quarter),
        pipeline=total_of(open_pipeline(deals)),
        win_rate=win_rate(closed["won"], closed["lost"]),
        counts=[
            ("Reps", Rep.objects.count()),
            ("Accounts", Account.objects.count()),
            ("Deals", deals.count()),
            ("Open deals", open_pipeline(deals).count()),
            ("Credits", Credit.objects.count()),
        ],
        regions=[
            RegionRow(
                region=region or "(no region)",
                won_quarter=won_by_region.get(region, Total()),
                pipeline=pipeline_by_region.get(region, Total()),
            )
            for region in regions
        ],
    )


def won_in_quarter_by_rep(rep_ids: list[int], as_of: dt.date) -> dict[int, Total]:
    """Won this quarter per deal owner, for the given reps (missing reps won nothing)."""
    periods = periods_for(as_of)
    deals = Deal.objects.filter(owner_id__in=rep_ids)
    won = won_between(deals, periods.quarter_start, periods.quarter_end, as_of)
    by_rep = _totals_by(won, "owner_id")
    return {rep_id: by_rep.get(rep_id, Total()) for rep_id in rep_ids}
