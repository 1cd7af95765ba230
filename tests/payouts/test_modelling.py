"""Plan modelling on a hand-checked example.

March 2026: three won deals, each owned by one rep on the per-unit plan ``unit-plan``:

    deal  rep    amount   margin  margin %  units
    M1    wendy  10,000     500      5%       10
    M2    wendy  10,000   3,500     35%       10
    M3    will   20,000   4,000     20%       20

``unit-plan`` pays $50 per unit: M1 $500, M2 $500, M3 $1,000 → $2,000.
``margin-plan`` pays 25% of margin: M1 $125, M2 $875, M3 $1,000 → $2,000.
Revenue $40,000, margin $8,000: both cost 5% of revenue and 25% of margin.
Per margin dollar, the per-unit plan pays $1.00 on the 5% deal and $0.1429 on the 35% deal
(7×): it gets the warning; the margin plan pays $0.25 everywhere and does not.
Winners and losers of margin-plan vs unit-plan: wendy +0 (125 + 875 = 1,000 = 500 + 500),
will 0: nobody moves; eddie is on no plan and is left out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEntry
from attain.payouts import modelling
from attain.payouts.models import CalcRun, LedgerLine
from attain.plans.models import PlanAssignment
from attain.quotas.models import Quota
from attain.sales.models import Credit, Deal
from tests.payouts.conftest import add_plan

UNIT_PLAN = """\
id: unit-plan
version: 1
name: Per unit
valid_from: 2026-01-01
period: month
measures:
  units: {source: units}
components:
  - id: units
    name: Per unit sold
    measure: units
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        rate: per_unit
        tiers:
          - {from: 0, rate: 50}
"""

MARGIN_PLAN = """\
id: margin-plan
version: 1
name: Margin share
valid_from: 2026-01-01
period: month
measures:
  margin: {source: margin}
components:
  - id: margin
    name: Share of margin
    measure: margin
    rate_tables:
      - valid_from: 2026-01-01
        basis: amount
        semantic: marginal
        tiers:
          - {from: 0, rate: 25}
