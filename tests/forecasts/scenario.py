"""A forecasting scenario on the factory org, seen on 2026-02-20 (Q1 2026), with every
figure worked out by hand in the docstrings of the tests that use it.

History (closed deals of the last 365 days that reached Prospecting and Proposal):

    will:  H1 won 2025-10-15 10,000   H2 won 2025-11-20 5,000   H3 won 2025-06-10 7,000
           H4 lost 2025-12-05          H5 won 2025-11-10 9,000, cancelled 2025-12-01
           → Proposal: 3 won of 5 (a cancelled deal was not won)
    eddie: E1 won, E2..E6 lost (all closed 2025-09-01) → Proposal: 1 won of 6
    company Proposal: 4 won of 11

The factory's six won deals (2026-02-10, no stage history) count only for "Any stage":
will 4 won of 6 closed, the company 10 won of 17.

Will's open deals (USD unless said):

    P1 Proposal     20,000.00  closes 2026-03-15
    P2 Discovery     8,000.50  closes 2026-02-15 (late; a stage outside the list)
    P3 Negotiation   5,000.00  closes 2026-03-01 (no history at Negotiation: unrated)
    S1 Proposal      1,000.00  closes 2025-12-20 (slipped, not in Q1)
    X1 Proposal      7,000.00 EUR closes 2026-03-10 (another currency)
    the factory's open deal: Proposal 30,000.00, no close date (undated)

Quotas: will revenue 2026-Q1 60,000.00; wendy revenue 2026-01 only, 10,000.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from attain.quotas.models import Quota
from attain.sales.models import Deal, DealStageChange

TODAY = dt.date(2026, 2, 20)


def deal(org, owner, key, *, status, amount, close, stage, currency="USD", cancelled=None):
    return Deal.objects.create(
        external_id=f"D-{owner.upper()}-{key}",
        name=f"{owner} {key}",
        account=org.accounts[owner],
        owner=org.reps[owner],
        stage=stage,
        status=status,
        amount=Decimal(amount),
        currency=currency,
        created_date=dt.date(2025, 1, 2),
        close_date=close,
        cancellation_date=cancelled,
    )


def history(org, owner, key, *, won, close, amount="1000.00", cancelled=None):
    status = Deal.Status.WON if won else Deal.Status.LOST
    stage = "Closed Won" if won else "Closed Lost"
    made = deal(
        org,
        owner,
        key,
        status=status,
        amount=amount,
        close=close,
        stage=stage,
        cancelled=cancelled,
    )
    for day, name in ((dt.date(2025, 1, 5), "Prospecting"), (dt.date(2025, 2, 5), "proposal ")):
        DealStageChange.objects.create(deal=made, stage=name, entered_on=day)
    return made


def build(org):
    W, L = True, False
    history(org, "will", "H1", won=W, close=dt.date(2025, 10, 15), amount="10000.00")
    history(org, "will", "H2", won=W, close=dt.date(2025, 11, 20), amount="5000.00")
    history(org, "will", "H3", won=W, close=dt.date(2025, 6, 10), amount="7000.00")
    history(org, "will", "H4", won=L, close=dt.date(2025, 12, 5))
    history(
        org,
        "will",
        "H5",
        won=W,
        close=dt.date(2025, 11, 10),
        amount="9000.00",
        cancelled=dt.date(2025, 12, 1),
    )
    history(org, "eddie", "E1", won=W, close=dt.date(2025, 9, 1))
    for i in range(2, 7):
        history(org, "eddie", f"E{i}", won=L, close=dt.date(2025, 9, 1))
    open_ = Deal.Status.OPEN
    deals = {
        "P1": deal(
            org,
            "will",
            "P1",
            status=open_,
            amount="20000.00",
            close=dt.date(2026, 3, 15),
            stage="Proposal",
        ),
        "P2": deal(
            org,
            "will",
            "P2",
            status=open_,
            amount="8000.50",
            close=dt.date(2026, 2, 15),
            stage="Discovery",
        ),
        "P3": deal(
            org,
            "will",
            "P3",
            status=open_,
            amount="5000.00",
            close=dt.date(2026, 3, 1),
            stage="Negotiation",
        ),
        "S1": deal(
            org,
            "will",
            "S1",
            status=open_,
            amount="1000.00",
            close=dt.date(2025, 12, 20),
            stage="Proposal",
        ),
        "X1": deal(
            org,
            "will",
            "X1",
            status=open_,
            amount="7000.00",
            close=dt.date(2026, 3, 10),
            stage="Proposal",
            currency="EUR",
        ),
    }
    Quota.objects.create(
        rep=org.reps["will"], quota="revenue", period="2026-Q1", amount=Decimal("60000.00")
    )
    Quota.objects.create(
        rep=org.reps["wendy"], quota="revenue", period="2026-01", amount=Decimal("10000.00")
    )
    return deals
