"""A located org for territory tests: the web org (see tests/web/conftest.py) plus accounts
around San Francisco and New York with coordinates and potential.

Territories today (2026-02-20): "West California" (rule West + CA, priority 10, will),
"East key accounts" (list: eddie's account, priority 5, eddie), "East New York" (rule
East + NY, priority 20, eddie).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.sales.models import Account
from attain.territories.models import Territory, TerritoryOwner
from tests.factories import ORG_START
from tests.web.conftest import _fixed_today, web_org  # noqa: F401 - fixtures

SF = (Decimal("37.70"), Decimal("-122.25"))
NY = (Decimal("40.73"), Decimal("-73.90"))


@pytest.fixture
def geo_org(web_org):  # noqa: F811
    org = web_org
    for account in org.accounts.values():
        lat, lon = NY if account.region == "East" else SF
        account.latitude, account.longitude = lat, lon
        account.save()
    for i in range(24):
        east = i % 2 == 1
        lat, lon = NY if east else SF
        step = Decimal(i) / 100
        Account.objects.create(
            external_id=f"GEO-{i:02d}",
            name=f"Geo {i:02d} {'East' if east else 'West'}",
            region="East" if east else "West",
            state="NY" if east else "CA",
            postcode=("100" if east else "941") + f"{i:02d}",
            latitude=lat + step,
            longitude=lon - step,
            potential=Decimal("100000.00") + Decimal(i * 1000),
        )
    ny = Territory.objects.create(
        external_id="TR-EAST-NY", name="East New York", rule_region="East", rule_state="NY",
        valid_from=ORG_START, priority=20,
    )  # fmt: skip
    TerritoryOwner.objects.create(territory=ny, rep=org.reps["eddie"], valid_from=ORG_START)
    org.territories["ny"] = ny
    return org
