"""Reads: who an announcement reaches, what a user may see, receipts and questions.

Audience rule (see docs/announcements.md): an announcement's audience is evaluated on the
day it is looked at, by the hierarchy in force that day. A rep who joins the team after
publication receives it; one who has left the team no longer does. The author is never
part of their own audience.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Max, Q, QuerySet
from django.urls import NoReverseMatch, reverse

from attain.announcements.models import Announcement, Question, Receipt, Reminder
from attain.common import in_force_on
from attain.people import selectors as people
from attain.people.models import Rep, Team, TeamMembership, User
from attain.territories.models import Territory, TerritoryOwner


def today() -> dt.date:
    return people.today()


# ---- who publishes -----------------------------------------------------------------------


def can_publish(user: User, day: dt.date) -> bool:
    """Admins publish to anyone; a manager to audiences inside the teams they lead."""
    if not user.is_authenticated:
        return False
    if user.is_admin_role:
        return True
    if user.role != User.Role.MANAGER:
        return False
    rep = people.rep_for_user(user)
    return rep is not None and bool(people.managed_team_ids(rep, day))


def _teams_in_region(region: str) -> set[int]:
    """Teams whose region is ``region`` (case-insensitive), with every team below them."""
    roots = set(Team.objects.filter(region__iexact=region).values_list("id", flat=True))
    return people.descendants_of(roots, people.team_tree()) if roots else set()


def _territory_owner_ids(territory_id: int, day: dt.date) -> set[int]:
    rows = TerritoryOwner.objects.filter(in_force_on(day), territory_id=territory_id)
    return set(rows.values_list("rep_id", flat=True))


def targetable(user: User, day: dt.date) -> dict:
    """The audiences ``user`` may address on ``day``: everyone (bool), regions, teams and
    territories (querysets/lists), for the form's choices and the publish check."""
    teams = Team.objects.order_by("name")
    territories = Territory.objects.filter(in_force_on(day)).order_by("name")
    regions = sorted(
        set(Team.objects.exclude(region="").values_list("region", flat=True)), key=str.lower
    )
    if user.is_admin_role:
        return {"everyone": True, "regions": regions, "teams": teams, "territories": territories}
    rep = people.rep_for_user(user) if user.role == User.Role.MANAGER else None
    managed = people.managed_team_ids(rep, day) if rep else set()
    subtree = people.subtree_rep_ids(rep, day) if rep else set()
    allowed_territories = [
        t.id
        for t in territories
        if (owners := _territory_owner_ids(t.id, day)) and owners <= subtree
    ]
    return {
        "everyone": False,
        "regions": [r for r in regions if (ids := _teams_in_region(r)) and ids <= managed],
        "teams": teams.filter(id__in=managed),
        "territories": territories.filter(id__in=allowed_territories),
    }


def may_address(user: User, announcement: Announcement, day: dt.date) -> bool:
    allowed = targetable(user, day)
    kind = announcement.audience
    if kind == Announcement.Audience.EVERYONE:
        return allowed["everyone"]
    if kind == Announcement.Audience.REGION:
        wanted = announcement.audience_region.lower()
        return any(r.lower() == wanted for r in allowed["regions"])
    if kind == Announcement.Audience.TEAM:
        return allowed["teams"].filter(id=announcement.audience_team_id).exists()
    return allowed["territories"].filter(id=announcement.audience_territory_id).exists()


# ---- who receives ------------------------------------------------------------------------


