"""Standings of boards and competitions, and who may see which board and which amounts.

Credited measures (won revenue, margin, units, deals won) count every deal that is
``won``, has no cancellation date, and closes inside the window (both ends inclusive). Each
deal is credited through its owner and split credits: a rep's value is ``share × deal
value`` (money rounded to the cent, half up, per credit line, like a statement line);
overlay and manager roll-up credits are left out so that team totals count each deal
once. A won deal with no owner or split credit counts 100% for its owner. "Deals won"
counts shares too (a 50/50 split is half a deal each). Activities count the rep's logged
activities dated inside the window.

A team's value is the sum of its members' credited values, each credit placed by the
membership in force on the deal's close date (member rows before manager rows) and rolled
up to the compared team above it. A territory's value is the full value of deals on the
accounts it covers (lowest priority number wins when several cover an account).

Attainment and progress to quota (individuals and teams; territories have no quotas):

- A rep's quota for a window is the sum over their ``revenue`` quotas (quotas app) of
  ``amount × (days of the quota period inside the window ÷ days of the quota period)``.
  When quota periods of different lengths overlap (a year and its quarters), each day
  counts once, in the shortest period that covers it, so nothing is counted twice. The sum
  is kept as an exact fraction; it is rounded half up to the cent only for display.
- A rep's attainment is their won revenue in the window (credited as above) ÷ that quota ×
  100, rounded half up to 0.1 percentage point. A team's is the sum of its won revenue ÷ the
  sum of the quotas of its members as of the window's last day (placed like credits: member
  rows before manager rows, rolled up to the compared team).
- Without a quota (none overlapping the window, or a total of zero) the row shows "no
  quota" and ranks after every row that has one, by name.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Q, QuerySet

from attain.common import in_force_on
from attain.engine.errors import EngineError
from attain.engine.periods import parse_period
from attain.leaderboards.models import Board, Competition, Measure, Privacy, Subject
from attain.leaderboards.windows import DateWindow, previous_window, window_for
from attain.people import selectors as people_selectors
from attain.people.models import Rep, Team, TeamMembership, User
from attain.people.selectors import (
    descendants_of,
    managed_team_ids,
    rep_for_user,
    team_tree,
    visible_rep_ids,
)
from attain.quotas.models import Quota
from attain.quotas.windows import overlapping_labels
from attain.reports.selectors import format_money
from attain.sales.models import Account, Activity, Credit, Deal
from attain.territories.models import Territory, TerritoryOwner
from attain.territories.selectors import accounts_in

CENT = Decimal("0.01")
MONEY_MEASURES = {Measure.WON_REVENUE, Measure.MARGIN}
QUOTA_MEASURES = {Measure.WON_REVENUE, Measure.ATTAINMENT}
QUOTA_NAME = "revenue"  # the quota that attainment and progress to quota are measured against
NEVER = (dt.date.max, dt.datetime.max.replace(tzinfo=dt.UTC))


@dataclass(frozen=True)
class Entrant:
    key: str
    name: str
    rep_id: int | None = None
    team_id: int | None = None


@dataclass
class Line:
    """One credited contribution: to a rep, from a deal (or an activity)."""

    rep_id: int
    deal_id: int | None
    account_id: int | None
    day: dt.date
    won_at: dt.datetime | None
    value: Decimal


@dataclass
class Row:
    entrant: Entrant
    value: Decimal
    rank: int
    reached: tuple
    percent_of_leader: int
    previous_rank: int | None = None
    won: Decimal | None = None  # won revenue, on boards that measure against quota
    quota: Fraction | None = None  # the prorated quota for the window; None: no quota

    @property
    def has_quota(self) -> bool:
        return self.quota is not None

    @property
    def quota_amount(self) -> Decimal | None:
        """The prorated quota rounded half up to the cent (for display)."""
        return None if self.quota is None else round_fraction(self.quota, 2)

    @property
    def to_quota(self) -> Decimal | None:
        """Won revenue as a % of quota, rounded half up to 0.1 point; None: no quota."""
        if self.quota is None or self.won is None:
            return None
        return round_fraction(Fraction(self.won) * 100 / self.quota, 1)

    @property
    def key(self) -> str:
        return self.entrant.key

    @property
    def name(self) -> str:
        return self.entrant.name

    @property
    def movement(self) -> int | None:
        """Places gained since the previous window (negative: lost)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class Standings:
    title: str
    subject: str
    measure: str
    window: DateWindow
    previous: DateWindow
    rows: list[Row]
    deal_ids: set[int] = field(default_factory=set)

    @property
    def subject_label(self) -> str:
        return {"teams": "Team", "territories": "Territory"}.get(self.subject, "Rep")

    @property
    def is_money(self) -> bool:
        return self.measure in MONEY_MEASURES

    @property
    def is_attainment(self) -> bool:
        return self.measure == Measure.ATTAINMENT

    @property
    def shows_quota(self) -> bool:
        """Whether rows carry progress to quota: attainment boards always, won revenue boards
        of reps or teams when someone on them has a quota for the window."""
        if self.is_attainment:
            return True
        return self.measure == Measure.WON_REVENUE and any(r.has_quota for r in self.rows)

    def display_value(self, value: Decimal) -> str:
        if self.is_attainment:
            return f"{value}%"
        if self.is_money:
            return format_money(value)
        if value == value.to_integral_value():
            return f"{int(value):,}"
        return f"{value.normalize():,}"


