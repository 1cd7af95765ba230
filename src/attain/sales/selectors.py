"""Reads of sales data, always scoped to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from attain.people.models import User
from attain.people.selectors import visible_rep_ids
from attain.sales.models import Account, Activity, Credit, Deal


def deals_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Deal]:
    """Deals the user owns or is credited on (or, for a manager, their subtree's)."""
    deals = Deal.objects.select_related("account", "owner")
    ids = visible_rep_ids(user, as_of)
    if ids is None:
        return deals
    credited = Credit.objects.filter(deal=OuterRef("pk"), rep_id__in=ids)
    return deals.filter(Q(owner_id__in=ids) | Exists(credited))


def accounts_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Account]:
    """Accounts on which the user can see at least one deal or activity."""
    ids = visible_rep_ids(user, as_of)
    if ids is None:
        return Account.objects.all()
    deals = deals_visible_to(user, as_of).filter(account=OuterRef("pk"))
    acts = Activity.objects.filter(account=OuterRef("pk"), rep_id__in=ids)
    return Account.objects.filter(Exists(deals) | Exists(acts))


def activities_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Activity]:
    ids = visible_rep_ids(user, as_of)
    activities = Activity.objects.select_related("rep", "deal", "account")
    return activities if ids is None else activities.filter(rep_id__in=ids)
