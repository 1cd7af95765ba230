"""Reads for coaching: insights per rep, coaching opportunities, and who may see what.

Visibility (see docs/coaching.md):
- sessions, notes, action items, call reviews, role-play and skill ratings of a rep: the rep,
  any manager whose subtree contains the rep on the date viewed, and admins (for support);
  not peers, not another manager, not finance;
- a personal goal: the rep and their direct manager(s) on the date viewed only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from statistics import median
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.urls import reverse

from attain.coaching import metrics
from attain.coaching.models import (
    ActionItem,
    CoachingSession,
    PersonalGoal,
    RolePlayAssignment,
    RolePlayScenario,
    Skill,
    SkillRating,
    TrainingSession,
)
from attain.common import DEFAULT_CURRENCY, in_force_on
from attain.people import selectors as people
from attain.people.models import Rep, Team, TeamMembership, User
from attain.quotas.windows import quota_totals
from attain.sales.models import Activity, Deal, DealLine, DealStageChange

DAYS_PER_QUARTER = Decimal("91.3125")  # 365.25 / 4
HIGH_ACTIVITY = 1.25  # × team median activity count
LOW_ACTIVITY = 0.6
WHOLE = Decimal("1")
MONEY = DecimalField(max_digits=30, decimal_places=4)

# --- periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str  # "" for the trailing 12 months, else "2026Q1"
    label: str
    start: dt.date
    end: dt.date  # inclusive; never after the day viewed

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def quarters(self) -> Decimal:
        """Length in quarters (a quarter in progress counts for the part elapsed)."""
        return Decimal(self.days) / DAYS_PER_QUARTER


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarter_key(start: dt.date) -> str:
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def _next_quarter(start: dt.date) -> dt.date:
    return dt.date(start.year + (start.month > 9), (start.month + 2) % 12 + 1, 1)


def period_choices(as_of: dt.date, quarters: int = 8) -> list[tuple[str, str]]:
    choices = [("", "Trailing 12 months")]
    start = _quarter_start(as_of)
    for _ in range(quarters):
        key = _quarter_key(start)
        to_date = " (to date)" if start <= as_of < _next_quarter(start) else ""
        choices.append((key, key.replace("Q", " Q") + to_date))
        start = _quarter_start(start - dt.timedelta(days=1))
    return choices


def period_for(key: str, as_of: dt.date) -> Period:
    """``""`` (or anything unrecognised) → the trailing 12 months ending ``as_of``;
    ``"2026Q1"`` → that quarter, cut at ``as_of`` if still in progress."""
    key = (key or "").strip().upper()
    if len(key) == 6 and key[4] == "Q" and key[:4].isdigit() and key[5] in "1234":
        start = dt.date(int(key[:4]), (int(key[5]) - 1) * 3 + 1, 1)
        if start <= as_of:
            end = min(_next_quarter(start) - dt.timedelta(days=1), as_of)
            return Period(key, f"{key[:4]} {key[4:]}", start, end)
    try:
        year_ago = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        year_ago = dt.date(as_of.year - 1, 2, 28)
    return Period("", "Trailing 12 months", year_ago + dt.timedelta(days=1), as_of)


# --- who may see what ------------------------------------------------------------------


def coaching_rep_ids(user: User, as_of: dt.date) -> set[int] | None:
    """Reps whose coaching records ``user`` may see; None means all (admins)."""
    if not user.is_authenticated or people.role_of(user) == User.Role.FINANCE:
        return set()
    return people.visible_rep_ids(user, as_of)


def can_see_coaching(user: User, rep: Rep, as_of: dt.date) -> bool:
    ids = coaching_rep_ids(user, as_of)
    return ids is None or rep.id in ids


def can_coach(user: User, rep: Rep, as_of: dt.date) -> bool:
    """Managers whose subtree holds the rep on ``as_of`` schedule, write notes and rate."""
    if not user.is_authenticated or people.role_of(user) != User.Role.MANAGER:
        return False
    me = people.rep_for_user(user)
    return me is not None and me.id != rep.id and rep.id in people.subtree_rep_ids(me, as_of)


def direct_manager_ids(rep: Rep, as_of: dt.date) -> set[int]:
    """The nearest managers above the rep on ``as_of``: the managers of the rep's own team,
    or of the closest team above it that has one (a team may have no manager of its own).
    For a rep who only leads teams, the search starts at those teams' parents."""
    live = TeamMembership.objects.filter(in_force_on(as_of))
    parent_of = dict(Team.objects.values_list("id", "parent_id"))
    member_of = live.filter(rep=rep, role=TeamMembership.Role.MEMBER)
    starts = set(member_of.values_list("team_id", flat=True))
    if not starts:
        led = live.filter(rep=rep, role=TeamMembership.Role.MANAGER)
        starts = {parent_of.get(t) for t in led.values_list("team_id", flat=True)} - {None}
    managers = live.filter(role=TeamMembership.Role.MANAGER).exclude(rep=rep)
    by_team: dict[int, set[int]] = defaultdict(set)
    for team_id, rep_id in managers.values_list("team_id", "rep_id"):
        by_team[team_id].add(rep_id)
    found: set[int] = set()
    for team_id in starts:
        seen: set[int] = set()
        while team_id is not None and team_id not in seen and not by_team.get(team_id):
            seen.add(team_id)
            team_id = parent_of.get(team_id)
        if team_id is not None:
            found |= by_team.get(team_id, set())
    return found


