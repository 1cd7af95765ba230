"""Pay for the demo organisation: two plans, assignments, quotas and a few real runs.

- ``demo-per-unit`` — the plan everyone sells on: a fixed amount per unit sold, whatever
  the margin (the used-car lot that pays per car).
- ``demo-margin`` — the alternative: a share of margin, in tiers on attainment of a monthly
  margin quota. Its rates are scaled so that, on the last complete month, it costs about
  what the per-unit plan costs: the modelling page then compares like with like.

Every seller (account executives and specialists) is on ``demo-per-unit`` from their hire
date (or the plans' start) to their termination; each has monthly ``revenue`` and
``margin`` quotas to the end of the current quarter (their average month over the months
the demo has deals for, source "distributed"). The last complete months are
calculated, approved and paid through the real services (started by the demo admin,
approved and paid by the demo finance login), and the current month is a draft, so the demo
rep has statements. Everything is deterministic: same demo data, same plans and numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

PER_UNIT_PLAN = "demo-per-unit"
MARGIN_PLAN = "demo-margin"
SELLER_TITLES = ("Account Executive", "Solutions Specialist")
PER_UNIT_RATE = Decimal("40")
CLOSED_MONTHS = 3
TARGET_INCENTIVE = {
    "Account Executive": Decimal("30000.00"),
    "Solutions Specialist": Decimal("15000.00"),
}
MIN_QUOTA = Decimal("1000.00")

PER_UNIT_YAML = """\
id: demo-per-unit
version: 1
name: Per unit sold
valid_from: {start}
currency: USD
period: month
measures:
  units: {{source: units}}
clawback: {{valid_from: {start}, within_days: 90, reduces_attainment: false}}
components:
  - id: per_unit
    name: ${rate} per unit sold
    measure: units
    rate_tables:
      - valid_from: {start}
        basis: amount
        semantic: marginal
        rate: per_unit
        tiers:
          - {{from: 0, rate: {rate}}}
"""

MARGIN_YAML = """\
id: demo-margin
version: 1
name: Share of margin
valid_from: {start}
currency: USD
period: month
measures:
  margin: {{source: margin}}
clawback: {{valid_from: {start}, within_days: 90, reduces_attainment: false}}
components:
  - id: margin_share
    name: Share of margin, tiered on margin quota attainment
    measure: margin
    quota: {{name: margin}}
    rate_tables:
      - valid_from: {start}
        basis: attainment
        semantic: marginal
        evaluation: cumulative
        tiers:
          - {{from: 0, to: 100, rate: {low}}}
          - {{from: 100, rate: {high}}}
"""


def _month_label(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _save_plan(text: str, author, comment: str):
    from attain.engine import parse_plan
    from attain.plans.models import PlanDocument, PlanRevision

    plan = parse_plan(text, f"{comment}.yaml")
    document = PlanDocument.objects.create(
        plan_id=plan.id,
        version=plan.version,
        name=plan.name,
        valid_from=plan.valid_from,
        valid_to=plan.valid_to,
    )
    return PlanRevision.objects.create(
        document=document,
        number=1,
        yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        author=author,
        comment=comment,
    )


def _monthly_totals(start: dt.date, end: dt.date) -> dict[int, dict[str, dict[str, Decimal]]]:
    """Credited revenue and margin per rep and month, won deals closed in [start, end)."""
    from attain.sales.models import Credit, Deal

    totals: dict = defaultdict(
        lambda: defaultdict(lambda: {"revenue": Decimal(0), "margin": Decimal(0)})
    )
    rows = Credit.objects.filter(
        deal__status=Deal.Status.WON, deal__close_date__gte=start, deal__close_date__lt=end
    ).values_list("rep_id", "deal__close_date", "deal__amount", "deal__margin", "share")
    for rep_id, close, amount, margin, share in rows.iterator(chunk_size=5000):
        month = totals[rep_id][_month_label(close)]
        month["revenue"] += amount * share
        month["margin"] += (margin or 0) * share
    return totals


def _first_deal_month() -> dt.date | None:
    """The first month a won deal closed in: where the demo's sales history starts."""
    from django.db.models import Min

    from attain.sales.models import Deal

    first = Deal.objects.filter(status=Deal.Status.WON).aggregate(m=Min("close_date"))["m"]
    return first.replace(day=1) if first else None


def _round_quota(value: Decimal) -> Decimal:
    return max(MIN_QUOTA, (value / 100).quantize(Decimal(1), ROUND_HALF_EVEN) * 100)