def round_fraction(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half up (away from zero) to ``places`` decimal places, exactly."""
    scaled = abs(value) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    return (
        Decimal(-whole if value < 0 else whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))
    )


def today() -> dt.date:
    # Looked up on each call, so tests that fix "today" for people.selectors fix it here too.
    return people_selectors.today()


# Lines -------------------------------------------------------------------------------------


def _deal_value(measure: str, amount: Decimal, margin, units: Decimal) -> Decimal:
    if measure == Measure.WON_REVENUE:
        return amount
    if measure == Measure.MARGIN:
        return margin or Decimal("0")
    if measure == Measure.UNITS:
        return units
    return Decimal("1")


def _round(measure: str, value: Decimal) -> Decimal:
    if measure in MONEY_MEASURES or measure == Measure.UNITS:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def won_deals_in(window: DateWindow) -> QuerySet[Deal]:
    return Deal.objects.filter(
        status=Deal.Status.WON,
        cancellation_date__isnull=True,
        close_date__gte=window.start,
        close_date__lte=window.end,
    )


def credited_lines(measure: str, window: DateWindow) -> list[Line]:
    if measure == Measure.ACTIVITIES:
        rows = Activity.objects.filter(date__gte=window.start, date__lte=window.end)
        return [
            Line(rep_id, None, account_id, day, None, Decimal("1"))
            for rep_id, account_id, day in rows.values_list("rep_id", "account_id", "date")
        ]
    deals = won_deals_in(window)
    shares: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    credits = Credit.objects.filter(
        deal__in=deals, role__in=[Credit.Role.OWNER, Credit.Role.SPLIT]
    ).values_list("deal_id", "rep_id", "share")
    for deal_id, rep_id, share in credits:
        shares[deal_id].append((rep_id, share))
    lines = []
    fields = ("id", "owner_id", "account_id", "close_date", "updated_at", "amount", "margin")
    for deal_id, owner_id, account_id, close, won_at, amount, margin, units in deals.values_list(
        *fields, "units"
    ):
        base = _deal_value(measure, amount, margin, units)
        for rep_id, share in shares.get(deal_id) or [(owner_id, Decimal("1"))]:
            value = _round(measure, base * share)
            lines.append(Line(rep_id, deal_id, account_id, close, won_at, value))
    return lines


# Quotas ----------------------------------------------------------------------------------


def _uncovered_days(start: dt.date, end: dt.date, covered: list[tuple[dt.date, dt.date]]):
    """Days in [start, end) not in any of the (disjoint, half-open) ``covered`` ranges."""
    days = (end - start).days
    for c_start, c_end in covered:
        overlap = (min(end, c_end) - max(start, c_start)).days
        if overlap > 0:
            days -= overlap
    return days


def _merge(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def prorated_quota(quotas, window: DateWindow) -> Fraction | None:
    """The quota for ``window`` from ``(period label, amount)`` pairs (see the module doc).

    None when no quota period overlaps the window or their prorated sum is zero.
    """
    periods = []
    for label, amount in quotas:
        try:
            periods.append((parse_period(label), Fraction(amount)))
        except EngineError:
            continue  # not a calendar period: cannot be prorated
    start, end = window.start, window.end + dt.timedelta(days=1)  # half-open, like periods
    covered: list[tuple[dt.date, dt.date]] = []
    total, overlapped = Fraction(0), False
    for period, amount in sorted(periods, key=lambda p: (p[0].days, p[0].start)):
        o_start, o_end = max(period.start, start), min(period.end, end)
        if o_end <= o_start:
            continue
        days = _uncovered_days(o_start, o_end, covered)
        if days > 0:
            overlapped = True
            total += amount * days / period.days
            covered = _merge([*covered, (o_start, o_end)])
    return total if overlapped and total > 0 else None


def rep_quotas(window: DateWindow, rep_ids=None) -> dict[int, Fraction]:
    """Rep id → prorated revenue quota for the window (reps without one are left out)."""
    after_end = window.end + dt.timedelta(days=1)
    rows = Quota.objects.filter(
        quota=QUOTA_NAME, period__in=overlapping_labels(window.start, after_end)
    )
    if rep_ids is not None:
        rows = rows.filter(rep_id__in=list(rep_ids))
    by_rep: dict[int, list] = defaultdict(list)
    for rep_id, period, amount in rows.values_list("rep_id", "period", "amount"):
        by_rep[rep_id].append((period, amount))
    found = {}
    for rep_id, quotas in by_rep.items():
        quota = prorated_quota(quotas, window)
        if quota is not None:
            found[rep_id] = quota
    return found


def entrant_quotas(subject: str, entrants: list[Entrant], window: DateWindow) -> dict:
    """Entrant key → prorated quota; teams add up their members as of the window's end."""
    if subject == Subject.INDIVIDUALS:
        quotas = rep_quotas(window, [e.rep_id for e in entrants])
        return {e.key: quotas[e.rep_id] for e in entrants if e.rep_id in quotas}
    if subject != Subject.TEAMS:
        return {}  # territories have no quotas
    quotas = rep_quotas(window)
    keys = {e.team_id: e.key for e in entrants}
    parents = dict(Team.objects.values_list("id", "parent_id"))
    memberships = _memberships_by_rep()
    found: dict[str, Fraction] = {}
    for rep_id, quota in quotas.items():
        team_id = _team_on(memberships.get(rep_id, []), window.end)
        compared = _ancestor_in(team_id, set(keys), parents)
        if compared is not None:
            found[keys[compared]] = found.get(keys[compared], Fraction(0)) + quota
    return found


# Who competes, and where each line goes ---------------------------------------------------


def _memberships_by_rep() -> dict[int, list[TeamMembership]]:
    found: dict[int, list[TeamMembership]] = defaultdict(list)
    for m in TeamMembership.objects.only("rep_id", "team_id", "role", "valid_from", "valid_to"):
        found[m.rep_id].append(m)
    return found


def _team_on(memberships: list[TeamMembership], day: dt.date) -> int | None:
    in_force = [m for m in memberships if m.in_force(day)]
    in_force.sort(key=lambda m: m.role != TeamMembership.Role.MEMBER)
    return in_force[0].team_id if in_force else None


def _ancestor_in(team_id: int | None, wanted: set[int], parents: dict[int, int | None]):
    seen = set()
    while team_id is not None and team_id not in seen:
        if team_id in wanted:
            return team_id
        seen.add(team_id)
        team_id = parents.get(team_id)
    return None


def _account_territories(territories: list[Territory]) -> dict[int, int]:
    owner: dict[int, int] = {}
    for territory in sorted(territories, key=lambda t: (t.priority, t.name)):
        for account_id in accounts_in(territory, Account.objects.all()).values_list(
            "id", flat=True
        ):
            owner.setdefault(account_id, territory.id)
    return owner


def assign(subject: str, entrants: list[Entrant], lines: list[Line]):
    """Yield (entrant key, line) for every line that counts for one of the entrants."""
    if subject == Subject.INDIVIDUALS:
        keys = {e.rep_id: e.key for e in entrants}
        for line in lines:
            if line.rep_id in keys:
                yield keys[line.rep_id], line
    elif subject == Subject.TEAMS:
        keys = {e.team_id: e.key for e in entrants}
        parents = dict(Team.objects.values_list("id", "parent_id"))
        memberships = _memberships_by_rep()
        for line in lines:
            team_id = _team_on(memberships.get(line.rep_id, []), line.day)
            compared = _ancestor_in(team_id, set(keys), parents)
            if compared is not None:
                yield keys[compared], line
    else:
        ids = [int(e.key.split(":")[1]) for e in entrants]
        by_account = _account_territories(list(Territory.objects.filter(id__in=ids)))
        for line in lines:
            territory_id = by_account.get(line.account_id)
            if territory_id is not None:
                yield f"territory:{territory_id}", line


def rank_rows(
    subject: str,
    entrants: list[Entrant],
    lines: list[Line],
    *,
    measure: str = Measure.WON_REVENUE,
    window: DateWindow | None = None,
) -> tuple[list[Row], set]:
    """Rank ``entrants`` on ``lines``; for attainment (and progress to quota on won
    revenue) the lines are won revenue and ``window`` gives the quotas."""
    totals = {e.key: Decimal("0") for e in entrants}
    reached: dict[str, tuple] = {}
    deal_ids = set()
    for key, line in assign(subject, entrants, lines):
        totals[key] += line.value
        stamp = (line.day, line.won_at or NEVER[1])
        reached[key] = max(reached.get(key, stamp), stamp)
        if line.deal_id is not None:
            deal_ids.add(line.deal_id)
    by_key = {e.key: e for e in entrants}
    quotas: dict[str, Fraction] = {}
    measured = measure in QUOTA_MEASURES and window is not None
    if (
        measured
        and subject != Subject.TERRITORIES
        and (measure == Measure.ATTAINMENT or Quota.objects.filter(quota=QUOTA_NAME).exists())
    ):
        quotas = entrant_quotas(subject, entrants, window)
    values = dict(totals)
    if measure == Measure.ATTAINMENT:
        values = {
            k: round_fraction(Fraction(totals[k]) * 100 / quotas[k], 1) if k in quotas else None
            for k in totals
        }

    def order_key(k):
        if values[k] is None:  # no quota: after everyone with one, by name
            return (1, Decimal("0"), NEVER, by_key[k].name.lower(), k)
        return (0, -values[k], reached.get(k, NEVER), by_key[k].name.lower(), k)

    order = sorted(values, key=order_key)
    leader = values[order[0]] if order and values[order[0]] is not None else Decimal("0")
    rows = []
    for position, key in enumerate(order, start=1):
        value = values[key] if values[key] is not None else Decimal("0")
        percent = int((value * 100 / leader).to_integral_value()) if leader > 0 else 0
        row = Row(by_key[key], value, position, reached.get(key, NEVER), percent)
        if measure in QUOTA_MEASURES:
            row.won, row.quota = totals[key], quotas.get(key)
        rows.append(row)
    return rows, deal_ids


def board_entrants(board: Board, as_of: dt.date) -> list[Entrant]:
    if board.subject == Subject.TERRITORIES:
        territories = Territory.objects.filter(in_force_on(as_of))
        return [Entrant(f"territory:{t.id}", t.name) for t in territories]
    if board.subject == Subject.TEAMS:
        # The teams directly below the scope team; for the whole organisation, the teams
        # below its single top team (or the top teams, when there are several).
        parent = board.scope_team_id
        if parent is None:
            roots = list(Team.objects.filter(parent__isnull=True))
            parent = roots[0].id if len(roots) == 1 else None
        teams = list(Team.objects.filter(parent_id=parent))
        return [Entrant(f"team:{t.id}", t.name, team_id=t.id) for t in teams]
    if board.scope_team_id is None:
        reps = Rep.objects.all()
    else:
        team_ids = descendants_of({board.scope_team_id}, team_tree())
        members = TeamMembership.objects.filter(in_force_on(as_of), team_id__in=team_ids)
        reps = Rep.objects.filter(id__in=members.values("rep_id"))
    return [Entrant(f"rep:{r.id}", r.name, rep_id=r.id) for r in reps]


def competition_entrants(competition: Competition) -> list[Entrant]:
    if competition.subject == Subject.TEAMS:
        return [Entrant(f"team:{t.id}", t.name, team_id=t.id) for t in competition.teams.all()]
    if competition.subject == Subject.TERRITORIES:
        return [Entrant(f"territory:{t.id}", t.name) for t in competition.territories.all()]
    return [Entrant(f"rep:{r.id}", r.name, rep_id=r.id) for r in competition.reps.all()]


def standings_for(
    title: str,
    subject: str,
    measure: str,
    entrants: list[Entrant],
    window: DateWindow,
    previous: DateWindow,
) -> Standings:
    counted = Measure.WON_REVENUE if measure == Measure.ATTAINMENT else measure
    rows, deal_ids = rank_rows(
        subject, entrants, credited_lines(counted, window), measure=measure, window=window
    )
    before, _ = rank_rows(
        subject, entrants, credited_lines(counted, previous), measure=measure, window=previous
    )
    previous_ranks = {r.key: r.rank for r in before if r.value > 0}
    for row in rows:
        row.previous_rank = previous_ranks.get(row.key)
    return Standings(title, subject, measure, window, previous, rows, deal_ids)


def board_window(board: Board, as_of: dt.date | None = None) -> DateWindow:
    return window_for(board.window, as_of or today(), board.start_date, board.end_date)


def board_standings(board: Board, as_of: dt.date | None = None) -> Standings:
    as_of = as_of or today()
    window = board_window(board, as_of)
    reference = min(as_of, window.end)
    entrants = board_entrants(board, reference)
    previous = previous_window(board.window, window)
    return standings_for(board.name, board.subject, board.measure, entrants, window, previous)


def competition_standings(competition: Competition) -> Standings:
    window = DateWindow(competition.start_date, competition.end_date)
    previous = previous_window("custom", window)
    return standings_for(
        competition.name,
        competition.subject,
        competition.measure,
        competition_entrants(competition),
        window,
        previous,
    )


def time_left(competition: Competition, as_of: dt.date | None = None) -> str:
    as_of = as_of or today()
    if as_of < competition.start_date:
        days = (competition.start_date - as_of).days
        return f"starts in {days} day{'s' if days != 1 else ''}"
    if as_of > competition.end_date:
        return "finished"
    days = (competition.end_date - as_of).days + 1
    return f"{days} day{'s' if days != 1 else ''} left (ends {competition.end_date:%d %b %Y})"


# Who sees what ----------------------------------------------------------------------------


def _related_team_ids(user: User, as_of: dt.date) -> set[int]:
    """Teams the user belongs to (with their ancestors) and every team they lead (and below)."""
    rep = rep_for_user(user)
    if rep is None:
        return set()
    own = set(
        TeamMembership.objects.filter(in_force_on(as_of), rep=rep).values_list("team_id", flat=True)
    )
    parents = dict(Team.objects.values_list("id", "parent_id"))
    related = set()
    for team_id in own:
        while team_id is not None and team_id not in related:
            related.add(team_id)
            team_id = parents.get(team_id)
    if user.role == User.Role.MANAGER:
        related |= managed_team_ids(rep, as_of)
    return related


def may_manage(user: User) -> bool:
    return user.is_authenticated and (user.is_admin_role or user.role == User.Role.MANAGER)


def manageable_team_ids(user: User, as_of: dt.date | None = None) -> set[int] | None:
    """Teams a board may be scoped to by this user; None means any (and the whole org)."""
    if user.is_admin_role:
        return None
    rep = rep_for_user(user)
    if rep is None or user.role != User.Role.MANAGER:
        return set()
    return managed_team_ids(rep, as_of or today())


def boards_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Board]:
    if not user.is_authenticated:
        return Board.objects.none()
    if user.sees_everything:
        return Board.objects.all()
    teams = _related_team_ids(user, as_of or today())
    return Board.objects.filter(Q(scope_team__isnull=True) | Q(scope_team_id__in=teams))


