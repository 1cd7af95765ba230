"""Forecasts: what a rep, a team or the company will win in a month or a quarter.

Three figures side by side, each one explainable:

- **won**: deals won in the period so far, attributed to the owner, cancellations up to the
  day viewed left out (the home pages' rule: ``reports.selectors.won_between``);
- **weighted pipeline**: every open deal with a close date in the period, times the chance
  that a deal at its stage is won. The chance comes from closed deals of the last
  ``HISTORY_DAYS`` that reached the stage: the owner's own record, blended with the
  company's, which counts as ``PRIOR_DEALS`` deals — a rep with little history is forecast
  near the company's rate, one with a long record by their own;
- **calls**: the latest commit and best case the rep (for their own deals) or the manager
  (for the team) submitted.

Projection = won + weighted pipeline, against the revenue quota of the period's days
(``quotas.windows``). Amounts are in the organisation's currency (``DEFAULT_CURRENCY``):
a deal in another currency is converted at the app's exchange rates (sales.FxRate), and one
without a rate is counted and reported, never summed in. Weighted amounts are
exact products summed exactly; the total is rounded once, to the cent, half-even.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from attain.coaching.selectors import pipeline_stages
from attain.common import DEFAULT_CURRENCY
from attain.engine.errors import EngineError
from attain.engine.periods import parse_period, period_of
from attain.forecasts.models import ForecastCall
from attain.people.models import Rep, User
from attain.people.selectors import (
    managed_team_ids,
    subtree_rep_ids,
    visible_rep_ids,
    visible_reps_subquery,
)
from attain.quotas.models import Quota
from attain.quotas.windows import overlapping_labels, quota_totals
from attain.reports.selectors import won_between
from attain.sales.models import Deal, DealStageChange
from attain.sales.selectors import rates_into

HISTORY_DAYS = 365
PRIOR_DEALS = 10
QUOTA_NAME = "revenue"
ACCURACY_QUARTERS = 4
CENT = Decimal("0.01")
CHANCE = Decimal("0.0001")
ZERO = Decimal("0")
ANY_STAGE = -1  # an open deal at a stage outside the pipeline's list: the overall win rate


# -- periods -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastPeriod:
    label: str  # the engine's notation: 2026-11, 2026-Q4
    kind: str  # month | quarter
    start: dt.date
    end: dt.date  # the last day

    @property
    def title(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"

    @property
    def after_end(self) -> dt.date:
        return self.end + dt.timedelta(days=1)

    @property
    def midpoint(self) -> dt.date:
        """The day a call is judged on for accuracy: a call made by then is a forecast."""
        return self.start + dt.timedelta(days=(self.end - self.start).days // 2)

    def has_ended(self, day: dt.date) -> bool:
        return day > self.end

    def days_left(self, day: dt.date) -> int:
        return max((self.end - max(day, self.start)).days + 1, 0) if day <= self.end else 0


def _from_engine(period) -> ForecastPeriod:
    return ForecastPeriod(period.label, period.kind, period.start, period.end - dt.timedelta(1))


def forecast_period(label: str) -> ForecastPeriod:
    """The month (``2026-11``) or quarter (``2026-Q4``) ``label`` names; ValueError if none."""
    try:
        period = parse_period(label.strip())
    except EngineError:
        period = None
    if period is None or period.kind not in {"month", "quarter"}:
        raise ValueError(f"period {label!r}: give a month (2026-11) or a quarter (2026-Q4)")
    return _from_engine(period)


def current_period(day: dt.date, kind: str = "quarter") -> ForecastPeriod:
    return _from_engine(period_of(day, kind))


def period_choices(day: dt.date) -> list[ForecastPeriod]:
    """This quarter, this month, next month and next quarter: the periods worth a call."""
    quarter, month = current_period(day), current_period(day, "month")
    return [
        quarter,
        month,
        current_period(month.after_end, "month"),
        current_period(quarter.after_end),
    ]


# -- win chances by stage ----------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """Closed deals of the history window that reached a stage, and how many were won."""

    won: int = 0
    closed: int = 0

    @property
    def rate(self) -> Decimal | None:
        return Decimal(self.won) / self.closed if self.closed else None


@dataclass(frozen=True)
class StageChance:
    stage: str
    own: Record
    company: Record
    chance: Decimal | None  # 0..1, four places; None: no closed deal to learn from

    @property
    def explanation(self) -> str:
        if self.chance is None:
            return f"{self.stage}: no deal closed from this stage in the last 12 months"
        parts = [f"{self.stage}: won {_record_text(self.own)}"]
        if self.company.closed:
            parts.append(f"the company {_record_text(self.company)}")
        used = f"{_percent(self.chance)} used"
        if self.own.closed and self.company.closed:
            used += f" (own record blended with the company's as {PRIOR_DEALS} deals)"
        return f"{'; '.join(parts)}: {used}"


def _record_text(record: Record) -> str:
    if not record.closed:
        return "no closed deal"
    return f"{record.won} of {record.closed} ({_percent(record.rate)})"


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}%"


def blended_chance(own: Record, company: Record) -> Decimal | None:
    """The owner's win rate from a stage, pulled toward the company's by ``PRIOR_DEALS``
    deals' worth: (won + K × company rate) ÷ (closed + K)."""
    if company.closed == 0:
        rate = own.rate
    else:
        prior = Decimal(company.won) / company.closed
        rate = (own.won + PRIOR_DEALS * prior) / (own.closed + PRIOR_DEALS)
    return None if rate is None else rate.quantize(CHANCE, rounding=ROUND_HALF_EVEN)