"""

DEALS = (
    ("M1", "wendy", "10000.00", "500.00", "10"),
    ("M2", "wendy", "10000.00", "3500.00", "10"),
    ("M3", "will", "20000.00", "4000.00", "20"),
)


def build_model_org(org):
    admin = org.users["admin"]
    unit = add_plan(UNIT_PLAN, admin)
    margin = add_plan(MARGIN_PLAN, admin)
    for name, target in (("wendy", "1000.00"), ("will", "1500.00")):
        PlanAssignment.objects.create(
            rep=org.reps[name],
            plan_id="unit-plan",
            valid_from=dt.date(2026, 3, 1),
            target_incentive=Decimal(target),
        )
        Quota.objects.create(
            rep=org.reps[name], quota="revenue", period="2026-03", amount=Decimal("20000.00")
        )
    for ref, name, amount, margin_, units in DEALS:
        deal = Deal.objects.create(
            external_id=ref,
            account=org.accounts[name],
            owner=org.reps[name],
            status=Deal.Status.WON,
            amount=Decimal(amount),
            margin=Decimal(margin_),
            units=Decimal(units),
            created_date=dt.date(2026, 3, 1),
            close_date=dt.date(2026, 3, 15),
        )
        Credit.objects.create(deal=deal, rep=org.reps[name], role="owner", share=Decimal("1"))
    org.plans = {"unit": unit.document, "margin": margin.document}
    return org


@pytest.fixture
def model_org(org):
    return build_model_org(org)


def _model(org, user="admin", candidates=("margin",)):
    chosen = [modelling.document_candidate(org.plans[c].pk) for c in candidates]
    return modelling.model_plans(org.users[user], "2026-03", "unit-plan", chosen)


@pytest.mark.django_db
def test_hand_checked_totals_cost_of_sales_and_warnings(model_org):
    audit_before = AuditEntry.objects.count()
    result = _model(model_org, candidates=("margin", "unit"))
    current, margin, unit = result.current, *result.candidates
    assert not current.error and not margin.error and not unit.error
    assert result.reps == ["R-WENDY", "R-WILL"]
    assert (result.revenue, result.margin, result.units) == (
        Decimal("40000.00"),
        Decimal("8000.00"),
        Decimal("40"),
    )
    for item in (current, margin, unit):
        assert item.total == Decimal("2000.00")
        assert item.cost_of_revenue == Decimal("0.0500")
        assert item.cost_of_margin == Decimal("0.2500")
    assert sorted(current.per_rep.values()) == [Decimal("1000.00"), Decimal("1000.00")]

    bands = {b.label: b for b in current.bands}
    assert bands["under 10%"].payout == Decimal("500.00")
    assert bands["under 10%"].per_margin_dollar == Decimal("1.0000")
    assert bands["30% or more"].per_margin_dollar == Decimal("0.1429")
    assert bands["20–30%"].per_margin_dollar == Decimal("0.2500")
    assert bands["10–20%"].deals == 0 and bands["10–20%"].per_margin_dollar is None
    assert {b.per_margin_dollar for b in margin.bands if b.deals} == {Decimal("0.2500")}

    assert any(w.startswith("Pays per unit sold regardless of profit") for w in current.warnings)
    assert any("used-car lot" in w for w in unit.warnings)
    assert margin.warnings == []

    # Per deal, the per-unit plan follows units exactly; the margin plan follows margin.
    assert current.correlations["units"]["pearson"] == pytest.approx(1.0)
    assert margin.correlations["margin"]["pearson"] == pytest.approx(1.0)
    assert margin.correlations["margin"]["spearman"] == pytest.approx(1.0)
    assert current.correlations["margin"]["spearman"] == pytest.approx(0.866, abs=1e-3)

    # Nobody's pay changes in this example (wendy 500 + 500 = 125 + 875).
    assert margin.winners == [] and margin.losers == []
    # Attainment: revenue quota 20,000 each; wendy 20,000 (at), will 20,000 (at).
    (revenue,) = result.attainment
    assert (revenue.quota, revenue.reps_with_quota, revenue.reps_at_or_above) == ("revenue", 2, 2)
    assert revenue.share == Decimal("1.0000")

    # Nothing written.
    assert not CalcRun.objects.exists() and not LedgerLine.objects.exists()
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_winners_losers_distribution_and_pasted_yaml(model_org):
    richer = MARGIN_PLAN.replace("id: margin-plan", "id: rich").replace("rate: 25", "rate: 50")
    result = modelling.model_plans(
        model_org.users["finance"],
        "2026-03",
        "unit-plan",
        [modelling.yaml_candidate(richer)],
    )
    (rich,) = result.candidates
    assert rich.total == Decimal("4000.00")
    # wendy 250 + 1,750 = 2,000 (was 1,000); will 2,000 (was 1,000).
    assert [(r.name, r.delta) for r in rich.winners] == [
        ("Wendy Example", Decimal("1000.00")),
        ("Will Example", Decimal("1000.00")),
    ]
    assert rich.losers == []
    assert rich.stats.minimum == rich.stats.maximum == Decimal("2000.00")
    assert sum(rich.histogram) == 2 and sum(result.current.histogram) == 2
    figures = modelling.charts(result)
    assert len(figures["distribution"]["data"]) == 2 and len(figures["bands"]["data"]) == 2


@pytest.mark.django_db
def test_errors_are_reported_not_raised(model_org):
    with pytest.raises(ValidationError):
        modelling.yaml_candidate("id: [not a plan")
    quarterly = MARGIN_PLAN.replace("id: margin-plan", "id: q").replace(
        "period: month", "period: quarter"
    )
    result = modelling.model_plans(
        model_org.users["admin"], "2026-03", "unit-plan", [modelling.yaml_candidate(quarterly)]
    )
    assert result.candidates[0].error and not result.current.error
    with pytest.raises(ValidationError):
        modelling.model_plans(model_org.users["admin"], "2026-03", "nope", [])
    with pytest.raises(ValidationError):
        _model(model_org, candidates=())


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["walt", "wendy", "vera"])
def test_managers_and_reps_may_not_model(model_org, user):
    with pytest.raises(PermissionDenied):
        _model(model_org, user=user)


def _scenario_paying(*amounts: str) -> modelling.Scenario:
    item = modelling.Scenario(key="s", label="s", plan_id="p")
    item.per_rep = {f"R{i}": Decimal(a) for i, a in enumerate(amounts)}
    return item


def test_histogram_bins_are_round_and_equal_pay_makes_one_bar():
    # Everybody earns $1,000: one bin (width 1% of $1,000 = $10), not ten $1 bins.
    same = _scenario_paying("1000.00", "1000.00")
    edges = modelling._histogram_edges([same])
    assert edges == [Decimal("1000"), Decimal("1010")]
    assert modelling._histogram(list(same.per_rep.values()), edges) == [2]
    # $0 to $7,280: round $1,000 bins from $0; the largest pay sits in the last bin.
    spread = _scenario_paying("0", "520.00", "2200.00", "7280.00", "8000.00")
    edges = modelling._histogram_edges([spread])
    assert edges == [Decimal(1000) * i for i in range(9)]
    assert modelling._histogram(list(spread.per_rep.values()), edges) == [2, 0, 1, 0, 0, 0, 0, 2]
    assert modelling._histogram_edges([]) == []
    assert modelling._histogram_edges([_scenario_paying("0", "0")]) == [0, 1]


def test_plain_numbers_drop_trailing_zeros():
    assert modelling.plain_number(Decimal("40.000000")) == "40"
    assert modelling.plain_number(Decimal("1234.50")) == "1,234.5"
    assert modelling.plain_number(Decimal("0")) == "0"


def _deal(percent: int) -> dict:
    return {"amount": Decimal(100), "margin": Decimal(percent)}


def test_margin_bands_are_fixed_unless_one_holds_most_deals():
    spread = [_deal(p) for p in (5, 8, 12, 15, 22, 25, 35, 40)]
    assert modelling.margin_bands(spread) == modelling.BANDS
    assert modelling.margin_bands([_deal(80)] * 3) == modelling.BANDS  # too few to split
    # The demo's deals all earn 30% or more: quartiles of their margin % instead.
    rich = [_deal(p) for p in (45, 60, 70, 75, 78, 81, 84, 86, 88, 90, 92, 95)]
    bands = modelling.margin_bands(rich)
    assert [b[0] for b in bands] == ["under 75%", "75–84%", "84–90%", "90% or more"]
    assert [modelling._band_of(d, bands) for d in rich] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
