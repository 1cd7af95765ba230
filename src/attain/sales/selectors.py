"""Reads of sales data, always scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from attain.common import in_force_on
from attain.people.models import Rep, User
from attain.people.selectors import rep_filter, visible_reps_subquery
from attain.sales.models import Account, Activity, Credit, Deal, FxRate

# Above this many visible reps, an account's activities are looked up account by account
# (a correlated EXISTS) rather than gathered for the whole team first: for a team of
# thousands, gathering reads millions of activities; for a few reps, looking up each
# account's costs more (docs/benchmarks.md, "Pages at 5,000 reps").
LARGE_TEAM_REPS = 1000
CENT = Decimal("0.01")


def deals_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Deal]:
    """Deals the user owns or is credited on (or, for a manager, their subtree's)."""
    deals = Deal.objects.select_related("account", "owner")
    reps = visible_reps_subquery(user, as_of)
    if reps is None:
        return deals
    # Uncorrelated IN subqueries, evaluated once: a correlated EXISTS on the credits took
    # seconds per query, and thousands of rep ids written into the query as much again.
    credited = Credit.objects.filter(rep_id__in=reps).order_by().values("deal_id")
    return deals.filter(Q(owner_id__in=reps) | Q(id__in=credited))


def account_deals_visible_to(
    user: User, account: Account, as_of: dt.date | None = None
) -> QuerySet[Deal]:
    """The account's deals the user may see: as ``deals_visible_to``, but each of the few
    deals tested on its own (a correlated test of its credits) instead of gathering every
    credit of the user's team first."""
    deals = Deal.objects.select_related("account", "owner").filter(account=account)
    reps = visible_reps_subquery(user, as_of)
    if reps is None:
        return deals
    credited = Exists(Credit.objects.filter(deal=OuterRef("pk"), rep_id__in=reps))
    return deals.filter(Q(owner_id__in=reps) | credited)


def deals_of_rep(rep: Rep) -> QuerySet[Deal]:
    """The deals a rep owns or is credited on. Every one is visible to whoever may see the
    rep (their ownership or credit is what makes a deal visible), so a page showing a
    visible rep's deals needs no further scoping, which cost a large team seconds here."""
    credited = Credit.objects.filter(rep=rep).order_by().values("deal_id")
    return Deal.objects.select_related("account", "owner").filter(Q(owner=rep) | Q(id__in=credited))


def accounts_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Account]:
    """Accounts on which the user can see at least one deal or activity."""
    reps = visible_reps_subquery(user, as_of)
    if reps is None:
        return Account.objects.all()
    deals = deals_visible_to(user, as_of).order_by()
    activities = Activity.objects.filter(rep_id__in=reps).order_by()
    if reps.count() > LARGE_TEAM_REPS:
        return Account.objects.filter(
            Exists(deals.filter(account_id=OuterRef("pk")))
            | Exists(activities.filter(account_id=OuterRef("pk")))
        )
    return Account.objects.filter(
        Q(id__in=deals.values("account_id")) | Q(id__in=activities.values("account_id"))
    )


def activities_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Activity]:
    reps = visible_reps_subquery(user, as_of)
    activities = Activity.objects.select_related("rep", "deal", "account")
    return activities if reps is None else activities.filter(rep_id__in=reps)


def search_deals(
    deals: QuerySet[Deal],
    *,
    q: str = "",
    status: str = "",
    deal_type: str = "",
    owner: Rep | str | None = None,
    closed_from: dt.date | None = None,
    closed_to: dt.date | None = None,
) -> QuerySet[Deal]:
    """Filter deals by text (name, external id, account) and by their fields; ``owner`` is
    the owner filter's value (a rep, or search text: ``people.selectors.rep_filter``).

    The close date range is inclusive at both ends; deals without a close date drop out
    as soon as either end is given.
    """
    q = q.strip()
    if q:
        deals = deals.filter(
            Q(name__icontains=q) | Q(external_id__icontains=q) | Q(account__name__icontains=q)
        )
    if status:
        deals = deals.filter(status=status)
    if deal_type:
        deals = deals.filter(deal_type=deal_type)
    deals = rep_filter(deals, owner, prefix="owner__")
    if closed_from:
        deals = deals.filter(close_date__gte=closed_from)
    if closed_to:
        deals = deals.filter(close_date__lte=closed_to)
    return deals


def search_accounts(
    accounts: QuerySet[Account],
    *,
    q: str = "",
    region: str = "",
    industry: str = "",
    state: str = "",
) -> QuerySet[Account]:
    """Filter accounts by text (name, external id, postcode) and by region, industry, state."""
    q = q.strip()
    if q:
        accounts = accounts.filter(
            Q(name__icontains=q) | Q(external_id__icontains=q) | Q(postcode__startswith=q)
        )
    if region:
        accounts = accounts.filter(region=region)
    if industry:
        accounts = accounts.filter(industry=industry)
    if state:
        accounts = accounts.filter(state=state)
    return accounts


def distinct_values(accounts: QuerySet[Account], field: str) -> list[str]:
    """Non-empty distinct values of an account field, sorted (for filter choices)."""
    values = accounts.exclude(**{field: ""}).order_by(field).values_list(field, flat=True)
    return list(values.distinct())


def credits_with_amounts(deal: Deal) -> list[Credit]:
    """The deal's credits, each with ``credited_amount`` = amount × share, to the cent
    (half-up)."""
    credits = list(deal.credits.select_related("rep").order_by("role", "rep__name"))
    for credit in credits:
        credit.credited_amount = (deal.amount * credit.share).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return credits


def fx_rates() -> QuerySet[FxRate]:
    """Every exchange rate: by pair, each pair's latest first."""
    return FxRate.objects.order_by("from_currency", "to_currency", "-valid_from")


def fx_rates_in_force(day: dt.date) -> QuerySet[FxRate]:
    return FxRate.objects.filter(in_force_on(day))


@dataclass(frozen=True)
class RatesInto:
    """The exchange rates into one currency (``sales.FxRate``, direct rates only), for
    converting figures the app shows in the organisation's currency."""

    target: str
    spans: dict[str, list[tuple[dt.date, dt.date | None, Decimal]]]

    def rate(self, currency: str, day: dt.date) -> Decimal | None:
        if currency == self.target:
            return Decimal(1)
        for start, end, rate in self.spans.get(currency, ()):
            if start <= day and (end is None or day < end):
                return rate
        return None

    def convert(self, amount: Decimal, currency: str, day: dt.date) -> Decimal | None:
        """``amount`` in the target currency at the rate in force on ``day``, rounded to
        the cent half-even (as the engine converts a credit); None without a rate."""
        rate = self.rate(currency, day)
        if rate is None:
            return None
        return (amount * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


def rates_into(target: str) -> RatesInto:
    spans: dict[str, list] = {}
    rows = FxRate.objects.filter(to_currency=target).order_by("from_currency", "valid_from")
    for source, start, end, rate in rows.values_list(
        "from_currency", "valid_from", "valid_to", "rate"
    ):
        spans.setdefault(source, []).append((start, end, rate))
    return RatesInto(target, spans)