def can_see_goal(user: User, rep: Rep, as_of: dt.date) -> bool:
    me = people.rep_for_user(user)
    if me is None:
        return False
    if me.id == rep.id:
        return True
    return people.role_of(user) == User.Role.MANAGER and me.id in direct_manager_ids(rep, as_of)


def sessions_visible_to(user: User, as_of: dt.date) -> QuerySet[CoachingSession]:
    sessions = CoachingSession.objects.select_related("manager", "rep")
    ids = coaching_rep_ids(user, as_of)
    return sessions if ids is None else sessions.filter(rep_id__in=ids)


def items_visible_to(user: User, as_of: dt.date) -> QuerySet[ActionItem]:
    items = ActionItem.objects.select_related("owner", "session__rep", "session__manager")
    ids = coaching_rep_ids(user, as_of)
    return items if ids is None else items.filter(session__rep_id__in=ids)


def open_items_for(rep: Rep) -> QuerySet[ActionItem]:
    """Open action items from the rep's sessions (whoever owns them)."""
    return ActionItem.objects.filter(session__rep=rep, done=False).select_related("owner")


def agenda_items(session: CoachingSession) -> list[ActionItem]:
    """Items raised in this session or carried into it, raised first."""
    items = {i.id: i for i in session.agenda_items.select_related("owner", "session")}
    for item in session.raised_items.select_related("owner", "session"):
        items[item.id] = item
    return sorted(items.values(), key=lambda i: (i.session_id != session.id, i.done, i.id))


def current_goal(rep: Rep) -> PersonalGoal | None:
    return rep.personal_goals.order_by("-updated_at", "-id").first()


# --- insights --------------------------------------------------------------------------


