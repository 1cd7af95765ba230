"""A pay-ready org: the shared test org plus a monthly plan, assignments and quotas.

Plan ``ae-monthly`` (hand-checkable): 10% of revenue up to $10,000 a month and 15% above
(marginal tiers on amount), a 365-day clawback. Every rep's won deal is $12,000 closed on
2026-02-10, so February pays each of wendy, will and eddie 10% × 10,000 + 15% × 2,000 = $1,300.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.people.models import User
from attain.plans.models import PlanAssignment, PlanDocument, PlanRevision
from attain.quotas.models import Quota
from tests.factories import PASSWORD

MONTHLY_PLAN = """\
id: ae-monthly
version: 1
name: AE monthly commission
valid_from: 2026-01-01
period: month
measures:
  revenue: {source: amount}
clawback: {valid_from: 2026-01-01, within_days: 365, reduces_attainment: false}
components:
  - id: commission
    name: Commission on revenue
    measure: revenue
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        tiers:
          - {from: 0, to: 10000, rate: 10}
          - {from: 10000, rate: 15}
"""


def add_plan(text: str, author=None) -> PlanRevision:
    import hashlib

    from attain.engine import parse_plan

    plan = parse_plan(text, "test.yaml")
    document, _ = PlanDocument.objects.get_or_create(
        plan_id=plan.id,
        version=plan.version,
        defaults={"name": plan.name, "valid_from": plan.valid_from, "valid_to": plan.valid_to},
    )
    number = document.revisions.count() + 1
    return PlanRevision.objects.create(
        document=document,
        number=number,
        yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        author=author,
    )


@pytest.fixture
def pay_org(org):
    org.users["fiona"] = User.objects.create_user(
        username="fiona", password=PASSWORD, role=User.Role.FINANCE, first_name="Fiona"
    )
    add_plan(MONTHLY_PLAN, org.users["admin"])
    for name in ("wendy", "will", "eddie"):
        PlanAssignment.objects.create(
            rep=org.reps[name],
            plan_id="ae-monthly",
            valid_from=dt.date(2026, 1, 1),
            target_incentive=Decimal("2000.00"),
        )
        Quota.objects.create(
            rep=org.reps[name], quota="revenue", period="2026-02", amount=Decimal("10000.00")
        )
    return org
