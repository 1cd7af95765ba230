"""What-if: what an open pipeline deal would pay the rep if it closed in a period.

The real engine runs twice on the database's inputs for the rep and period: once as they
are, once with one extra credit row for the deal (closing on a day in the period, with the
deal's amount, margin and units, and the rep's credit share). The difference per component
is what the deal would add, tiers, caps and accelerators included. Nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from attain.engine import EngineError
from attain.engine.periods import Period
from attain.payouts import services
from attain.payouts.inputs import _main_products, build_inputs
from attain.people import selectors as people
from attain.people.models import Rep
from attain.sales.models import Credit, Deal, DealLine

ZERO = Decimal("0.00")
ESTIMATE_PREFIX = "estimate:"


def open_credits(rep: Rep):
    """The rep's credits on open deals (their pipeline), largest first."""
    return (
        Credit.objects.filter(rep=rep, deal__status=Deal.Status.OPEN)
        .select_related("deal", "deal__account")
        .order_by("-deal__amount", "deal__external_id")
    )


def default_period(day: dt.date | None = None) -> str:
    day = day or people.today()
    return f"{day.year}-{day.month:02d}"


def close_day(window: Period, day: dt.date | None = None) -> dt.date:
    """Today when it falls in the period, else the period's last day."""
    day = day or people.today()
    if window.start <= day < window.end:
        return day
    return window.end - dt.timedelta(days=1)


def credit_row(credit: Credit, window: Period) -> dict:
    deal = credit.deal
    family, product = _main_products({deal.pk}, DealLine).get(deal.pk, ("", ""))
    return {
        "credit_id": f"{ESTIMATE_PREFIX}{credit.pk}",
        "deal_id": deal.external_id,
        "rep_id": credit.rep.external_id,
        "role": credit.role,
        "share": credit.share,
        "event_date": close_day(window),
        "amount": deal.amount,
        "margin": deal.margin,
        "units": deal.units,
        "cancellation_date": None,
        "currency": deal.currency,
        "product_family": family,
        "product_id": product,
        "deal_type": deal.deal_type,
        "account_id": deal.account.external_id,
        "industry": deal.account.industry,
        "region": deal.account.region,
        "stage": deal.stage,
    }


@dataclass
class ComponentChange:
    plan_id: str
    component_id: str
    currency: str
    before: Decimal = ZERO
    after: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


@dataclass
class Estimate:
    rep: Rep
    deal: Deal
    credit: Credit
    period: str
    close_date: dt.date
    currency: str
    components: list[ComponentChange] = field(default_factory=list)
    deal_lines: list[dict] = field(default_factory=list)  # the engine lines of the deal
    changed_lines: list[dict] = field(default_factory=list)  # other lines whose amount moved

    @property
    def before(self) -> Decimal:
        return sum((c.before for c in self.components if c.currency == self.currency), ZERO)

    @property
    def after(self) -> Decimal:
        return sum((c.after for c in self.components if c.currency == self.currency), ZERO)

    @property
    def difference(self) -> Decimal:
        return self.after - self.before

    @property
    def held_on_cash(self) -> Decimal:
        """What the deal earns in the period but a plan paying on invoice or collection
        holds back until the deal is invoiced (collected): paid later, as it is."""
        return -sum(
            (
                line["amount"]
                for line in self.deal_lines
                if line["line_kind"] == "hold" and line["currency"] == self.currency
            ),
            ZERO,
        )


def _rep_lines(result, rep_ref: str) -> list[dict]:
    return [line for line in result.lines.to_pylist() if line["rep_id"] == rep_ref]


def _line_key(line: dict) -> tuple:
    return (
        line["period"],
        line["plan_id"],
        line["component_id"],
        line["line_kind"],
        line["credit_id"],
        line["tier"],
    )


def estimate(credit: Credit, period: str) -> Estimate:
    """What ``credit``'s open deal would add to the rep's pay for ``period``."""
    deal, rep = credit.deal, credit.rep
    if deal.status != Deal.Status.OPEN:
        raise ValidationError("Only open pipeline deals can be estimated.")
    window = services.parse_run_period(period)
    try:
        base_inputs = build_inputs(window.label, rep_ids=[rep.pk])
        with_inputs = build_inputs(
            window.label, rep_ids=[rep.pk], extra_credits=[credit_row(credit, window)]
        )
        without = _rep_lines(services.run_engine(base_inputs), rep.external_id)
        with_deal = _rep_lines(services.run_engine(with_inputs), rep.external_id)
    except EngineError as error:
        raise ValidationError(f"The plan could not be calculated: {error}") from None
    changes: dict[tuple, ComponentChange] = {}

    def change(line: dict) -> ComponentChange:
        key = (line["plan_id"] or "", line["component_id"] or "", line["currency"])
        return changes.setdefault(key, ComponentChange(*key))

    for line in without:
        change(line).before += line["amount"]
    for line in with_deal:
        change(line).after += line["amount"]
    credit_id = f"{ESTIMATE_PREFIX}{credit.pk}"
    before_by_key = defaultdict(lambda: ZERO)
    for line in without:
        before_by_key[_line_key(line)] += line["amount"]
    changed = []
    for line in with_deal:
        if line["credit_id"] == credit_id:
            continue
        old = before_by_key.get(_line_key(line), ZERO)
        if old != line["amount"]:
            changed.append({**line, "before": old, "difference": line["amount"] - old})
    currencies = defaultdict(int)
    for line in with_deal:
        currencies[line["currency"]] += 1
    currency = max(currencies, key=currencies.get) if currencies else deal.currency
    return Estimate(
        rep=rep,
        deal=deal,
        credit=credit,
        period=window.label,
        close_date=close_day(window),
        currency=currency,
        components=[changes[k] for k in sorted(changes) if changes[k].before or changes[k].after],
        deal_lines=[line for line in with_deal if line["credit_id"] == credit_id],
        changed_lines=changed,
    )


def credit_for(user, deal_id: int, rep_id: int | None = None) -> Credit | None:
    """The credit on open deal ``deal_id`` the user may estimate: their own as a rep; for
    managers, admin and finance the given rep's (default: the first visible credited rep)."""
    visible = people.visible_rep_ids(user)
    credits = Credit.objects.filter(deal_id=deal_id, deal__status=Deal.Status.OPEN).select_related(
        "deal", "deal__account", "rep"
    )
    if rep_id is not None:
        credits = credits.filter(rep_id=rep_id)
    if visible is not None:
        credits = credits.filter(rep_id__in=visible)
    own = people.rep_for_user(user)
    ordered = sorted(credits, key=lambda c: (own is None or c.rep_id != own.pk, -c.share, c.pk))
    return ordered[0] if ordered else None
