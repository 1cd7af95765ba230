"""The demo's pay data: two plans, assignments, quotas, closed runs and a draft, and a
modelling comparison that warns about the per-unit plan only."""

from __future__ import annotations

import re

import pytest
from django.db import models

from attain.coaching.models import PersonalGoal
from attain.demo.config import DemoConfig
from attain.demo.pay import MARGIN_PLAN, PER_UNIT_PLAN, SELLER_TITLES
from attain.demo.services import load
from attain.demo.showcase import create_showcase
from attain.engine import parse_plan
from attain.payouts import modelling
from attain.payouts.models import CalcRun, LedgerLine
from attain.people.models import Rep, User
from attain.plans.models import PlanAssignment, PlanDocument
from attain.quotas.models import Quota
from tests.demo.conftest import AS_OF

SMALL = DemoConfig(as_of=AS_OF, reps=20, deals=2_000, accounts=500)


@pytest.fixture
def demo_pay(transactional_db):
    load(SMALL, to_db=True, parquet=None)
    create_showcase(AS_OF)


def test_demo_has_plans_assignments_quotas_and_runs(demo_pay, client):
    admin = User.objects.get(username="admin")
    finance = User.objects.get(username="finance")
    for plan_id in (PER_UNIT_PLAN, MARGIN_PLAN):
        document = PlanDocument.objects.get(plan_id=plan_id)
        assert document.current.author == admin
        parse_plan(document.current.yaml, f"{plan_id}.yaml")

    sellers = Rep.objects.filter(title__in=SELLER_TITLES)
    assigned = PlanAssignment.objects.filter(plan_id=PER_UNIT_PLAN)
    assert set(assigned.values_list("rep_id", flat=True)) == set(
        sellers.values_list("pk", flat=True)
    )
    for assignment in assigned.select_related("rep"):
        assert assignment.valid_to == assignment.rep.termination_date
        assert assignment.target_incentive > 0
    quotas = Quota.objects.filter(period="2026-10")
    assert set(quotas.values_list("quota", flat=True)) == {"revenue", "margin"}
    assert not quotas.exclude(source=Quota.Source.DISTRIBUTED).exists()
    # To the end of the current quarter (AS_OF is in November): December is set too.
    current = sellers.filter(termination_date__isnull=True)
    december = Quota.objects.filter(period="2026-12", quota="revenue", rep__in=current)
    assert december.count() == current.count()

    runs = list(CalcRun.objects.order_by("period").values_list("period", "status"))
    assert runs == [
        ("2026-08", "paid"),
        ("2026-09", "paid"),
        ("2026-10", "paid"),
        ("2026-11", "draft"),
    ]
    for run in CalcRun.objects.filter(status="paid"):
        assert run.started_by == admin and run.approved_by == finance and run.total_amount > 0

    rep = Rep.objects.get(user__username="rep")
    assert LedgerLine.objects.filter(rep=rep, run__status="paid").exists()

    # The demo rep saves half their pay toward a goal; the home page shows it from the runs.
    goal = PersonalGoal.objects.get(rep__user__username="rep")
    assert goal.savings_rate == 50
    client.logout()
    assert client.login(username="rep", password="attain-rep-demo")
    page = client.get("/").content.decode()
    assert "House deposit" in page
    assert re.search(r"from 50% of commission paid over \d pay periods? since", page)


def test_modelling_warns_about_the_per_unit_plan_only(demo_pay):
    admin = User.objects.get(username="admin")
    margin = PlanDocument.objects.get(plan_id=MARGIN_PLAN)
    result = modelling.model_plans(
        admin, "2026-10", PER_UNIT_PLAN, [modelling.document_candidate(margin.pk)]
    )
    current, (candidate,) = result.current, result.candidates
    assert not current.error and not candidate.error
    assert any("used-car lot" in w for w in current.warnings), current.warnings
    assert candidate.warnings == []
    # Both plans cost about the same (the margin plan's rates are scaled to match).
    assert abs(candidate.total - current.total) <= current.total / 5


def test_demo_forecast_has_calls_and_accuracy(demo_pay, client):
    """Every rep who owns deals called the last four quarters at mid-quarter and this one;
    managers called for their teams; the pages show them, and the bias of each rep's calls
    shows in their accuracy."""
    from attain.forecasts import selectors as forecasts
    from attain.forecasts.models import ForecastCall

    owners = Rep.objects.filter(owned_deals__isnull=False).distinct()
    quarters = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    own = ForecastCall.objects.filter(scope="own")
    assert own.count() == owners.count() * len(quarters)
    assert sorted(set(own.values_list("period", flat=True))) == quarters
    assert ForecastCall.objects.filter(scope="team", period="2026-Q4").exists()
    assert not ForecastCall.objects.filter(best_case__lt=models.F("commit")).exists()
    rep = Rep.objects.get(user__username="rep")
    history = forecasts.accuracy(rep, "own", AS_OF)
    assert all(row.commit is not None for row in history)
    assert client.login(username="manager", password="attain-manager-demo")
    page = client.get("/forecasts/").content.decode()
    assert "Team forecast" in page and "Your team call: commit" in page


def test_quotas_are_set_at_the_pace_of_the_sales_history(demo_pay):
    """A seller's monthly quota is their average credited month over the months the demo
    has deals for, not over a tenure that starts years before them: across the sellers,
    the credited revenue of the months with deals is about the sum of their quotas."""
    from django.db.models import F, Sum

    from attain.sales.models import Credit, Deal

    first = Deal.objects.filter(status="won").aggregate(m=models.Min("close_date"))["m"]
    months = [f"{y}-{m:02d}" for y in range(first.year, AS_OF.year + 1) for m in range(1, 13)]
    history = [m for m in months if f"{first:%Y-%m}" <= m < f"{AS_OF:%Y-%m}"]
    sellers = Rep.objects.filter(title__in=SELLER_TITLES, termination_date__isnull=True)
    sellers = sellers.filter(hire_date__lte=first)  # with the company the whole time
    credited = Credit.objects.filter(
        rep__in=sellers,
        deal__status="won",
        deal__close_date__gte=first.replace(day=1),
        deal__close_date__lt=AS_OF.replace(day=1),
    ).aggregate(s=Sum(F("deal__amount") * F("share")))["s"]
    quota = Quota.objects.filter(rep__in=sellers, quota="revenue", period__in=history).aggregate(
        s=Sum("amount")
    )["s"]
    assert 0.9 < float(credited / quota) < 1.1, (credited, quota)
