"""Goal progress from approved pay, the pace, and "hit quota this month" by the real engine.

Uses the pay fixture (tests/payouts/conftest.py): plan ae-monthly pays 10% of revenue up to
$10,000 a month and 15% above; wendy's $12,000 February deal pays $1,300.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.coaching import goals, services
from attain.payouts import services as payouts
from attain.quotas.models import Quota
from tests.payouts.conftest import pay_org  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
MARCH_10 = dt.date(2026, 3, 10)


@pytest.fixture
def goal(pay_org):  # noqa: F811
    wendy = pay_org.reps["wendy"]
    return services.save_goal(
        rep=wendy,
        by=pay_org.users["walt"],
        goal="House deposit",
        target_amount=Decimal("5000.00"),
        target_date=dt.date(2026, 12, 31),
        saved_so_far=Decimal("1000.00"),
        savings_rate=Decimal("50"),
        counting_from=dt.date(2026, 1, 1),
    )


def _pay_february(org):
    run = payouts.start_run(org.users["admin"], "2026-02")
    payouts.approve_run(org.users["finance"], run)


def test_only_approved_pay_counts(pay_org, goal):  # noqa: F811
    payouts.start_run(pay_org.users["admin"], "2026-02")  # a draft: not pay yet
    progress = goals.progress(goal, MARCH_10, with_quota=False)
    assert (progress.from_pay, progress.saved, progress.pace) == (
        Decimal("0.00"),
        Decimal("1000.00"),
        None,
    )


def test_progress_pace_and_projection_from_approved_pay(pay_org, goal):  # noqa: F811
    _pay_february(pay_org)
    progress = goals.progress(goal, MARCH_10, with_quota=False)
    # 50% of $1,300 = $650 toward the goal; $1,000 was put aside before
    assert progress.from_pay == Decimal("650.00")
    assert progress.saved == Decimal("1650.00")
    assert progress.percent == 33  # 1,650 / 5,000
    assert progress.pace == Decimal("650.00")
    # 3,350 left at 650 a period: 6 more pay periods → September 2026, before the target
    assert progress.projected_date == dt.date(2026, 9, 1)
    assert progress.on_track is True


def test_hit_quota_this_month_uses_the_real_plan(pay_org, goal):  # noqa: F811
    _pay_february(pay_org)
    Quota.objects.create(
        rep=pay_org.reps["wendy"], quota="revenue", period="2026-03", amount=Decimal("20000.00")
    )
    progress = goals.progress(goal, MARCH_10)
    q = progress.quota_month
    # nothing won in March yet; at quota ($20,000): 10% × 10,000 + 15% × 10,000 = $2,500
    assert (q.won, q.pay_so_far, q.pay_at_quota) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("2500.00"),
    )
    assert q.closer_by == Decimal("1250.00")  # 50% of it goes to the deposit


def test_quarterly_quota_is_shared_by_days(pay_org, goal):  # noqa: F811
    Quota.objects.create(
        rep=pay_org.reps["wendy"], quota="revenue", period="2026-Q1", amount=Decimal("90000.00")
    )
    q = goals.progress(goal, MARCH_10).quota_month
    assert q.quota == Decimal("31000.00")  # 90,000 × 31 / 90 days


def test_no_quota_is_said_plainly(pay_org, goal):  # noqa: F811
    progress = goals.progress(goal, MARCH_10)
    assert progress.quota_month is None
    assert progress.quota_note == "No revenue quota for this month."


def test_rep_home_page_shows_the_hit_quota_sentence(client, pay_org, goal, monkeypatch):  # noqa: F811
    _pay_february(pay_org)
    Quota.objects.create(
        rep=pay_org.reps["wendy"], quota="revenue", period="2026-03", amount=Decimal("20000.00")
    )
    monkeypatch.setattr("attain.people.selectors.today", lambda: MARCH_10)
    pay_org.login(client, "wendy")
    for url in ("/", "/coaching/"):
        page = client.get(url).content.decode()
        assert "Hit quota this month and you are USD 1,250.00 closer" in page