def _stage_index() -> tuple[tuple[str, ...], dict[str, int]]:
    stages = pipeline_stages()
    return stages, {name.strip().lower(): i for i, name in enumerate(stages)}


def _closed_in_history(as_of: dt.date) -> QuerySet[Deal]:
    start = as_of - dt.timedelta(days=HISTORY_DAYS)
    return Deal.objects.filter(
        status__in=[Deal.Status.WON, Deal.Status.LOST], close_date__gt=start, close_date__lte=as_of
    )


def _won_q(as_of: dt.date, prefix: str = "") -> Q:
    """Won and not cancelled by ``as_of``: a deal cancelled after closing was not won."""
    return Q(**{f"{prefix}status": Deal.Status.WON}) & (
        Q(**{f"{prefix}cancellation_date__isnull": True})
        | Q(**{f"{prefix}cancellation_date__gt": as_of})
    )


def _records(closed: QuerySet[Deal], as_of: dt.date, by_owner: bool) -> dict:
    """{(owner id or None, stage index): Record}, with ANY_STAGE for every closed deal."""
    _, index = _stage_index()
    owner = ["deal__owner_id"] if by_owner else []
    changes = DealStageChange.objects.filter(deal__in=closed.values("id")).order_by()
    rows = changes.values(*owner, "stage").annotate(
        won=Count("deal_id", distinct=True, filter=_won_q(as_of, "deal__")),
        closed=Count("deal_id", distinct=True),
    )
    out: dict[tuple[int | None, int], Record] = defaultdict(Record)
    for row in rows:
        stage = index.get(row["stage"].strip().lower())
        if stage is not None:
            key = (row["deal__owner_id"] if by_owner else None, stage)
            out[key] = Record(out[key].won + row["won"], out[key].closed + row["closed"])
    counts = {"won": Count("id", filter=_won_q(as_of)), "closed": Count("id")}
    if by_owner:
        for row in closed.order_by().values("owner_id").annotate(**counts):
            out[(row["owner_id"], ANY_STAGE)] = Record(row["won"], row["closed"])
    else:
        row = closed.aggregate(**counts)
        out[(None, ANY_STAGE)] = Record(row["won"], row["closed"])
    return out