def audience_filter(user: User, day: dt.date) -> Q:
    """Announcements whose audience includes ``user`` on ``day`` (as a filter)."""
    reached = Q(audience=Announcement.Audience.EVERYONE)
    rep = people.rep_for_user(user)
    if rep is None:
        return reached
    own_teams = set(
        TeamMembership.objects.filter(in_force_on(day), rep=rep).values_list("team_id", flat=True)
    )
    # A team audience includes the teams below it, so the user is reached by an announcement
    # to any of their teams or to any team above them.
    parent_of = dict(Team.objects.values_list("id", "parent_id"))
    lineage: set[int] = set()
    for team_id in own_teams:
        while team_id is not None and team_id not in lineage:
            lineage.add(team_id)
            team_id = parent_of.get(team_id)
    regions = set(
        Team.objects.filter(id__in=lineage).exclude(region="").values_list("region", flat=True)
    )
    owned = TerritoryOwner.objects.filter(in_force_on(day), rep=rep).values("territory_id")
    reached |= Q(audience=Announcement.Audience.TEAM, audience_team_id__in=lineage)
    reached |= Q(audience=Announcement.Audience.TERRITORY, audience_territory_id__in=owned)
    region_q = Q()
    for region in regions:
        region_q |= Q(audience_region__iexact=region)
    if regions:
        reached |= Q(audience=Announcement.Audience.REGION) & region_q
    return reached


def received_by(user: User, day: dt.date) -> QuerySet[Announcement]:
    """Published announcements addressed to ``user`` on ``day`` (not their own)."""
    if not user.is_authenticated or not user.is_active:
        return Announcement.objects.none()
    return (
        Announcement.objects.filter(status=Announcement.Status.PUBLISHED)
        .filter(audience_filter(user, day))
        .exclude(author=user)
    )


def audience_rep_ids(announcement: Announcement, day: dt.date) -> set[int] | None:
    """Reps in the audience on ``day``; None for everyone."""
    kind = announcement.audience
    if kind == Announcement.Audience.EVERYONE:
        return None
    if kind == Announcement.Audience.TERRITORY:
        return _territory_owner_ids(announcement.audience_territory_id, day)
    if kind == Announcement.Audience.REGION:
        team_ids = _teams_in_region(announcement.audience_region)
    else:
        team_ids = people.descendants_of({announcement.audience_team_id}, people.team_tree())
    rows = TeamMembership.objects.filter(in_force_on(day), team_id__in=team_ids)
    return set(rows.values_list("rep_id", flat=True))


def audience_users(announcement: Announcement, day: dt.date) -> QuerySet[User]:
    """Active logins in the audience on ``day``, the author excluded. Everyone means every
    active login; the other audiences reach logins linked to a rep."""
    users = User.objects.filter(is_active=True).exclude(id=announcement.author_id)
    rep_ids = audience_rep_ids(announcement, day)
    if rep_ids is not None:
        users = users.filter(rep__id__in=rep_ids)
    return users.order_by("first_name", "username")


def is_recipient(user: User, announcement: Announcement, day: dt.date) -> bool:
    return received_by(user, day).filter(pk=announcement.pk).exists()


# ---- who sees ----------------------------------------------------------------------------


def visible_to(user: User, day: dt.date) -> QuerySet[Announcement]:
    """What ``user`` may open: admins everything, authors their own (drafts too), and the
    audience the published ones addressed to them."""
    if not user.is_authenticated:
        return Announcement.objects.none()
    if user.is_admin_role:
        return Announcement.objects.all()
    published_to_me = Q(status=Announcement.Status.PUBLISHED) & audience_filter(user, day)
    return Announcement.objects.filter(Q(author=user) | published_to_me)


def is_author(user: User, announcement: Announcement) -> bool:
    return user.is_authenticated and announcement.author_id == user.id


def can_track(user: User, announcement: Announcement) -> bool:
    """The read/acknowledged lists: the author and admins."""
    return is_author(user, announcement) or user.is_admin_role


def receipt_of(user: User, announcement: Announcement) -> Receipt | None:
    return Receipt.objects.filter(announcement=announcement, user=user).first()


# ---- banner ------------------------------------------------------------------------------


def pending_for(user: User, day: dt.date) -> QuerySet[Announcement]:
    """Announcements ``user`` received and has not acknowledged, newest first, with the time
    of the latest reminder sent to them (``reminded_at``, or None)."""
    acknowledged = Receipt.objects.filter(user=user, acknowledged_at__isnull=False)
    return (
        received_by(user, day)
        .exclude(id__in=acknowledged.values("announcement_id"))
        .annotate(reminded_at=Max("reminders__sent_at", filter=Q(reminders__recipients=user)))
        .select_related("author")
        .order_by("-published_at")
    )