def competitions_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Competition]:
    if not user.is_authenticated:
        return Competition.objects.none()
    if user.sees_everything:
        return Competition.objects.all()
    as_of = as_of or today()
    reps = visible_rep_ids(user, as_of) or set()
    teams = _related_team_ids(user, as_of)
    owned = TerritoryOwner.objects.filter(in_force_on(as_of), rep_id__in=reps).values(
        "territory_id"
    )
    ids = Competition.objects.filter(
        Q(created_by=user) | Q(reps__in=reps) | Q(teams__in=teams) | Q(territories__in=owned)
    ).values("id")
    return Competition.objects.filter(id__in=ids)


def amount_visible_keys(user: User | None, privacy: str, as_of: dt.date | None = None):
    """Row keys whose amounts the viewer sees; None means every row.

    A wall screen (no user) sees amounts only on a board that shows them to everyone.
    Admin and finance see every amount. A manager sees the amounts of reps in their subtree
    and of the teams they lead; a rep sees only their own amount.
    """
    if privacy == Privacy.SHOW_AMOUNTS:
        return None
    if user is None or not user.is_authenticated:
        return frozenset()
    if user.sees_everything:
        return None
    as_of = as_of or today()
    reps = visible_rep_ids(user, as_of) or set()
    keys = {f"rep:{rep_id}" for rep_id in reps}
    if user.role == User.Role.MANAGER:
        rep = rep_for_user(user)
        if rep is not None:
            keys |= {f"team:{t}" for t in managed_team_ids(rep, as_of)}
    return frozenset(keys)


def own_keys(user: User | None) -> frozenset[str]:
    rep = rep_for_user(user) if user is not None else None
    return frozenset({f"rep:{rep.id}"}) if rep is not None else frozenset()