@dataclass
class Chances:
    """Win chances by stage for some owners, with the company's records behind them."""

    stages: tuple[str, ...]
    index: dict[str, int]
    own: dict[tuple[int, int], Record]
    company: dict[tuple[None, int], Record]

    def stage_of(self, stage_name: str) -> int:
        return self.index.get(stage_name.strip().lower(), ANY_STAGE)

    def for_stage(self, owner_id: int, stage: int) -> StageChance:
        name = "Any stage" if stage == ANY_STAGE else self.stages[stage]
        own = self.own.get((owner_id, stage), Record())
        company = self.company.get((None, stage), Record())
        return StageChance(name, own, company, blended_chance(own, company))

    def table(self, owner_id: int) -> list[StageChance]:
        return [self.for_stage(owner_id, i) for i in (*range(len(self.stages)), ANY_STAGE)]


def win_chances(owners: QuerySet[Rep] | Iterable[int], as_of: dt.date) -> Chances:
    """The records of ``owners`` (a rep queryset or ids) and of the company, by stage."""
    stages, index = _stage_index()
    closed = _closed_in_history(as_of)
    ids = owners.values("id") if isinstance(owners, QuerySet) else list(owners)
    return Chances(
        stages=stages,
        index=index,
        own=_records(closed.filter(owner_id__in=ids), as_of, by_owner=True),
        company=_records(closed, as_of, by_owner=False),
    )


# -- forecast rows -----------------------------------------------------------------------


@dataclass
class ForecastRow:
    """One rep's (or, as totals, many reps') figures for a period, in DEFAULT_CURRENCY."""

    rep: Rep | None
    quota: Decimal | None = None
    won: Decimal = ZERO
    won_deals: int = 0
    pipeline: Decimal = ZERO
    pipeline_deals: int = 0
    weighted_exact: Decimal = ZERO
    unrated_deals: int = 0  # open deals no closed deal says anything about (weighted 0)
    converted_deals: int = 0  # deals in another currency, converted at sales.FxRate
    unconverted_deals: int = 0  # deals in another currency without a rate: left out
    call: ForecastCall | None = None
    quota_days: int = 0  # days of the period a revenue quota covers
    period_days: int = 0
    partial_quotas: int = 0  # reps whose quota covers only part of the period (totals)

    @property
    def quota_partial(self) -> bool:
        return self.quota is not None and self.quota_days < self.period_days

    @property
    def weighted(self) -> Decimal:
        return self.weighted_exact.quantize(CENT, rounding=ROUND_HALF_EVEN)

    @property
    def projection(self) -> Decimal:
        return self.won + self.weighted

    @property
    def attainment(self) -> Decimal | None:
        return _share(self.won, self.quota)

    @property
    def projected_attainment(self) -> Decimal | None:
        return _share(self.projection, self.quota)

    @property
    def bar(self) -> tuple[int, int, int] | None:
        """Widths in % of the bar for won, weighted pipeline and the quota mark; the bar
        spans the larger of quota and projection."""
        scale = max(self.quota or ZERO, self.projection)
        if not scale:
            return None
        return tuple(int(part * 100 / scale) for part in (self.won, self.weighted, self.quota or 0))

    @property
    def gap(self) -> Decimal | None:
        """What the projection falls short of quota by (0 when it reaches it)."""
        return None if self.quota is None else max(self.quota - self.projection, ZERO)