@dataclass
class RepMetrics:
    """One rep's raw figures for a period. Money is in DEFAULT_CURRENCY deals only."""

    rep: Rep
    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal("0")
    won_sizes: list[Decimal] = field(default_factory=list)
    won_margin: Decimal = Decimal("0")
    won_amount_with_margin: Decimal = Decimal("0")
    cycle_days: list[int] = field(default_factory=list)
    pipeline: Decimal = Decimal("0")
    pipeline_count: int = 0
    open_stages: dict[str, int] = field(default_factory=dict)
    activities: dict[str, int] = field(default_factory=dict)
    line_revenue: Decimal = Decimal("0")  # won deal lines at the price sold
    line_list_value: Decimal = Decimal("0")  # the same lines at list price

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        return self.won / self.closed if self.closed else None

    @property
    def avg_won(self) -> Decimal | None:
        if not self.won_sizes:
            return None
        return (sum(self.won_sizes) / len(self.won_sizes)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def median_cycle(self) -> float | None:
        return metrics.median_days(self.cycle_days)

    @property
    def activity_total(self) -> int:
        return sum(self.activities.values())

    @property
    def activities_per_won(self) -> float | None:
        return self.activity_total / self.won if self.won else None

    @property
    def discount_pct(self) -> float | None:
        """Discount off list price on won deals' lines: 1 − sold ÷ list, in percent."""
        if not self.line_list_value:
            return None
        return float((1 - self.line_revenue / self.line_list_value) * 100)

    @property
    def margin_pct(self) -> float | None:
        if not self.won_amount_with_margin:
            return None
        return float(self.won_margin * 100 / self.won_amount_with_margin)


def rep_metrics(reps: list[Rep], period: Period, as_of: dt.date) -> dict[int, RepMetrics]:
    """Raw figures per rep (deal owner) for the period; a won deal cancelled by ``as_of``
    counts neither as won nor as lost."""
    out = {rep.id: RepMetrics(rep) for rep in reps}
    ids = list(out)
    closed = Deal.objects.filter(
        owner_id__in=ids,
        status__in=[Deal.Status.WON, Deal.Status.LOST],
        close_date__gte=period.start,
        close_date__lte=period.end,
    ).exclude(status=Deal.Status.WON, cancellation_date__isnull=False, cancellation_date__lte=as_of)
    fields = ("owner_id", "status", "amount", "margin", "currency", "created_date", "close_date")
    for owner, status, amount, margin, currency, created, closed_on in closed.values_list(*fields):
        m = out[owner]
        if status == Deal.Status.LOST:
            m.lost += 1
            continue
        m.won += 1
        m.cycle_days.append((closed_on - created).days)
        if currency != DEFAULT_CURRENCY:
            continue
        m.won_amount += amount
        m.won_sizes.append(amount)
        if margin is not None:
            m.won_margin += margin
            m.won_amount_with_margin += amount
    won_lines = DealLine.objects.filter(
        deal__in=closed.filter(status=Deal.Status.WON, currency=DEFAULT_CURRENCY),
        product__currency=DEFAULT_CURRENCY,
    )
    sold = ExpressionWrapper(F("quantity") * F("unit_price"), output_field=MONEY)
    listed = ExpressionWrapper(F("quantity") * F("product__list_price"), output_field=MONEY)
    line_totals = (
        won_lines.order_by()
        .values("deal__owner_id")
        .annotate(sold=Sum(sold), listed=Sum(listed))
        .values_list("deal__owner_id", "sold", "listed")
    )
    for owner, sold_total, list_total in line_totals:
        out[owner].line_revenue = sold_total or Decimal("0")
        out[owner].line_list_value = list_total or Decimal("0")
    open_deals = Deal.objects.filter(owner_id__in=ids, status=Deal.Status.OPEN)
    open_fields = ("owner_id", "amount", "currency", "stage")
    for owner, amount, currency, stage in open_deals.values_list(*open_fields):
        m = out[owner]
        m.pipeline_count += 1
        m.open_stages[stage or "—"] = m.open_stages.get(stage or "—", 0) + 1
        if currency == DEFAULT_CURRENCY:
            m.pipeline += amount
    acts = Activity.objects.filter(rep_id__in=ids, date__gte=period.start, date__lte=period.end)
    for rep_id, kind, n in acts.order_by().values_list("rep_id", "kind").annotate(n=Count("id")):
        out[rep_id].activities[kind] = n
    return out


@dataclass
class RepInsight:
    metrics: RepMetrics
    win: metrics.RateEstimate
    size: metrics.LogEstimate | None
    cycle: metrics.LogEstimate | None
    coverage: float | None
    flags: dict[str, str] = field(default_factory=dict)  # metric → "below"/"above"
    patterns: list[str] = field(default_factory=list)
    quota: Decimal | None = None  # revenue quota for the whole period
    coverage_basis: str = "team"  # "quota": pipeline ÷ remaining quota; "met"; "team"
    stages: list[StageInsight] = field(default_factory=list)  # one per stage pair

    @property
    def attainment(self) -> float | None:
        if not self.quota:
            return None
        return float(self.metrics.won_amount * 100 / self.quota)

    @property
    def remaining_quota(self) -> Decimal | None:
        if self.quota is None:
            return None
        return max(self.quota - self.metrics.won_amount, Decimal("0"))

    @property
    def rep(self) -> Rep:
        return self.metrics.rep

    @property
    def stage_history(self) -> bool:
        """Whether any of the rep's deals entered a pipeline stage in the period."""
        return any(stage.entered for stage in self.stages)

    @property
    def cycle_explained(self) -> bool:
        """A credibly long cycle on credibly bigger deals: expected, not a weakness."""
        return self.flags["cycle"] == "above" and self.flags["size"] == "above"

    @property
    def cycle_verdict(self) -> str:
        return "" if self.cycle_explained else self.flags["cycle"]


@dataclass
class TeamMedians:
    win_rate: float | None
    size: float | None  # median of reps' geometric-mean won deal size
    avg_won: Decimal | None  # median of reps' average won deal size
    cycle: float | None  # median of reps' geometric-mean cycle, days
    activity: float | None
    won_per_quarter: Decimal | None
    # Per stage pair (in pipeline order): median shrunk conversion, median days to move on.
    stage_conversion: list[float | None] = field(default_factory=list)
    stage_days: list[float | None] = field(default_factory=list)


@dataclass
class TeamInsights:
    period: Period
    as_of: dt.date
    prior: metrics.BetaPrior
    medians: TeamMedians
    rows: list[RepInsight]

    def for_rep(self, rep_id: int) -> RepInsight | None:
        return next((r for r in self.rows if r.rep.id == rep_id), None)


def _decimal_median(values: list[Decimal]) -> Decimal | None:
    return median(values) if values else None


def period_end(period: Period) -> dt.date:
    """First day after the whole period: a quarter in progress counts in full for quotas."""
    if period.key:
        start = _quarter_start(period.start)
        return dt.date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return period.end + dt.timedelta(days=1)


def team_insights(reps: list[Rep], period: Period, as_of: dt.date) -> TeamInsights:
    """Every rep compared with the group ``reps`` (a manager's subtree, a rep's team)."""
    raw = rep_metrics(reps, period, as_of)
    prior = metrics.fit_beta_prior([(m.won, m.closed) for m in raw.values()])
    wins = {i: metrics.shrink_rate(m.won, m.closed, prior) for i, m in raw.items()}
    sizes = {i: metrics.log_estimate([float(x) for x in m.won_sizes]) for i, m in raw.items()}
    cycles = {i: metrics.log_estimate([max(d, 1) for d in m.cycle_days]) for i, m in raw.items()}
    active = [m for m in raw.values() if m.closed or m.activity_total or m.pipeline_count]
    won_per_q = {i: m.won_amount / period.quarters for i, m in raw.items()}
    medians = TeamMedians(
        win_rate=metrics.team_median([wins[m.rep.id].shrunk for m in active if m.closed]),
        size=metrics.team_median([sizes[m.rep.id].centre for m in active if sizes[m.rep.id]]),
        avg_won=_decimal_median([m.avg_won for m in active if m.avg_won is not None]),
        cycle=metrics.team_median([cycles[m.rep.id].centre for m in active if cycles[m.rep.id]]),
        activity=metrics.team_median([float(m.activity_total) for m in active]),
        won_per_quarter=_decimal_median([won_per_q[m.rep.id] for m in active if m.closed]),
    )
    quotas = quota_totals(raw, "revenue", period.start, period_end(period))
    stage_names = pipeline_stages()
    stage_counts = stage_conversion_counts(list(raw), period, stage_names)
    stage_rows = compare_stages(stage_counts, stage_names, [m.rep.id for m in active])
    medians.stage_conversion = stage_rows.conversion_medians
    medians.stage_days = stage_rows.days_medians
    rows = []
    for rep_id, m in raw.items():
        if not (m.closed or m.activity_total or m.pipeline_count):
            continue  # nothing to go on in this period (left, on leave, a manager)
        win, size, cycle = wins[rep_id], sizes[rep_id], cycles[rep_id]
        coverage, basis, quota = None, "team", quotas.get(rep_id)
        if quota:
            remaining = quota - m.won_amount
            basis = "quota" if remaining > 0 else "met"
            coverage = float(m.pipeline / remaining) if remaining > 0 else None
        elif medians.won_per_quarter:
            coverage = float(m.pipeline / medians.won_per_quarter)
        flags = {
            "win_rate": (
                metrics.gap_direction(win.low, win.high, medians.win_rate) if m.closed else ""
            ),
            "size": _material_gap(size, medians.size),
            "cycle": _material_gap(cycle, medians.cycle),
        }
        row = RepInsight(m, win, size, cycle, coverage, flags, quota=quota, coverage_basis=basis)
        row.stages = stage_rows.by_rep.get(rep_id, [])
        row.patterns = patterns_for(row, medians)
        rows.append(row)
    rows.sort(key=lambda r: r.rep.name)
    return TeamInsights(period, as_of, prior, medians, rows)


def _material_gap(estimate: metrics.LogEstimate | None, team: float | None) -> str:
    if estimate is None:
        return ""
    return metrics.gap_direction(estimate.low, estimate.high, team, metrics.MATERIAL_RATIO)


def patterns_for(row: RepInsight, medians: TeamMedians) -> list[str]:
    """Plain-words patterns, only from flagged (credible) gaps and activity volume."""
    found = []
    busy = medians.activity and row.metrics.activity_total >= HIGH_ACTIVITY * medians.activity
    quiet = medians.activity and row.metrics.activity_total <= LOW_ACTIVITY * medians.activity
    if row.flags["win_rate"] == "below":
        found.append("High activity, low conversion" if busy else "Low conversion")
    if row.flags["size"] == "below":
        found.append("Wins small deals only")
    # Bigger deals take longer: a long cycle on credibly bigger deals is not a weakness.
    if row.flags["cycle"] == "above" and not row.cycle_explained:
        found.append("Long cycles")
    if quiet and row.metrics.closed and row.flags["win_rate"] != "below":
        found.append("Low activity")
    for stage in row.stages:
        if stage.flag == "below":
            found.append(f"Stalls at {stage.stage}")
    # A long stay in a stage: the one stage that lags the team most (deals of a rep with
    # long cycles are slower at every stage; name where it is worst, once), and not when
    # the long cycle comes with credibly bigger deals.
    slow = [s for s in row.stages if s.days_flag == "above" and s.days and s.team_days]
    if slow and not row.cycle_explained:
        worst = max(slow, key=lambda s: s.days.centre / s.team_days)
        found.append(f"Long cycles at the {worst.stage} stage")
    return found


# --- stage-to-stage conversion -----------------------------------------------------------

# The pipeline's open stages in their typical order (the demo's stage names, which are
# Salesforce's defaults); ATTAIN_PIPELINE_STAGES in the settings overrides it. Stage names
# match case-insensitively. Closed Won / Closed Lost are not in it: a won deal has passed
# every stage, a lost one stopped where it was.
DEFAULT_PIPELINE_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
WON_LABEL = "Won"


def pipeline_stages() -> tuple[str, ...]:
    return tuple(getattr(settings, "ATTAIN_PIPELINE_STAGES", DEFAULT_PIPELINE_STAGES))


@dataclass
class StageCounts:
    """One rep's deals that entered ``stage`` in the period."""

    entered: int = 0
    known: int = 0  # of those, moved on or closed: the outcome is known
    converted: int = 0  # of those, reached the next stage (or a later one) or were won
    days: list[int] = field(default_factory=list)  # entering → moving on, converted deals


def stage_conversion_counts(
    rep_ids: list[int], period: Period, stages: tuple[str, ...]
) -> dict[int, list[StageCounts]]:
    """Per rep (deal owner), per open stage of ``stages``: of the deals that entered the
    stage in the period (first entry in the period), how many moved on — entered a later
    stage of the order on or after that day (skipped stages count as passed), or were won —
    and how many are known (moved on, or closed). A deal still open at the stage is not
    known yet and counts in ``entered`` only. The last stage's next step is being won."""
    index = {name.lower(): i for i, name in enumerate(stages)}
    out = {rep_id: [StageCounts() for _ in stages] for rep_id in rep_ids}
    if not stages or not rep_ids:
        return out
    entered = DealStageChange.objects.filter(
        deal__owner_id__in=rep_ids, entered_on__gte=period.start, entered_on__lte=period.end
    )
    # One read of the whole history of those deals with each deal's owner and outcome,
    # grouped by deal (a stage label is matched once per distinct spelling).
    rows = (
        DealStageChange.objects.filter(deal_id__in=entered.values("deal_id"))
        .order_by("deal_id")
        .values_list(
            "deal_id", "stage", "entered_on", "deal__owner_id", "deal__status", "deal__close_date"
        )
    )
    stage_of: dict[str, int | None] = {}
    for _, group in itertools.groupby(rows.iterator(chunk_size=20_000), key=itemgetter(0)):
        group = list(group)
        _, _, _, owner_id, status, close_date = group[0]
        entries = []
        for _, stage, day, *_ in group:
            if stage not in stage_of:
                stage_of[stage] = index.get(stage.strip().lower())
            if stage_of[stage] is not None:
                entries.append((stage_of[stage], day))
        if entries:
            _count_deal(out[owner_id], sorted(entries, key=lambda e: (e[1], e[0])), period,
                        status, close_date)  # fmt: skip
    return out


def _count_deal(counts: list[StageCounts], entries, period: Period, status, close_date) -> None:
    """One deal's part in its owner's counts: ``entries`` are its (stage index, day) in
    time order (see ``stage_conversion_counts``)."""
    seen: set[int] = set()
    for i, day in entries:
        if i in seen or not period.start <= day <= period.end:
            continue
        seen.add(i)
        stage = counts[i]
        stage.entered += 1
        later = [d for j, d in entries if j > i and d >= day]
        if later:
            moved_on = min(later)
        elif status == Deal.Status.WON:
            moved_on = close_date or day
        else:
            moved_on = None
        if moved_on is not None:
            stage.converted += 1
            stage.known += 1
            stage.days.append((moved_on - day).days)
        elif status == Deal.Status.LOST:
            stage.known += 1


@dataclass
class StageInsight:
    stage: str
    next_stage: str
    entered: int
    known: int
    converted: int
    estimate: metrics.RateEstimate | None  # None when no outcome is known
    flag: str  # "below" / "above" the team median, or ""
    days: metrics.LogEstimate | None  # days to move on, converted deals
    days_flag: str  # "above": credibly and materially slower than the team
    team_rate: float | None = None  # team median shrunk conversion at this stage
    team_days: float | None = None  # team median typical days to move on

    @property
    def raw(self) -> float | None:
        return self.converted / self.known if self.known else None


@dataclass
class StageComparison:
    by_rep: dict[int, list[StageInsight]]
    conversion_medians: list[float | None]
    days_medians: list[float | None]


def compare_stages(
    counts: dict[int, list[StageCounts]], stages: tuple[str, ...], compared: list[int]
) -> StageComparison:
    """Shrink each rep's conversion at each stage toward the team (a beta-binomial prior
    fitted per stage over the reps' (converted, known) counts, like the win rate) and flag
    a gap when the 90% interval excludes the team median of the shrunk rates (over the
    ``compared`` reps with a known outcome). Days to move on compare like the sales cycle
    (log scale, at least five deals, materially: 25%)."""
    by_rep: dict[int, list[StageInsight]] = {rep_id: [] for rep_id in counts}
    conversion_medians: list[float | None] = []
    days_medians: list[float | None] = []
    for i, stage in enumerate(stages):
        next_stage = stages[i + 1] if i + 1 < len(stages) else WON_LABEL
        per_rep = {rep_id: rows[i] for rep_id, rows in counts.items()}
        prior = metrics.fit_beta_prior([(c.converted, c.known) for c in per_rep.values()])
        estimates = {
            rep_id: metrics.shrink_rate(c.converted, c.known, prior) if c.known else None
            for rep_id, c in per_rep.items()
        }
        days = {
            rep_id: metrics.log_estimate([max(d, 1) for d in c.days])
            for rep_id, c in per_rep.items()
        }
        team_rate = metrics.team_median(
            [estimates[r].shrunk for r in compared if estimates.get(r) is not None]
        )
        team_days = metrics.team_median(
            [days[r].centre for r in compared if days.get(r) is not None]
        )
        conversion_medians.append(team_rate)
        days_medians.append(team_days)
        for rep_id, c in per_rep.items():
            estimate = estimates[rep_id]
            flag = metrics.gap_direction(estimate.low, estimate.high, team_rate) if estimate else ""
            by_rep[rep_id].append(
                StageInsight(
                    stage=stage,
                    next_stage=next_stage,
                    entered=c.entered,
                    known=c.known,
                    converted=c.converted,
                    estimate=estimate,
                    flag=flag,
                    days=days[rep_id],
                    days_flag="above" if _material_gap(days[rep_id], team_days) == "above" else "",
                    team_rate=team_rate,
                    team_days=team_days,
                )
            )
    return StageComparison(by_rep, conversion_medians, days_medians)


# --- coaching opportunities ------------------------------------------------------------


@dataclass
class Opportunity:
    rep: Rep
    kind: str  # win_rate / deal_size / cycle / activity
    pattern: str
    gap: str  # what the gap is, in words
    certainty: float | None  # posterior probability that the gap is real
    worth: Decimal | None  # more won revenue per quarter, whole currency units
    evidence_url: str
    evidence_label: str

    @property
    def certainty_label(self) -> str:
        """ "more than 99%" rather than a rounded "100%": the model is never certain."""
        if self.certainty is None:
            return ""
        if self.certainty > 0.99:
            return "more than 99%"
        return f"{int(self.certainty * 100)}%"


def _deals_url(rep: Rep, period: Period, status: str) -> str:
    query = {"owner": rep.id, "status": status}
    query.update(closed_from=period.start.isoformat(), closed_to=period.end.isoformat())
    return f"{reverse('sales:deal_list')}?{urlencode(query)}"


def _money(value: Decimal) -> Decimal:
    return value.quantize(WHOLE, rounding=ROUND_HALF_UP)


def win_rate_worth(
    team_rate: float, rep_rate: float, closed: int, quarters: Decimal, avg: Decimal
) -> Decimal:
    """(team median win rate − rep's shrunk win rate) × rep's closed deals per quarter ×
    rep's average won deal size, in whole currency units."""
    gap = Decimal(str(round(team_rate - rep_rate, 6)))
    return _money(gap * Decimal(closed) / quarters * avg)


def opportunities(insights: TeamInsights) -> list[Opportunity]:
    """Credible gaps, most valuable first (unpriced ones after, most certain first)."""
    med, period = insights.medians, insights.period
    found = []
    for row in insights.rows:
        m = row.metrics
        if row.flags["win_rate"] == "below":
            avg = m.avg_won or med.avg_won or Decimal("0")
            worth = win_rate_worth(med.win_rate, row.win.shrunk, m.closed, period.quarters, avg)
            found.append(
                Opportunity(
                    rep=row.rep,
                    kind="win_rate",
                    pattern=row.patterns[0] if row.patterns else "Low conversion",
                    gap=(
                        f"Win rate {row.win.shrunk:.0%} (90% interval {row.win.low:.0%}–"
                        f"{row.win.high:.0%}; raw {m.won} of {m.closed}) against a team median "
                        f"of {med.win_rate:.0%}"
                    ),
                    certainty=row.win.prob_below(med.win_rate),
                    worth=worth,
                    evidence_url=_deals_url(row.rep, period, Deal.Status.LOST),
                    evidence_label=f"{m.lost} lost deals",
                )
            )
        if row.flags["size"] == "below" and med.avg_won is not None and m.avg_won is not None:
            per_quarter = Decimal(m.won) / period.quarters
            found.append(
                Opportunity(
                    rep=row.rep,
                    kind="deal_size",
                    pattern="Wins small deals only",
                    gap=(
                        f"Typical won deal {DEFAULT_CURRENCY} {row.size.centre:,.0f} (90% interval "
                        f"{row.size.low:,.0f}–{row.size.high:,.0f}) against a team median of "
                        f"{med.size:,.0f}"
                    ),
                    certainty=row.size.prob_below(med.size),
                    worth=_money(max(med.avg_won - m.avg_won, Decimal("0")) * per_quarter),
                    evidence_url=_deals_url(row.rep, period, Deal.Status.WON),
                    evidence_label=f"{m.won} won deals",
                )
            )
        if "Long cycles" in row.patterns:
            below = row.cycle.prob_below(med.cycle)
            found.append(
                Opportunity(
                    rep=row.rep,
                    kind="cycle",
                    pattern="Long cycles",
                    gap=(
                        f"Typical sales cycle {row.cycle.centre:.0f} days (90% interval "
                        f"{row.cycle.low:.0f}–{row.cycle.high:.0f}) against a team median of "
                        f"{med.cycle:.0f} days"
                    ),
                    certainty=None if below is None else 1 - below,
                    worth=None,
                    evidence_url=_deals_url(row.rep, period, Deal.Status.WON),
                    evidence_label=f"{m.won} won deals",
                )
            )
        for i, stage in enumerate(row.stages):
            team = med.stage_conversion[i] if i < len(med.stage_conversion) else None
            if stage.flag != "below" or team is None:
                continue
            e = stage.estimate
            found.append(
                Opportunity(
                    rep=row.rep,
                    kind="stage",
                    pattern=f"Stalls at {stage.stage}",
                    gap=(
                        f"{stage.stage} → {stage.next_stage} conversion {e.shrunk:.0%} (90% "
                        f"interval {e.low:.0%}–{e.high:.0%}; raw {stage.converted} of "
                        f"{stage.known}) against a team median of {team:.0%}"
                    ),
                    certainty=e.prob_below(team),
                    worth=None,
                    evidence_url=_deals_url(row.rep, period, Deal.Status.LOST),
                    evidence_label=f"{m.lost} lost deals",
                )
            )
    found.sort(key=lambda o: (o.worth is None, -(o.worth or 0), -(o.certainty or 0), o.rep.name))
    return found


# --- groups ----------------------------------------------------------------------------


def subtree_reps(manager: Rep, as_of: dt.date) -> list[Rep]:
    """The manager's subtree on ``as_of``, without the manager."""
    ids = people.subtree_rep_ids(manager, as_of) - {manager.id}
    return list(Rep.objects.filter(id__in=ids).order_by("name"))


# A rep who is not coaching sees team medians only when at least this many reps are
# compared: with two or three, a median would give away a colleague's own numbers.
MIN_PEER_GROUP = 5


def hide_medians_from(user: User, can_coach: bool, insights) -> bool:
    if can_coach or user.sees_everything:
        return False
    return len(insights.rows) < MIN_PEER_GROUP


def comparison_reps(user: User, rep: Rep, as_of: dt.date) -> tuple[list[Rep], str]:
    """Whom a rep's profile compares them with (and how to say it), so that it agrees with
    the opportunities page that linked to it: a coaching manager's own subtree; for anyone
    else (the rep, an admin) the subtree of the rep's nearest manager; else the rep's team."""
    me = people.rep_for_user(user)
    if me is not None and can_coach(user, rep, as_of):
        return subtree_reps(me, as_of), "your team"
    managers = sorted(direct_manager_ids(rep, as_of))
    if managers:
        manager = Rep.objects.get(pk=managers[0])
        return subtree_reps(manager, as_of), f"{manager.name}'s team"
    return team_reps(rep, as_of), "their team"


def team_reps(rep: Rep, as_of: dt.date) -> list[Rep]:
    """The rep's comparison group: members of the rep's team on ``as_of`` and of the teams
    below it (the rep alone when in no team)."""
    team = people.team_of(rep, as_of)
    if team is None:
        return [rep]
    teams = people.descendants_of({team.id}, people.team_tree())
    members = TeamMembership.objects.filter(
        in_force_on(as_of), team_id__in=teams, role=TeamMembership.Role.MEMBER
    )
    ids = set(members.values_list("rep_id", flat=True)) | {rep.id}
    return list(Rep.objects.filter(id__in=ids).order_by("name"))


# --- pages -----------------------------------------------------------------------------


def upcoming_sessions(sessions: QuerySet[CoachingSession], as_of: dt.date) -> QuerySet:
    return sessions.filter(scheduled_at__date__gte=as_of).order_by("scheduled_at", "id")


def recent_sessions(sessions: QuerySet[CoachingSession], as_of: dt.date) -> QuerySet:
    return sessions.filter(scheduled_at__date__lt=as_of).order_by("-scheduled_at", "-id")


def skills() -> QuerySet[Skill]:
    return Skill.objects.filter(active=True)


def latest_ratings(rep_ids: list[int]) -> dict[tuple[int, int], SkillRating]:
    """The most recent rating per (rep, skill)."""
    latest: dict[tuple[int, int], SkillRating] = {}
    for rating in SkillRating.objects.filter(rep_id__in=rep_ids).order_by("date", "id"):
        latest[(rating.rep_id, rating.skill_id)] = rating
    return latest


@dataclass
class HeatRow:
    rep: Rep
    cells: list[SkillRating | None]


def heat_map(reps: list[Rep]) -> tuple[list[Skill], list[HeatRow]]:
    skill_list = list(skills())
    latest = latest_ratings([r.id for r in reps])
    rows = [HeatRow(rep, [latest.get((rep.id, s.id)) for s in skill_list]) for rep in reps]
    return skill_list, rows


def skill_trend(rep: Rep) -> list[tuple[Skill, list[SkillRating]]]:
    by_skill: dict[int, list[SkillRating]] = defaultdict(list)
    for rating in rep.skill_ratings.select_related("rated_by").order_by("date", "id"):
        by_skill[rating.skill_id].append(rating)
    return [(s, by_skill[s.id]) for s in skills() if by_skill.get(s.id)]


def scenarios() -> QuerySet[RolePlayScenario]:
    return RolePlayScenario.objects.prefetch_related("skills")


def quarter_key(day: dt.date) -> str:
    return _quarter_key(_quarter_start(day))


# --- group training --------------------------------------------------------------------


def team_subtree_rep_ids(team: Team, as_of: dt.date) -> set[int]:
    """Everyone in the team and the teams below it on ``as_of``."""
    teams = people.descendants_of({team.id}, people.team_tree())
    live = TeamMembership.objects.filter(in_force_on(as_of), team_id__in=teams)
    return set(live.values_list("rep_id", flat=True))


def trainable_teams(user: User, as_of: dt.date) -> QuerySet[Team]:
    """Teams a manager may run a training for: the ones they lead and those below."""
    me = people.rep_for_user(user)
    if me is None or people.role_of(user) != User.Role.MANAGER:
        return Team.objects.none()
    return Team.objects.filter(id__in=people.managed_team_ids(me, as_of)).order_by("name")


def trainings_visible_to(user: User, as_of: dt.date) -> QuerySet[TrainingSession]:
    """Admins see all; a manager the trainings of their teams (or that they lead); a rep
    the trainings they are invited to; finance none."""
    trainings = TrainingSession.objects.select_related("team", "led_by")
    role = people.role_of(user)
    if not user.is_authenticated or role == User.Role.FINANCE:
        return trainings.none()
    if role == User.Role.ADMIN:
        return trainings
    me = people.rep_for_user(user)
    if me is None:
        return trainings.none()
    mine = Q(attendance__rep=me) | Q(led_by=me)
    if role == User.Role.MANAGER:
        mine |= Q(team_id__in=people.managed_team_ids(me, as_of))
    return trainings.filter(mine).distinct()


def can_run_training(user: User, training: TrainingSession, as_of: dt.date) -> bool:
    return trainable_teams(user, as_of).filter(id=training.team_id).exists()


def assignments_for(rep: Rep) -> QuerySet[RolePlayAssignment]:
    """The rep's role-play assignments, open ones first."""
    return RolePlayAssignment.objects.filter(rep=rep).select_related(
        "scenario", "assigned_by", "exercise__session"
    )
