"""Who may see whom. Every page and API endpoint scopes its data through these."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from attain.common import in_force_on
from attain.people.models import Rep, Team, TeamMembership, User


def today() -> dt.date:
    return timezone.localdate()


def team_tree() -> dict[int | None, list[int]]:
    """Children of each team id (the root's parent key is None)."""
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in Team.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(team_id)
    return children


def descendants_of(team_ids: set[int], children: dict[int | None, list[int]]) -> set[int]:
    found = set(team_ids)
    stack = list(team_ids)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def managed_team_ids(rep: Rep, as_of: dt.date) -> set[int]:
    """Teams the rep leads on ``as_of``, with every team below them."""
    led = set(
        TeamMembership.objects.filter(
            in_force_on(as_of), rep=rep, role=TeamMembership.Role.MANAGER
        ).values_list("team_id", flat=True)
    )
    return descendants_of(led, team_tree()) if led else set()


def subtree_rep_ids(rep: Rep, as_of: dt.date) -> set[int]:
    """The rep and everyone in the teams they lead (and below) on ``as_of``."""
    team_ids = managed_team_ids(rep, as_of)
    members = TeamMembership.objects.filter(in_force_on(as_of), team_id__in=team_ids)
    return {rep.id, *members.values_list("rep_id", flat=True)}


def visible_rep_ids(user: User, as_of: dt.date | None = None) -> set[int] | None:
    """Rep ids whose records ``user`` may see on ``as_of``; None means every rep.

    Admin and finance see everything. A manager sees their own subtree by the hierarchy in
    force on ``as_of`` (today by default); a rep sees only themself; a login without a linked
    rep sees no rep's records.
    """
    if not user.is_authenticated:
        return set()
    if user.sees_everything:
        return None
    rep = Rep.objects.filter(user=user).first()
    if rep is None:
        return set()
    if user.role == User.Role.MANAGER:
        return subtree_rep_ids(rep, as_of or today())
    return {rep.id}


def visible_reps_subquery(user: User, as_of: dt.date | None = None) -> QuerySet | None:
    """The reps of ``visible_rep_ids`` as a subquery of rep ids (None: every rep).

    For scoping large tables by a large team: a few thousand ids written into a query as
    an ``IN`` list cost the database seconds per query, a subquery over the memberships a
    fraction of that (docs/benchmarks.md, "Pages at 5,000 reps")."""
    if not user.is_authenticated:
        return Rep.objects.none().values("id")
    if user.sees_everything:
        return None
    rep = Rep.objects.filter(user=user).first()
    if rep is None:
        return Rep.objects.none().values("id")
    if user.role != User.Role.MANAGER:
        return Rep.objects.filter(id=rep.id).values("id")
    teams = managed_team_ids(rep, as_of or today())
    members = TeamMembership.objects.filter(in_force_on(as_of or today()), team_id__in=teams)
    return (
        Rep.objects.filter(Q(id=rep.id) | Q(id__in=members.values("rep_id")))
        .order_by()
        .values("id")
    )


def reps_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Rep]:
    ids = visible_rep_ids(user, as_of)
    reps = Rep.objects.all()
    return reps if ids is None else reps.filter(id__in=ids)


def team_of(rep: Rep, as_of: dt.date) -> Team | None:
    """The team the rep belongs to (as member, else as manager) on ``as_of``."""
    memberships = TeamMembership.objects.filter(in_force_on(as_of), rep=rep).select_related("team")
    ordered = sorted(memberships, key=lambda m: m.role != TeamMembership.Role.MEMBER)
    return ordered[0].team if ordered else None


def rep_for_user(user: User) -> Rep | None:
    if not user.is_authenticated:
        return None
    return Rep.objects.filter(user=user).first()


def role_of(user: User) -> str:
    """The role that decides pages and navigation; a superuser counts as admin."""
    return User.Role.ADMIN if user.is_superuser else user.role


def team_today_subquery(as_of: dt.date) -> Subquery:
    """Name of the team a rep (OuterRef "pk") belongs to on ``as_of``, member rows first."""
    rows = TeamMembership.objects.filter(in_force_on(as_of), rep=OuterRef("pk"))
    # "member" sorts after "manager", so descending puts the member row first.
    return Subquery(rows.order_by("-role", "team__name").values("team__name")[:1])


def search_reps(
    reps: QuerySet[Rep], *, as_of: dt.date, q: str = "", team_id: int | None = None
) -> QuerySet[Rep]:
    """Filter reps by text (name, title, email, external id) and by team on ``as_of``."""
    q = q.strip()
    if q:
        reps = reps.filter(
            Q(name__icontains=q)
            | Q(title__icontains=q)
            | Q(email__icontains=q)
            | Q(external_id__icontains=q)
        )
    if team_id:
        in_team = TeamMembership.objects.filter(in_force_on(as_of), team_id=team_id)
        reps = reps.filter(id__in=in_team.values("rep_id"))
    return reps.annotate(team_name=team_today_subquery(as_of))


def rep_text_q(text: str, prefix: str = "") -> Q:
    """Rows whose rep (``prefix`` + ``name`` / ``external_id``) matches a rep filter's
    search text: part of the name, or the whole rep id, ignoring case."""
    return Q(**{f"{prefix}name__icontains": text}) | Q(**{f"{prefix}external_id__iexact": text})


def rep_filter(rows: QuerySet, picked, prefix: str = "rep__") -> QuerySet:
    """``rows`` narrowed by a rep filter's cleaned value (``people.forms.rep_filter_field``):
    a ``Rep``, the search text, or nothing."""
    if isinstance(picked, Rep):
        return rows.filter(**{f"{prefix.removesuffix('__')}_id": picked.pk})
    text = (picked or "").strip()
    return rows.filter(rep_text_q(text, prefix)) if text else rows


def teams_of_reps(reps: QuerySet[Rep], as_of: dt.date) -> QuerySet[Team]:
    """Teams that the given reps belong to on ``as_of`` (for a team filter's choices)."""
    rows = TeamMembership.objects.filter(in_force_on(as_of), rep__in=reps)
    return Team.objects.filter(id__in=rows.values("team_id")).order_by("name")


def team_history(rep: Rep) -> QuerySet[TeamMembership]:
    """Every team membership of the rep, oldest first, with its dates."""
    return rep.memberships.select_related("team").order_by("valid_from", "role")


SUGGESTIONS = 20


def rep_label(rep: Rep) -> str:
    """How a rep is named where one must be picked among thousands: the rep id tells two
    reps of the same name apart ("Ana Lopez (R-0042)")."""
    return f"{rep.name} ({rep.external_id})"


def suggest_reps(reps: QuerySet[Rep], text: str, limit: int = SUGGESTIONS) -> list[Rep]:
    """At most ``limit`` of ``reps`` matching ``text`` (part of the name, or the start of the
    rep id, ignoring case): names that start with it first, then by name."""
    text = text.strip()
    if not text:
        return []
    found = reps.filter(Q(name__icontains=text) | Q(external_id__istartswith=text))
    found = found.only("id", "name", "external_id").order_by("name", "external_id")
    starting = list(found.filter(name__istartswith=text)[:limit])
    if len(starting) < limit:
        seen = [rep.id for rep in starting]
        starting += found.exclude(id__in=seen)[: limit - len(starting)]
    return starting