def _share(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


def employed_in(reps: QuerySet[Rep], period: ForecastPeriod) -> QuerySet[Rep]:
    return reps.filter(
        Q(hire_date__isnull=True) | Q(hire_date__lte=period.end),
        Q(termination_date__isnull=True) | Q(termination_date__gte=period.start),
    )


def open_in_period(deals: QuerySet[Deal], period: ForecastPeriod) -> QuerySet[Deal]:
    """Open deals whose close date falls in the period (a date already past included: the
    deal is late, not lost, until someone closes it)."""
    return deals.filter(
        status=Deal.Status.OPEN, close_date__gte=period.start, close_date__lte=period.end
    )


def forecast_rows(
    reps: QuerySet[Rep],
    period: ForecastPeriod,
    as_of: dt.date,
    chances: Chances | None = None,
    calls_by: dt.datetime | None = None,
) -> list[ForecastRow]:
    """A row per rep of ``reps`` (in their order), with their latest own-deals call (made
    by ``calls_by``, if given)."""
    reps = list(reps)
    rows = {rep.id: ForecastRow(rep=rep) for rep in reps}
    ids = list(rows)
    for rep_id, quota in quota_totals(ids, QUOTA_NAME, period.start, period.after_end).items():
        rows[rep_id].quota = quota
    for rep_id, days in quota_days(ids, period).items():
        rows[rep_id].quota_days = days
    for row in rows.values():
        row.period_days = (period.end - period.start).days + 1
    deals = Deal.objects.filter(owner_id__in=ids, currency=DEFAULT_CURRENCY).order_by()
    won = won_between(deals, period.start, period.end, as_of)
    for row in won.values("owner_id").annotate(amount=Sum("amount"), n=Count("id")):
        rows[row["owner_id"]].won, rows[row["owner_id"]].won_deals = row["amount"], row["n"]
    chances = chances or win_chances(ids, as_of)
    pipeline = open_in_period(deals, period).values("owner_id", "stage")
    for group in pipeline.annotate(amount=Sum("amount"), n=Count("id")):
        _add_open(rows[group["owner_id"]], group["amount"], group["n"], group["stage"], chances)
    _add_other_currencies(rows, period, as_of, chances)
    for rep_id, call in latest_calls(ids, period, ForecastCall.Scope.OWN, by=calls_by).items():
        rows[rep_id].call = call
    return [rows[rep.id] for rep in reps]


def _add_open(row: ForecastRow, amount: Decimal, n: int, stage: str, chances: Chances) -> None:
    row.pipeline += amount
    row.pipeline_deals += n
    chance = chances.for_stage(row.rep.id, chances.stage_of(stage)).chance
    if chance is None:
        row.unrated_deals += n
    else:
        row.weighted_exact += amount * chance


def _add_other_currencies(
    rows: dict[int, ForecastRow], period: ForecastPeriod, as_of: dt.date, chances: Chances
) -> None:
    """Deals of the period in another currency than DEFAULT_CURRENCY, converted deal by
    deal at the exchange rates of the app (sales.FxRate, direct rates into
    DEFAULT_CURRENCY): a won deal at the rate of its close date, as a pay run converts it;
    an open deal at the rate of the day viewed. Without a rate a deal is counted and left
    out of the sums."""
    others = Deal.objects.filter(owner_id__in=list(rows)).exclude(currency=DEFAULT_CURRENCY)
    others = others.order_by()
    rates = rates_into(DEFAULT_CURRENCY)
    won = won_between(others, period.start, period.end, as_of)
    for owner, amount, currency, closed in won.values_list(
        "owner_id", "amount", "currency", "close_date"
    ):
        row, converted = rows[owner], rates.convert(amount, currency, closed)
        if converted is None:
            row.unconverted_deals += 1
            continue
        row.won += converted
        row.won_deals += 1
        row.converted_deals += 1
    for owner, amount, currency, stage in open_in_period(others, period).values_list(
        "owner_id", "amount", "currency", "stage"
    ):
        row, converted = rows[owner], rates.convert(amount, currency, as_of)
        if converted is None:
            row.unconverted_deals += 1
            continue
        _add_open(row, converted, 1, stage, chances)
        row.converted_deals += 1


def quota_days(rep_ids: list[int], period: ForecastPeriod) -> dict[int, int]:
    """Days of the period each rep's revenue quotas cover: quotas set month by month may
    not reach the period's end yet, and the forecast says so rather than compare a
    quarter's projection with two months of quota."""
    covered: dict[int, set[int]] = defaultdict(set)
    rows = Quota.objects.filter(
        rep_id__in=rep_ids,
        quota=QUOTA_NAME,
        period__in=overlapping_labels(period.start, period.after_end),
    ).values_list("rep_id", "period")
    windows = {}
    for rep_id, label in rows:
        window = windows.get(label) or windows.setdefault(label, parse_period(label))
        first = max(window.start, period.start)
        last = min(window.end, period.after_end)
        covered[rep_id].update(range(first.toordinal(), last.toordinal()))
    return {rep_id: len(days) for rep_id, days in covered.items()}


def total_of(rows: list[ForecastRow]) -> ForecastRow:
    total = ForecastRow(rep=None)
    total.period_days = rows[0].period_days if rows else 0
    total.quota_days = total.period_days
    total.partial_quotas = sum(1 for row in rows if row.quota_partial)
    quotas = [row.quota for row in rows if row.quota is not None]
    total.quota = sum(quotas, ZERO) if quotas else None
    for row in rows:
        total.won += row.won
        total.won_deals += row.won_deals
        total.pipeline += row.pipeline
        total.pipeline_deals += row.pipeline_deals
        total.weighted_exact += row.weighted_exact
        total.unrated_deals += row.unrated_deals
        total.converted_deals += row.converted_deals
        total.unconverted_deals += row.unconverted_deals
    return total


def calls_total(rows: list[ForecastRow]) -> tuple[Decimal, Decimal, int]:
    """Sum of the reps' latest commits and best cases, and how many reps have called."""
    calls = [row.call for row in rows if row.call is not None]
    commit = sum((c.commit for c in calls), ZERO)
    return commit, sum((c.best_case for c in calls), ZERO), len(calls)


# -- one rep's deals ---------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastDeal:
    deal: Deal
    chance: StageChance
    past_close_date: bool
    amount: Decimal | None  # in DEFAULT_CURRENCY; None: another currency without a rate
    rate: Decimal | None = None  # the exchange rate used, for a deal in another currency

    @property
    def converted(self) -> bool:
        return self.deal.currency != DEFAULT_CURRENCY

    @property
    def weighted(self) -> Decimal | None:
        if self.chance.chance is None or self.amount is None:
            return None
        return (self.amount * self.chance.chance).quantize(CENT, rounding=ROUND_HALF_EVEN)


def forecast_deals(
    rep: Rep, period: ForecastPeriod, as_of: dt.date, chances: Chances
) -> list[ForecastDeal]:
    """The rep's open deals closing in the period, soonest first, each with its chance and
    its amount in DEFAULT_CURRENCY (another currency at the rate of ``as_of``)."""
    rates = rates_into(DEFAULT_CURRENCY)
    deals = open_in_period(Deal.objects.filter(owner=rep), period).select_related("account")
    found = []
    for deal in deals.order_by("close_date", "-amount", "id"):
        found.append(
            ForecastDeal(
                deal=deal,
                chance=chances.for_stage(rep.id, chances.stage_of(deal.stage)),
                past_close_date=deal.close_date < as_of,
                amount=rates.convert(deal.amount, deal.currency, as_of),
                rate=None
                if deal.currency == DEFAULT_CURRENCY
                else rates.rate(deal.currency, as_of),
            )
        )
    return found


@dataclass(frozen=True)
class PipelineHygiene:
    """Open deals that will not show in any period's forecast as they stand."""

    slipped: int  # close date before this period's start, still open
    undated: int  # no close date at all


def pipeline_hygiene(rep: Rep, period: ForecastPeriod) -> PipelineHygiene:
    open_deals = Deal.objects.filter(owner=rep, status=Deal.Status.OPEN)
    return PipelineHygiene(
        slipped=open_deals.filter(close_date__lt=period.start).count(),
        undated=open_deals.filter(close_date__isnull=True).count(),
    )


# -- calls -------------------------------------------------------------------------------


def latest_calls(
    rep_ids: Iterable[int], period: ForecastPeriod, scope: str, by: dt.datetime | None = None
) -> dict[int, ForecastCall]:
    """Each rep's latest call for the period and scope (made by ``by``, if given)."""
    calls = ForecastCall.objects.filter(period=period.label, scope=scope, rep_id__in=list(rep_ids))
    if by is not None:
        calls = calls.filter(submitted_at__lte=by)
    latest: dict[int, ForecastCall] = {}
    for call in calls.order_by("rep_id", "submitted_at", "id"):
        latest[call.rep_id] = call
    return latest


def call_history(rep: Rep, period: ForecastPeriod, scope: str) -> QuerySet[ForecastCall]:
    return ForecastCall.objects.filter(rep=rep, period=period.label, scope=scope).select_related(
        "submitted_by"
    )


def team_calls(period: ForecastPeriod, manager_ids: Iterable[int]) -> list[ForecastCall]:
    """The latest team call of each of these managers, by name."""
    calls = latest_calls(manager_ids, period, ForecastCall.Scope.TEAM).values()
    return sorted(calls, key=lambda call: call.rep.name)


@dataclass(frozen=True)
class Accuracy:
    period: ForecastPeriod
    commit: Decimal | None  # the call as it stood at the period's midpoint
    won: Decimal

    @property
    def error(self) -> Decimal | None:
        """(won − commit) ÷ commit, in %: above 0 the period beat the call."""
        return None if not self.commit else _share(self.won - self.commit, self.commit)


def end_of(day: dt.date) -> dt.datetime:
    """The last moment of ``day``, in the current time zone: calls made by then count."""
    moment = dt.datetime.combine(day, dt.time.max)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def accuracy(rep: Rep, scope: str, as_of: dt.date) -> list[Accuracy]:
    """The last ``ACCURACY_QUARTERS`` quarters before this one, newest first: the commit
    standing at each quarter's midpoint against what was won (for a team call, by the reps
    of the team on that day)."""
    rows = []
    quarter = current_period(as_of)
    for _ in range(ACCURACY_QUARTERS):
        quarter = current_period(quarter.start - dt.timedelta(days=1))
        call = latest_calls([rep.id], quarter, scope, by=end_of(quarter.midpoint)).get(rep.id)
        owners = subtree_rep_ids(rep, quarter.midpoint) if scope == "team" else {rep.id}
        deals = Deal.objects.filter(owner_id__in=owners, currency=DEFAULT_CURRENCY)
        won = won_between(deals, quarter.start, quarter.end, as_of).aggregate(s=Sum("amount"))
        rows.append(Accuracy(quarter, call.commit if call else None, won["s"] or ZERO))
    return rows


# -- who sees and calls what -------------------------------------------------------------


def reps_in_scope(user: User, as_of: dt.date) -> QuerySet[Rep]:
    """The reps ``user`` may see, as a query over a subquery (a large team's ids are not
    written into the SQL: people.selectors.visible_reps_subquery)."""
    visible = visible_reps_subquery(user, as_of)
    return Rep.objects.all() if visible is None else Rep.objects.filter(id__in=visible)


def can_view(user: User, rep: Rep, as_of: dt.date) -> bool:
    visible = visible_rep_ids(user, as_of)
    return visible is None or rep.id in visible


def leads_a_team(rep: Rep, as_of: dt.date) -> bool:
    return bool(managed_team_ids(rep, as_of))


def may_call(user: User, rep: Rep, scope: str, as_of: dt.date) -> bool:
    """Only the rep calls their own deals, and only a manager calls for the team they lead:
    a call is a person's word, so nobody submits one for someone else."""
    if not user.is_authenticated or rep.user_id != user.id:
        return False
    if scope == ForecastCall.Scope.TEAM:
        return user.role == User.Role.MANAGER and leads_a_team(rep, as_of)
    return scope == ForecastCall.Scope.OWN


@dataclass
class TeamForecast:
    period: ForecastPeriod
    rows: list[ForecastRow]
    total: ForecastRow
    reps_commit: Decimal
    reps_best_case: Decimal
    reps_called: int
    other_currency: int  # deals of the period in another currency without a rate
    calls: list[ForecastCall] = field(default_factory=list)  # managers' team calls


def team_forecast(
    reps: QuerySet[Rep],
    period: ForecastPeriod,
    as_of: dt.date,
    calls_by: dt.datetime | None = None,
) -> TeamForecast:
    """The forecast of ``reps`` (those employed in the period), a row each and the total;
    the reps' calls are the latest made by ``calls_by``, if given."""
    reps = employed_in(reps, period).order_by("name", "id")
    rows = forecast_rows(reps, period, as_of, calls_by=calls_by)
    commit, best_case, called = calls_total(rows)
    rows_total = total_of(rows)
    return TeamForecast(
        period=period,
        rows=rows,
        total=rows_total,
        reps_commit=commit,
        reps_best_case=best_case,
        reps_called=called,
        other_currency=rows_total.unconverted_deals,
    )
