"""Reads of quotas, scoped like everything else, and the facts a distribution needs.

Admin and finance see every quota. A manager sees the quotas of their subtree (by the
hierarchy in force today), read-only; a rep sees their own, read-only. Only admins change
quotas.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from attain.common import in_force_on
from attain.engine.periods import Period
from attain.people import selectors as people
from attain.people.models import Rep, Team, TeamMembership, User
from attain.people.selectors import descendants_of, team_tree, visible_rep_ids
from attain.quotas.models import Quota
from attain.sales.models import Account, Deal


def may_view_quotas(user: User) -> bool:
    return user.is_authenticated


def may_change_quotas(user: User) -> bool:
    return user.is_authenticated and user.is_admin_role


def quotas_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Quota]:
    if not may_view_quotas(user):
        return Quota.objects.none()
    quotas = Quota.objects.select_related("rep", "updated_by")
    ids = visible_rep_ids(user, as_of or people.today())
    return quotas if ids is None else quotas.filter(rep_id__in=ids)


def search_quotas(
    quotas: QuerySet[Quota],
    *,
    period: str = "",
    quota: str = "",
    team_id: int | None = None,
    rep: Rep | str | None = None,
    as_of: dt.date | None = None,
) -> QuerySet[Quota]:
    """Filter by period label (exact, or a year's prefix: ``2026`` finds 2026-Q1 too),
    quota name, team (members of the team and the teams below it on ``as_of``), rep (the
    rep filter's value: a rep, or search text; ``people.selectors.rep_filter``)."""
    period = period.strip()
    if period:
        quotas = quotas.filter(Q(period=period) | Q(period__startswith=f"{period}-"))
    if quota.strip():
        quotas = quotas.filter(quota__iexact=quota.strip())
    if team_id:
        teams = descendants_of({team_id}, team_tree())
        members = TeamMembership.objects.filter(
            in_force_on(as_of or people.today()), team_id__in=teams
        )
        quotas = quotas.filter(rep_id__in=members.values("rep_id"))
    quotas = people.rep_filter(quotas, rep)
    return quotas.order_by("period", "rep__name", "quota", "id")


def quota_names(quotas: QuerySet[Quota]) -> list[str]:
    return list(quotas.order_by("quota").values_list("quota", flat=True).distinct())


# --- distribution facts ------------------------------------------------------------------


def subtree_teams(team_id: int | None = None, region: str = "") -> set[int]:
    """The team and every team below it; or every team of a region and the teams below."""
    if team_id:
        roots = {team_id}
    else:
        roots = set(Team.objects.filter(region__iexact=region.strip()).values_list("id", flat=True))
    return descendants_of(roots, team_tree()) if roots else set()


def member_spans(
    team_ids: set[int], window: Period, *, joiners: bool
) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """Member spans (rep id → [(valid_from, valid_to)]) in the teams, for the reps who are
    members on the window's first day, plus (with ``joiners``) those who join during it."""
    rows = TeamMembership.objects.filter(
        team_id__in=team_ids, role=TeamMembership.Role.MEMBER
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=window.start), valid_from__lt=window.end)
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for rep_id, start, end in rows.values_list("rep_id", "valid_from", "valid_to"):
        spans.setdefault(rep_id, []).append((start, end))
    if not joiners:
        spans = {
            rep_id: s
            for rep_id, s in spans.items()
            if any(a <= window.start and (b is None or b > window.start) for a, b in s)
        }
    return spans


def won_revenue(rep_ids: set[int], start: dt.date, end: dt.date, currency: str) -> dict:
    """Won-deal amount per owner with a close date in [start, end), in ``currency``."""
    rows = (
        Deal.objects.filter(
            owner_id__in=rep_ids,
            status=Deal.Status.WON,
            close_date__gte=start,
            close_date__lt=end,
            currency=currency,
        )
        .values("owner_id")
        .annotate(total=Sum("amount"))
    )
    return {row["owner_id"]: Decimal(row["total"]) for row in rows}


def territory_potential(rep_ids: set[int], as_of: dt.date) -> dict[int, Decimal]:
    """Sum of the potential of the accounts in the territories each rep owns on ``as_of``
    (accounts placed by the territory rules, lists and overrides in force that day)."""
    from attain.territories.models import TerritoryOwner
    from attain.territories.selectors import resolve_accounts

    owners: dict[int, set[int]] = {}
    for territory_id, rep_id in TerritoryOwner.objects.filter(
        in_force_on(as_of), rep_id__in=rep_ids
    ).values_list("territory_id", "rep_id"):
        owners.setdefault(territory_id, set()).add(rep_id)
    if not owners:
        return {}
    potential = dict(Account.objects.values_list("id", "potential"))
    totals: dict[int, Decimal] = {}
    for account_id, assignment in resolve_accounts(Account.objects.all(), as_of).items():
        for rep_id in owners.get(assignment.territory_id, ()):
            totals[rep_id] = totals.get(rep_id, Decimal(0)) + Decimal(potential[account_id])
    return totals


def reps_by_id(rep_ids) -> dict[int, Rep]:
    return Rep.objects.in_bulk(list(rep_ids))
