"""Reads of territories, scoped like everything else.

Admin and finance see every territory. A manager sees the territories that a rep of their
subtree (by the hierarchy in force on the day viewed) owns or has owned. Reps have no
territory pages.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from attain.common import in_force_on
from attain.people.models import User
from attain.people.selectors import role_of, visible_rep_ids
from attain.sales.models import Account
from attain.territories.models import Territory, TerritoryOwner

ROLES_WITH_TERRITORY_PAGES = {User.Role.ADMIN, User.Role.FINANCE, User.Role.MANAGER}


def may_view_territories(user: User) -> bool:
    return user.is_authenticated and role_of(user) in ROLES_WITH_TERRITORY_PAGES


def territories_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Territory]:
    if not may_view_territories(user):
        return Territory.objects.none()
    territories = Territory.objects.all()
    ids = visible_rep_ids(user, as_of)
    if ids is None:
        return territories
    owned = TerritoryOwner.objects.filter(rep_id__in=ids).values("territory_id")
    return territories.filter(id__in=owned)


def with_current_owners(territories: QuerySet[Territory], as_of: dt.date):
    """Prefetch the owners in force on ``as_of`` as ``current_owners``."""
    current = TerritoryOwner.objects.filter(in_force_on(as_of)).select_related("rep")
    return territories.prefetch_related(
        Prefetch("owners", queryset=current, to_attr="current_owners")
    )


def search_territories(territories: QuerySet[Territory], *, q: str = "", kind: str = ""):
    q = q.strip()
    if q:
        territories = territories.filter(Q(name__icontains=q) | Q(external_id__icontains=q))
    if kind:
        territories = territories.filter(kind=kind)
    return territories


def rule_filter(territory: Territory) -> Q | None:
    """The database filter equivalent to ``Territory.matches`` for a rule territory;
    None when the rule has no condition (it then matches nothing)."""
    parts = []
    if territory.rule_region:
        parts.append(Q(region__iexact=territory.rule_region))
    if territory.rule_state:
        parts.append(Q(state__iexact=territory.rule_state))
    if territory.rule_postcode_prefix:
        parts.append(Q(postcode__startswith=territory.rule_postcode_prefix))
    if territory.rule_industry:
        parts.append(Q(industry__iexact=territory.rule_industry))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined &= part
    return combined


def accounts_in(territory: Territory, accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Of ``accounts``, those the territory covers (listed, or matching its rule)."""
    if territory.kind == Territory.Kind.LIST:
        return accounts.filter(listed_territories=territory)
    condition = rule_filter(territory)
    return accounts.filter(condition) if condition is not None else accounts.none()


def owner_history(territory: Territory, as_of: dt.date) -> list[TerritoryOwner]:
    """Every owner of the territory, oldest first; ``current`` says who owns it on
    ``as_of``."""
    owners = list(territory.owners.select_related("rep").order_by("valid_from"))
    for owner in owners:
        owner.current = owner.in_force(as_of)
    return owners


def territory_for_account(account: Account, as_of: dt.date) -> Territory | None:
    """The territory covering the account on ``as_of``: the lowest priority number among
    those in force that list it or whose rule matches it."""
    listing = set(account.listed_territories.values_list("id", flat=True))
    in_force = Territory.objects.filter(in_force_on(as_of)).order_by("priority", "name")
    for territory in in_force:
        if territory.kind == Territory.Kind.LIST:
            if territory.id in listing:
                return territory
        elif territory.matches(account):
            return territory
    return None