# ---- tracking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientRow:
    user: User
    name: str
    opened_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    reminded_at: dt.datetime | None


@dataclass(frozen=True)
class Tracking:
    rows: list[RecipientRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def opened(self) -> list[RecipientRow]:
        return [r for r in self.rows if r.opened_at]

    @property
    def acknowledged(self) -> list[RecipientRow]:
        return [r for r in self.rows if r.acknowledged_at]

    @property
    def unread(self) -> list[RecipientRow]:
        return [r for r in self.rows if not r.opened_at]

    @property
    def not_acknowledged(self) -> list[RecipientRow]:
        return [r for r in self.rows if not r.acknowledged_at]


def tracking(announcement: Announcement, day: dt.date) -> Tracking:
    """Each audience member on ``day`` with when they opened, acknowledged and were last
    reminded; those who have not acknowledged first, then by name."""
    users = list(audience_users(announcement, day).select_related("rep"))
    receipts = {r.user_id: r for r in Receipt.objects.filter(announcement=announcement)}
    reminded: dict[int, dt.datetime] = dict(
        Reminder.recipients.through.objects.filter(reminder__announcement=announcement)
        .values("user_id")
        .annotate(last=Max("reminder__sent_at"))
        .values_list("user_id", "last")
    )
    rows = []
    for user in users:
        receipt = receipts.get(user.id)
        rep = getattr(user, "rep", None)
        rows.append(
            RecipientRow(
                user=user,
                name=rep.name if rep else (user.get_full_name() or user.username),
                opened_at=receipt.opened_at if receipt else None,
                acknowledged_at=receipt.acknowledged_at if receipt else None,
                reminded_at=reminded.get(user.id),
            )
        )
    rows.sort(key=lambda r: (r.acknowledged_at is not None, r.name.lower()))
    return Tracking(rows)


def reminders_of(announcement: Announcement) -> QuerySet[Reminder]:
    return announcement.reminders.select_related("sent_by").prefetch_related("recipients")


# ---- questions ---------------------------------------------------------------------------


def questions_visible_to(user: User, announcement: Announcement) -> QuerySet[Question]:
    """Public questions, plus private ones if ``user`` asked them or wrote the announcement.
    Admins do not see other people's private questions: "only the author" means that."""
    questions = announcement.questions.select_related("asked_by__rep", "answered_by")
    if is_author(user, announcement):
        return questions
    return questions.filter(Q(visibility=Question.Visibility.AUDIENCE) | Q(asked_by=user))


def faq(announcement: Announcement) -> QuerySet[Question]:
    """Answered public questions, in the order they were asked."""
    return announcement.questions.filter(
        visibility=Question.Visibility.AUDIENCE, answered_at__isnull=False
    ).select_related("asked_by__rep")


def display_name(user: User) -> str:
    rep = Rep.objects.filter(user=user).first()
    return rep.name if rep else (user.get_full_name() or user.username)


@dataclass(frozen=True)
class Explained:
    label: str
    url: str | None  # None: the viewer may not open it (or the page does not exist)


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def explains(announcement: Announcement, user: User) -> list[Explained]:
    """What the announcement explains: "Plan ae-2026 v2", "Quotas 2026-Q1". Plans link only
    for viewers who may open plans (admins and finance); others see the names alone. The
    quota period links to the quotas list filtered by it (everyone sees their own there)."""
    from attain.plans.selectors import can_view as can_view_plans

    found = []
    may_open_plans = can_view_plans(user)
    for plan in announcement.plans.order_by("plan_id", "version"):
        url = _url("plans:detail", plan.plan_id, plan.version) if may_open_plans else None
        found.append(Explained(f"Plan {plan.plan_id} v{plan.version}", url))
    if announcement.quota_period:
        label = f"Quotas {announcement.quota_period}"
        query = {"period": announcement.quota_period}
        if announcement.quota_name:
            label += f" ({announcement.quota_name})"
            query["quota"] = announcement.quota_name
        base = _url("quotas:list")
        found.append(Explained(label, f"{base}?{urlencode(query)}" if base else None))
    return found
