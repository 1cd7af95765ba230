"""Territory performance: won revenue, attainment, pipeline and potential per territory and
region, on the same account assignment as everything else (``resolve_accounts``).

- Accounts belong to the territory that precedence gives them on the **reference day**: the
  period's last day, or today for a period in progress.
- **Won**: deals on those accounts won with a close date in the period and not cancelled.
- **Pipeline**: open deals on those accounts today.
- **Quota**: the territory owners' ``revenue`` quotas for the period (shared by days when a
  quota's period differs); a rep owning several territories counts 1/k of their quota in
  each of the k. **Attainment** = won ÷ quota.
- **Region**: the most common region among the territory's accounts (ties: alphabetical).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import QuerySet

from attain.common import in_force_on
from attain.engine.periods import Period
from attain.quotas.windows import quota_totals
from attain.sales.models import Account, Deal
from attain.territories.models import Territory, TerritoryOwner
from attain.territories.selectors import resolve_accounts

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class Performance:
    name: str
    territory: Territory | None = None
    region: str = ""
    owners: list[str] = field(default_factory=list)
    accounts: int = 0
    potential: Decimal = ZERO
    won: Decimal = ZERO
    won_count: int = 0
    pipeline: Decimal = ZERO
    quota: Decimal | None = None

    @property
    def attainment(self) -> Decimal | None:
        if not self.quota:
            return None
        return (self.won * 100 / self.quota).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)

    @property
    def won_per_potential(self) -> Decimal | None:
        if not self.potential:
            return None
        return (self.won * 100 / self.potential).quantize(Decimal("0.1"))

    def add(self, other: Performance) -> None:
        self.accounts += other.accounts
        self.potential += other.potential
        self.won += other.won
        self.won_count += other.won_count
        self.pipeline += other.pipeline
        if other.quota is not None:
            self.quota = (self.quota or ZERO) + other.quota


@dataclass
class Report:
    window: Period
    reference: dt.date
    territories: list[Performance]
    regions: list[Performance]
    total: Performance


def reference_day(window: Period, today: dt.date) -> dt.date:
    return min(window.end - dt.timedelta(days=1), today)


def territory_performance(
    territories: QuerySet[Territory], window: Period, today: dt.date
) -> Report:
    day = reference_day(window, today)
    chosen = {t.id: t for t in territories.filter(in_force_on(day))}
    resolved = resolve_accounts(Account.objects.all(), day)
    territory_of = {
        account_id: a.territory_id for account_id, a in resolved.items() if a.territory_id in chosen
    }
    rows = {tid: Performance(name=t.name, territory=t) for tid, t in chosen.items()}
    regions: dict[int, Counter] = defaultdict(Counter)
    # Every account and deal read, those outside the chosen territories skipped here:
    # listing tens of thousands of account ids in each query cost more than reading them.
    accounts = Account.objects.values_list("id", "potential", "region")
    for account_id, potential, region in accounts.iterator(chunk_size=5000):
        if account_id not in territory_of:
            continue
        row = rows[territory_of[account_id]]
        row.accounts += 1
        row.potential += potential or ZERO
        regions[territory_of[account_id]][region or "(no region)"] += 1
    won = Deal.objects.filter(
        status=Deal.Status.WON,
        close_date__gte=window.start,
        close_date__lte=day,
        cancellation_date__isnull=True,
    ).values_list("account_id", "amount")
    for account_id, amount in won.iterator(chunk_size=5000):
        if account_id not in territory_of:
            continue
        rows[territory_of[account_id]].won += amount
        rows[territory_of[account_id]].won_count += 1
    pipeline = Deal.objects.filter(status=Deal.Status.OPEN).values_list("account_id", "amount")
    for account_id, amount in pipeline.iterator(chunk_size=5000):
        if account_id in territory_of:
            rows[territory_of[account_id]].pipeline += amount
    _add_quotas(rows, window, day)
    for tid, row in rows.items():
        counts = regions.get(tid)
        if counts:
            row.region = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    ordered = sorted(rows.values(), key=lambda r: (r.region, r.name.lower()))
    by_region: dict[str, Performance] = {}
    total = Performance(name="All territories")
    for row in ordered:
        by_region.setdefault(row.region, Performance(name=row.region or "(no accounts)"))
        by_region[row.region].add(row)
        total.add(row)
    return Report(window, day, ordered, list(by_region.values()), total)


def _add_quotas(rows: dict[int, Performance], window: Period, day: dt.date) -> None:
    owners = TerritoryOwner.objects.filter(in_force_on(day), territory_id__in=list(rows))
    owned: dict[int, list[int]] = defaultdict(list)  # rep → territories
    for territory_id, rep_id, name in owners.values_list("territory_id", "rep_id", "rep__name"):
        owned[rep_id].append(territory_id)
        rows[territory_id].owners.append(name)
    quotas = quota_totals(owned, "revenue", window.start, window.end)
    for rep_id, territory_ids in owned.items():
        if rep_id not in quotas:
            continue
        share = (quotas[rep_id] / len(territory_ids)).quantize(CENT, rounding=ROUND_HALF_EVEN)
        for territory_id in territory_ids:
            rows[territory_id].quota = (rows[territory_id].quota or ZERO) + share
