from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.sales.models import Credit, Deal
from tests.web.conftest import TODAY, set_today, web_org  # noqa: F401 - fixture

D = Decimal


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    set_today(monkeypatch, TODAY)


@pytest.fixture
def win(org):
    """Create a won deal for a rep: win("will", "1000.00", day, splits={"wendy": "0.4"})."""
    counter = iter(range(1, 10_000))

    def make(
        owner,
        amount,
        day,
        *,
        splits=None,
        status="won",
        cancelled=None,
        margin=None,
        units="1",
        credit=True,
    ):
        rep = org.reps[owner]
        deal = Deal.objects.create(
            external_id=f"LB-{owner}-{next(counter)}",
            name=f"{owner} deal",
            account=org.accounts[owner],
            owner=rep,
            status=status,
            amount=D(amount),
            margin=D(margin) if margin is not None else None,
            units=D(units),
            created_date=dt.date(2025, 1, 1),
            close_date=day,
            cancellation_date=cancelled,
        )
        if credit:
            rest = D("1") - sum((D(s) for s in (splits or {}).values()), D("0"))
            Credit.objects.create(deal=deal, rep=rep, role="owner", share=rest)
            for name, share in (splits or {}).items():
                Credit.objects.create(deal=deal, rep=org.reps[name], role="split", share=D(share))
        return deal

    return make
