"""Reads of territories, scoped like everything else.

Admin and finance see every territory. A manager sees the territories that a rep of their
subtree (by the hierarchy in force on the day viewed) owns or has owned. Reps have no
territory pages. Scenarios (designs and realignments) are for admins, who make and apply
them, and finance, who may read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from attain.common import in_force_on
from attain.people.models import User
from attain.people.selectors import role_of, today, visible_rep_ids
from attain.sales.models import Account
from attain.territories import rules
from attain.territories.models import AccountOverride, Scenario, Territory, TerritoryOwner

ROLES_WITH_TERRITORY_PAGES = {User.Role.ADMIN, User.Role.FINANCE, User.Role.MANAGER}


def may_view_territories(user: User) -> bool:
    return user.is_authenticated and role_of(user) in ROLES_WITH_TERRITORY_PAGES


def territories_visible_to(user: User, as_of: dt.date | None = None) -> QuerySet[Territory]:
    if not may_view_territories(user):
        return Territory.objects.none()
    territories = Territory.objects.all()
    day = as_of or today()
    ids = visible_rep_ids(user, day)
    if ids is None:
        return territories
    # Territories owned by the subtree on the day viewed, not ones it owned once.
    owned = TerritoryOwner.objects.filter(in_force_on(day), rep_id__in=ids).values("territory_id")
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
    if territory.rule_potential_min is not None:
        parts.append(Q(potential__gte=territory.rule_potential_min))
    if territory.rule_potential_max is not None:
        parts.append(Q(potential__lt=territory.rule_potential_max))
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
    """The territory covering the account on ``as_of`` (see ``attain.territories.rules``
    for the order of precedence)."""
    found = resolve_accounts(Account.objects.filter(pk=account.pk), as_of).get(account.pk)
    if found is None or found.territory_id is None:
        return None
    return Territory.objects.get(pk=found.territory_id)


def rule_of(territory: Territory) -> rules.TerritoryRule:
    return rules.TerritoryRule(
        id=territory.id,
        name=territory.name,
        priority=territory.priority,
        listed=territory.kind == Territory.Kind.LIST,
        region=territory.rule_region,
        state=territory.rule_state,
        postcode_prefix=territory.rule_postcode_prefix,
        industry=territory.rule_industry,
        potential_min=territory.rule_potential_min,
        potential_max=territory.rule_potential_max,
    )


def resolve_accounts(accounts: QuerySet[Account], as_of: dt.date) -> dict[int, rules.Assignment]:
    """Every account of ``accounts`` with its territory on ``as_of`` and the reason, in four
    queries whatever the number of accounts."""
    territories = list(Territory.objects.filter(in_force_on(as_of)))
    list_ids = [t.id for t in territories if t.kind == Territory.Kind.LIST]
    account_ids = accounts.order_by().values("id")
    listed: dict[int, set[int]] = {}
    memberships = Territory.accounts.through.objects.filter(
        territory_id__in=list_ids, account_id__in=account_ids
    ).values_list("account_id", "territory_id")
    for account_id, territory_id in memberships:
        listed.setdefault(account_id, set()).add(territory_id)
    overrides: dict[int, rules.Override] = {}
    pinned = (
        AccountOverride.objects.filter(in_force_on(as_of), account_id__in=account_ids)
        .select_related("territory", "created_by")
        .order_by("valid_from", "id")  # the latest start wins
    )
    for o in pinned:
        by = o.created_by.get_full_name() or o.created_by.username if o.created_by else ""
        overrides[o.account_id] = rules.Override(
            o.account_id, o.territory_id, o.territory.name, by=by, note=o.note
        )
    facts = [
        rules.AccountFacts(id=i, region=r, state=s, postcode=p, industry=ind, potential=pot)
        for i, r, s, p, ind, pot in accounts.values_list(
            "id", "region", "state", "postcode", "industry", "potential"
        )
    ]
    return rules.resolve(facts, [rule_of(t) for t in territories], listed, overrides)


def accounts_of_territory(
    territory: Territory, accounts: QuerySet[Account], as_of: dt.date
) -> tuple[list[Account], int]:
    """Accounts of ``accounts`` that belong to the territory on ``as_of`` after precedence
    (each with ``reason``), and how many it matches or lists that go elsewhere."""
    pinned = AccountOverride.objects.filter(in_force_on(as_of), territory=territory)
    candidates = accounts.filter(
        Q(id__in=accounts_in(territory, Account.objects.all()).values("id"))
        | Q(id__in=pinned.values("account_id"))
    )
    resolved = resolve_accounts(candidates, as_of)
    mine = {i: a for i, a in resolved.items() if a.territory_id == territory.id}
    rows = list(Account.objects.filter(id__in=list(mine)).order_by("name", "id"))
    for row in rows:
        row.reason = mine[row.id].reason
    return rows, len(resolved) - len(mine)


def assignment_rows(
    accounts: QuerySet[Account], as_of: dt.date, *, uncaught_only: bool = False, q: str = ""
) -> list[tuple[int, rules.Assignment]]:
    """(account id, assignment) for the assignment page, in account-name order."""
    q = q.strip()
    if q:
        accounts = accounts.filter(Q(name__icontains=q) | Q(external_id__icontains=q))
    resolved = resolve_accounts(accounts, as_of)
    order = accounts.order_by("name", "id").values_list("id", flat=True)
    rows = [(i, resolved[i]) for i in order]
    if uncaught_only:
        rows = [(i, a) for i, a in rows if a.territory_id is None]
    return rows


def scenarios_visible_to(user: User) -> QuerySet[Scenario]:
    if not may_view_scenarios(user):
        return Scenario.objects.none()
    return Scenario.objects.select_related("created_by")


def may_view_scenarios(user: User) -> bool:
    return user.is_authenticated and role_of(user) in {User.Role.ADMIN, User.Role.FINANCE}


def may_design(user: User) -> bool:
    return user.is_authenticated and role_of(user) == User.Role.ADMIN


@dataclass
class PlanColumn:
    name: str
    owner: str
    accounts: int
    potential: Decimal
    pipeline: Decimal
    deviation: float  # primary measure, (w − μ) / μ
    mean_km: float
    pieces: int
    territory_id: int | None = None


@dataclass
class Comparison:
    primary: str
    proposed: list[PlanColumn]
    current: list[PlanColumn]
    proposed_quality: dict
    current_quality: dict
    moved: int
    potential_moved: Decimal
    reps_affected: list[str]
    moved_rows: list[tuple[str, str, str]]  # account, from, to (first few)


def _columns(quality: dict, names, owners, primary, ids=None) -> list[PlanColumn]:
    balance = quality["balance"]
    return [
        PlanColumn(
            name=names[i],
            owner=owners[i],
            accounts=quality["accounts"][i],
            potential=Decimal(int(balance["potential"]["loads"][i])) / 100,
            pipeline=Decimal(int(balance["pipeline"]["loads"][i])) / 100,
            deviation=balance[primary]["deviation"][i],
            mean_km=quality["compactness"][i],
            pieces=quality["pieces"][i],
            territory_id=ids[i] if ids else None,
        )
        for i in range(quality["k"])
    ]


def comparison(scenario: Scenario, moved_limit: int = 50) -> Comparison:
    """The scenario side by side with the plan of its day, and which accounts change hands
    (an account moves when its owner changes, or its territory for unowned ones)."""
    primary = scenario.parameters.get("primary", "potential")
    proposed = list(scenario.territories.select_related("owner").order_by("index"))
    current_ids = scenario.quality.get("current_ids", [])
    current = Territory.objects.in_bulk(current_ids)
    owner_rows = TerritoryOwner.objects.filter(
        in_force_on(scenario.as_of), territory_id__in=current_ids
    ).select_related("rep")
    owner_of = {o.territory_id: o.rep for o in owner_rows.order_by("valid_from", "id")}
    moved = 0
    potential_moved = Decimal("0")
    reps: set[str] = set()
    rows = []
    assignments = scenario.assignments.select_related("account", "territory__owner")
    for a in assignments.order_by("account__name", "account_id"):
        before = owner_of.get(a.current_territory_id)
        after = a.territory.owner
        if before is None and after is None:
            changed = a.current_territory_id is None or (
                current.get(a.current_territory_id) is None
                or current[a.current_territory_id].name != a.territory.name
            )
        else:
            changed = before != after
        if not changed:
            continue
        moved += 1
        potential_moved += a.account.potential
        reps.update(r.name for r in (before, after) if r is not None)
        if len(rows) < moved_limit:
            was = current[a.current_territory_id].name if a.current_territory_id in current else "—"
            rows.append((a.account.name, was, a.territory.name))
    return Comparison(
        primary=primary,
        proposed=_columns(
            scenario.quality["proposed"],
            [t.name for t in proposed],
            [t.owner.name if t.owner else "" for t in proposed],
            primary,
        ),
        current=_columns(
            scenario.quality["current"],
            [current[t].name if t in current else "?" for t in current_ids],
            [owner_of[t].name if t in owner_of else "" for t in current_ids],
            primary,
            current_ids,
        ),
        proposed_quality=scenario.quality["proposed"],
        current_quality=scenario.quality["current"],
        moved=moved,
        potential_moved=potential_moved,
        reps_affected=sorted(reps),
        moved_rows=rows,
    )
