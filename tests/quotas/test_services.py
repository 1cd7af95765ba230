"""Quota entry and distribution services: validation, permission, audit, exact sums."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEntry
from attain.quotas import services
from attain.quotas.models import Quota
from attain.quotas.services import DistributionRequest, QuotaData
from attain.sales.models import Deal
from attain.territories.models import Territory, TerritoryOwner

pytestmark = pytest.mark.django_db
D = Decimal


def data(org, **kw):
    values = {"rep": org.reps["will"], "quota": "revenue", "period": "2026-Q2", "amount": "1000"}
    values.update(kw)
    return QuotaData(**values)


def test_an_admin_creates_updates_and_deletes_with_audit(org):
    admin = org.users["admin"]
    quota = services.create_quota(by=admin, data=data(org))
    assert quota.amount == D("1000.00") and quota.source == "entered"
    assert quota.updated_by == admin
    services.update_quota(quota, by=admin, data=data(org, amount="1500.50", currency="eur"))
    quota.refresh_from_db()
    assert (quota.amount, quota.currency) == (D("1500.50"), "EUR")
    services.delete_quota(quota, by=admin)
    entries = list(AuditEntry.objects.filter(object_type="quotas.Quota").order_by("id"))
    assert [e.action for e in entries] == ["quota.create", "quota.update", "quota.delete"]
    assert entries[1].before["amount"] == "1000.00"
    assert entries[1].after["amount"] == "1500.50"
    assert entries[2].before["currency"] == "EUR" and entries[2].after is None
    assert not Quota.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "2026-Q5"}, "period"),
        ({"period": "2026-q1"}, "period"),  # not the engine's spelling
        ({"period": "Q1 2026"}, "period"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "US"}, "currency"),
        ({"currency": "U$D"}, "currency"),
        ({"rep": None}, "rep"),
        ({"quota": " "}, "quota"),
    ],
)
def test_validation(org, change, field):
    with pytest.raises(ValidationError) as caught:
        services.create_quota(by=org.users["admin"], data=data(org, **change))
    assert field in caught.value.message_dict
    assert not Quota.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_second_quota_for_the_same_rep_name_and_period_is_refused(org):
    services.create_quota(by=org.users["admin"], data=data(org))
    with pytest.raises(ValidationError, match="already has"):
        services.create_quota(by=org.users["admin"], data=data(org, amount="5"))


@pytest.mark.parametrize("who", ["finance", "walt", "will"])
def test_only_admins_change_quotas(org, who):
    with pytest.raises(PermissionDenied):
        services.create_quota(by=org.users[who], data=data(org))


def test_bulk_upsert_is_all_or_nothing_and_names_each_bad_row(org):
    admin = org.users["admin"]
    rows = [
        {"rep": "R-WILL", "quota": "revenue", "period": "2026-Q1", "amount": "10"},
        {"rep": "R-NOBODY", "quota": "revenue", "period": "2026-Q1", "amount": "10"},
        {"rep": "R-WILL", "quota": "revenue", "period": "2026-13", "amount": "-5"},
    ]
    result = services.bulk_upsert(rows, by=admin)
    assert not result.ok
    problems = {(e.index, e.field) for e in result.errors}
    assert problems == {(1, "rep"), (2, "period"), (2, "amount")}
    assert "R-NOBODY" in next(e.reason for e in result.errors if e.index == 1)
    assert not Quota.objects.exists()
    good = services.bulk_upsert(rows[:1], by=admin)
    assert (good.created, good.updated) == (1, 0)
    again = services.bulk_upsert(rows[:1], by=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Quota.objects.get().source == "imported"


def west_2026(**kw) -> DistributionRequest:
    values = {
        "total": D("1000000.00"),
        "window": "2026",
        "split": "quarter",
        "method": "even",
        "seasonality": [D(20), D(20), D(20), D(40)],
    }
    values.update(kw)
    return DistributionRequest(**values)


def test_distributing_west_follows_the_hierarchy_and_sums_exactly(org):
    admin = org.users["admin"]
    # West's members are wendy (until she moves East on 1 July) and will; managers are not.
    result = services.plan_distribution(west_2026(team=org.teams["west"]), by=admin)
    names = [line.name for line in result.lines]
    assert names == ["Wendy Example", "Will Example"]
    wendy, will = result.lines
    assert wendy.amounts[:2] == [D("100000.00"), D("100000.00")]
    # From Q3 Wendy is in East: West's Q3 and Q4 go to Will alone.
    assert wendy.amounts[2:] == [D("0.00"), D("0.00")]
    assert will.amounts == [D("100000.00"), D("100000.00"), D("200000.00"), D("400000.00")]
    assert result.sum == D("1000000.00")
    assert not Quota.objects.exists()  # a preview writes nothing

    saved = services.save_distribution(west_2026(team=org.teams["west"]), result, by=admin)
    # Wendy gets no West quota for Q3 and Q4 (she is in East then): 6 quotas, not 8.
    assert result.to_save == saved.created == 6
    assert not Quota.objects.filter(rep=org.reps["wendy"], period="2026-Q3").exists()
    assert set(Quota.objects.values_list("source", flat=True)) == {"distributed"}
    assert sum(Quota.objects.values_list("amount", flat=True)) == D("1000000.00")
    assert AuditEntry.objects.filter(action="quota.create").count() == 6
    again = services.save_distribution(west_2026(team=org.teams["west"]), result, by=admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


def test_saving_west_leaves_wendys_east_quota_alone(org):
    admin = org.users["admin"]
    east = west_2026(team=org.teams["east"], window="2026-Q3", split="same", seasonality=[])
    services.save_distribution(east, services.plan_distribution(east, by=admin), by=admin)
    wendy_q3 = Quota.objects.get(rep=org.reps["wendy"], period="2026-Q3")
    west = west_2026(team=org.teams["west"])
    services.save_distribution(west, services.plan_distribution(west, by=admin), by=admin)
    assert Quota.objects.get(pk=wendy_q3.pk).amount == D("500000.00")


def test_the_whole_org_and_a_region(org):
    admin = org.users["admin"]
    everyone = services.plan_distribution(
        west_2026(team=org.teams["sales"], split="same", seasonality=[]), by=admin
    )
    assert [line.name for line in everyone.lines] == [
        "Eddie Example",
        "Wendy Example",
        "Will Example",
    ]
    east = services.plan_distribution(west_2026(region="East", seasonality=[]), by=admin)
    eddie, wendy = east.lines
    # Wendy joins East on 1 July: Eddie alone in H1, then they share evenly.
    assert eddie.amounts == [D("250000.00")] * 2 + [D("125000.00")] * 2
    assert wendy.amounts == [D("0.00")] * 2 + [D("125000.00")] * 2
    assert east.sum == D("1000000.00")


def test_last_years_share_uses_won_deals_a_year_earlier(org):
    # Will won 30,000 in 2025, Wendy 10,000.
    for name, amount in [("will", "30000.00"), ("wendy", "10000.00")]:
        Deal.objects.create(
            external_id=f"D-2025-{name}",
            account=org.accounts[name],
            owner=org.reps[name],
            status="won",
            amount=D(amount),
            created_date=dt.date(2025, 3, 1),
            close_date=dt.date(2025, 5, 1),
        )
    result = services.plan_distribution(
        west_2026(
            team=org.teams["west"],
            window="2026-H1",
            split="same",
            method="last_year",
            seasonality=[],
            total=D("100.00"),
        ),
        by=org.users["admin"],
    )
    assert [(line.name, line.total) for line in result.lines] == [
        ("Wendy Example", D("25.00")),
        ("Will Example", D("75.00")),
    ]


def test_territory_potential(org):
    territory = Territory.objects.create(
        external_id="TR-W", name="West CA", rule_region="West", valid_from=dt.date(2025, 1, 1)
    )
    TerritoryOwner.objects.create(
        territory=territory, rep=org.reps["will"], valid_from=dt.date(2025, 1, 1)
    )
    result = services.plan_distribution(
        west_2026(
            team=org.teams["west"],
            window="2026-H1",
            split="same",
            method="potential",
            seasonality=[],
            total=D("100.00"),
        ),
        by=org.users["admin"],
    )
    # Will owns every West account; Wendy owns none and is weighted as the average owner.
    assert [line.total for line in result.lines] == [D("50.00"), D("50.00")]
    assert "no territory potential" in result.lines[0].note
    assert "territory potential" in result.lines[1].note


def test_ramp_for_a_new_hire_keeps_the_total(org):
    will = org.reps["will"]
    will.hire_date = dt.date(2026, 1, 1)
    will.save()
    result = services.plan_distribution(
        west_2026(
            team=org.teams["west"],
            window="2026-Q1",
            split="month",
            seasonality=[],
            ramp=[D(25), D(50), D(75)],
            total=D("300.00"),
        ),
        by=org.users["admin"],
    )
    wendy, will_line = result.lines
    # Month totals 100 each; Will's weights 1/4, 1/2, 3/4 against Wendy's 1.
    assert will_line.amounts == [D("20.00"), D("33.33"), D("42.86")]
    assert wendy.amounts == [D("80.00"), D("66.67"), D("57.14")]
    assert result.sum == D("300.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"window": "2026-Q9"}, "period"),
        ({"total": D("-1")}, "total"),
        ({"currency": "usd!"}, "currency"),
        ({"split": "year", "window": "2026-Q1"}, "split"),
        ({"team": None}, "team"),
        ({"seasonality": [D(1)]}, "__all__"),
        ({"ramp": [D(150)]}, "ramp"),
    ],
)
def test_distribution_validation(org, change, field):
    request = west_2026(team=org.teams["west"])
    for name, value in change.items():
        setattr(request, name, value)
    with pytest.raises(ValidationError) as caught:
        services.plan_distribution(request, by=org.users["admin"])
    assert field in caught.value.message_dict


def test_only_admins_distribute(org):
    with pytest.raises(PermissionDenied):
        services.plan_distribution(west_2026(team=org.teams["west"]), by=org.users["finance"])
