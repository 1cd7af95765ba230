"""Territory performance against hand-computed numbers, and who may open the page.

Accounts from the shared org: vera, walt, wendy and will's are in region West, erin and
eddie's in East; each has potential 250,000, one deal won for 12,000 on 2026-02-10 and one
open for 30,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.engine.periods import parse_period
from attain.quotas.models import Quota
from attain.territories.models import Territory, TerritoryOwner
from attain.territories.performance import territory_performance
from tests.factories import ORG_START

pytestmark = pytest.mark.django_db
Q1 = parse_period("2026-Q1")


@pytest.fixture
def territories(org):
    west = Territory.objects.create(
        external_id="T-W", name="West", rule_region="West", valid_from=ORG_START
    )
    east = Territory.objects.create(
        external_id="T-E", name="East", rule_region="East", valid_from=ORG_START
    )
    named = Territory.objects.create(
        external_id="T-N", name="Named", kind=Territory.Kind.LIST, priority=1, valid_from=ORG_START
    )
    named.accounts.add(org.accounts["walt"])
    for territory, rep in ((west, "will"), (named, "will"), (east, "eddie")):
        TerritoryOwner.objects.create(territory=territory, rep=org.reps[rep], valid_from=ORG_START)
    Quota.objects.create(rep=org.reps["will"], quota="revenue", period="2026-Q1", amount=96000)
    return {"west": west, "east": east, "named": named}


def test_numbers_per_territory_and_region(org, territories):
    report = territory_performance(Territory.objects.all(), Q1, dt.date(2026, 11, 1))
    assert report.reference == dt.date(2026, 3, 31)
    rows = {r.name: r for r in report.territories}
    west, named, east = rows["West"], rows["Named"], rows["East"]
    assert (west.accounts, west.potential, west.won, west.pipeline) == (
        3,
        Decimal("750000.00"),
        Decimal("36000.00"),
        Decimal("90000.00"),
    )
    # will owns West and Named: his 96,000 quota counts 48,000 in each
    assert (west.quota, west.attainment) == (Decimal("48000.00"), Decimal("75.0"))
    assert (named.accounts, named.won, named.attainment) == (
        1,
        Decimal("12000.00"),
        Decimal("25.0"),
    )
    assert (east.accounts, east.won, east.quota, east.attainment) == (
        2,
        Decimal("24000.00"),
        None,
        None,
    )
    assert west.won_per_potential == Decimal("4.8")
    regions = {r.name: r for r in report.regions}
    assert (regions["West"].won, regions["West"].quota, regions["West"].attainment) == (
        Decimal("48000.00"),
        Decimal("96000.00"),
        Decimal("50.0"),
    )
    assert report.total.won == Decimal("72000.00")
    assert report.total.accounts == 6


def test_period_in_progress_counts_to_today(org, territories):
    report = territory_performance(Territory.objects.all(), Q1, dt.date(2026, 2, 1))
    assert report.reference == dt.date(2026, 2, 1)
    assert report.total.won == Decimal("0.00")  # the deals close on 2026-02-10


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("finance", 200), ("walt", 200), ("wendy", 403), (None, 302)],
)
def test_page_access(client, org, territories, who, status):
    if who:
        org.login(client, who)
    response = client.get("/territories/performance/?period=2026-Q1")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Territory performance" in page


def test_manager_sees_only_territories_of_their_reps(client, org, territories):
    org.login(client, "erin")
    page = client.get("/territories/performance/?period=2026-Q1").content.decode()
    assert ">East<" in page and ">West<" not in page


def test_bad_period_is_explained(client, org, territories):
    org.login(client, "admin")
    page = client.get("/territories/performance/?period=2026-Q7").content.decode()
    assert "is not a period" in page
