"""Fixtures for quota tests: the factory org seen on a fixed day, a few quotas, a JSON
client. The quota router is mounted on the API here when attain/api.py does not mount it
yet (it is meant to be mounted there: see attain/quotas/api.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.api import api
from attain.quotas.api import router
from attain.quotas.models import Quota

if not any(mounted is router for _, mounted in api._routers):
    api.add_router("/", router)

TODAY = dt.date(2026, 2, 20)
ROLES = ["anonymous", "rep", "manager", "finance", "admin"]
LOGIN_FOR_ROLE = {"rep": "will", "manager": "walt", "finance": "finance", "admin": "admin"}


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr("attain.people.selectors.today", lambda: TODAY)


@pytest.fixture
def quota_org(org):
    """A revenue quota for 2026-Q1 for each of wendy, will (West) and eddie (East)."""
    org.quotas = {}
    for name, amount in [("wendy", "100000.00"), ("will", "90000.00"), ("eddie", "80000.00")]:
        org.quotas[name] = Quota.objects.create(
            rep=org.reps[name], quota="revenue", period="2026-Q1", amount=Decimal(amount)
        )
    return org