def create_pay_demo(as_of: dt.date) -> None:
    """Plans, assignments, quotas and runs for the loaded demo org (see the module doc)."""
    from attain.payouts.services import approve_run, mark_paid, start_run
    from attain.people.models import Rep, User
    from attain.plans.models import PlanAssignment
    from attain.quotas.models import Quota

    admin = User.objects.get(username="admin")
    finance = User.objects.get(username="finance")
    sellers = list(Rep.objects.filter(title__in=SELLER_TITLES).order_by("external_id"))
    first_month = min((r.hire_date for r in sellers if r.hire_date), default=as_of).replace(day=1)
    start = dt.date(first_month.year, 1, 1)
    current_month = as_of.replace(day=1)
    # Quotas run to the end of the current quarter, as a quarter's quotas are set before it
    # starts: the forecast of this quarter has a whole quarter's quota to compare with.
    quarter_end = _add_months(current_month, (2 - (current_month.month - 1) % 3))
    months = []
    month = first_month
    while month <= quarter_end:
        months.append(month)
        month = _add_months(month, 1)

    _save_plan(PER_UNIT_YAML.format(start=start, rate=PER_UNIT_RATE), admin, PER_UNIT_PLAN)

    totals = _monthly_totals(first_month, _add_months(current_month, 1))
    data_start = _first_deal_month() or current_month
    assignments, quotas = [], []
    for rep in sellers:
        valid_from = max(rep.hire_date or start, start)
        if rep.termination_date and rep.termination_date <= valid_from:
            continue
        assignments.append(
            PlanAssignment(
                rep=rep,
                plan_id=PER_UNIT_PLAN,
                valid_from=valid_from,
                valid_to=rep.termination_date,
                target_incentive=TARGET_INCENTIVE[rep.title],
            )
        )
        active = [
            m
            for m in months
            if _add_months(m, 1) > valid_from
            and (rep.termination_date is None or m < rep.termination_date)
        ]
        # Their average month over the months the demo has deals for (a long tenure's
        # earlier months have none: counting them would set quotas a fraction of the pace).
        history = [
            totals[rep.pk][_month_label(m)] for m in active if data_start <= m < current_month
        ]
        for measure in ("revenue", "margin"):
            average = sum((h[measure] for h in history), Decimal(0)) / max(len(history), 1)
            amount = _round_quota(average)
            quotas += [
                Quota(
                    rep=rep,
                    quota=measure,
                    period=_month_label(m),
                    amount=amount,
                    source=Quota.Source.DISTRIBUTED,
                    updated_by=admin,
                )
                for m in active
            ]
    PlanAssignment.objects.bulk_create(assignments)
    Quota.objects.bulk_create(quotas, batch_size=2000)

    closed = [_add_months(current_month, -k) for k in range(CLOSED_MONTHS, 0, -1)]
    closed = [m for m in closed if m >= first_month]
    low, high = _margin_rates(admin, _month_label(closed[-1] if closed else current_month))
    _save_plan(MARGIN_YAML.format(start=start, low=low, high=high), admin, MARGIN_PLAN)

    for month in closed:
        run = start_run(admin, _month_label(month), note="Demo: monthly pay run")
        run = approve_run(finance, run)
        mark_paid(finance, run)
    start_run(admin, _month_label(current_month), as_of=as_of, note="Demo: month to date")


def _margin_rates(admin, period: str) -> tuple[Decimal, Decimal]:
    """Rates of the margin plan (below / above 100% of the margin quota, 1 : 1.5) that make it
    cost about what the per-unit plan costs in ``period``: model it once at 10% / 15% and
    scale (marginal tiers pay in proportion to their rates)."""
    from attain.payouts import modelling

    trial = MARGIN_YAML.format(start="2000-01-01", low="10", high="15")
    result = modelling.model_plans(admin, period, PER_UNIT_PLAN, [modelling.yaml_candidate(trial)])
    candidate = result.candidates[0]
    if candidate.error or not candidate.total:
        return Decimal("10"), Decimal("15")
    scale = result.current.total / candidate.total
    low = (Decimal(10) * scale).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
    return low, (low * Decimal("1.5")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


def delete_pay_demo() -> None:
    """Remove pay data before a reset: runs and their lines, inquiries and adjustments,
    assignments, quotas and the two demo plans. The audit log is append-only and keeps its
    entries; demo logins that acted in it are retired (renamed, unable to log in) so the
    reset can create fresh ones."""
    from django.db import models

    from attain.audit.models import AuditEntry
    from attain.demo.logins import LOGIN_SPECS
    from attain.payouts.models import (
        CalcRun,
        Inquiry,
        InquiryMessage,
        LedgerLine,
        ManualAdjustment,
    )
    from attain.people.models import Rep, User
    from attain.plans.models import PlanAssignment, PlanDocument, PlanRevision
    from attain.quotas.models import Quota

    InquiryMessage.objects.all().delete()
    Inquiry.objects.all().delete()
    ManualAdjustment.objects.all().delete()
    # Closed runs refuse changes through their managers; a reset removes them on purpose.
    models.QuerySet(LedgerLine).update(corrects=None)
    models.QuerySet(LedgerLine).delete()
    models.QuerySet(CalcRun).delete()
    PlanAssignment.objects.all().delete()
    Quota.objects.all().delete()
    demo_plans = PlanDocument.objects.filter(plan_id__in=[PER_UNIT_PLAN, MARGIN_PLAN])
    PlanRevision.objects.filter(document__in=demo_plans).delete()
    demo_plans.delete()

    acted = set(AuditEntry.objects.values_list("actor_id", flat=True).distinct())
    for user in User.objects.filter(username__in=[s[1] for s in LOGIN_SPECS], pk__in=acted):
        stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S%f")
        user.username = f"{user.username}-retired-{stamp}"[:150]
        user.is_active = False
        user.set_unusable_password()
        user.save()
        Rep.objects.filter(user=user).update(user=None)
