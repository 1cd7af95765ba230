"""Insights against hand-computed values, shrinkage that behaves, opportunity worth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

import pytest

from attain.coaching import selectors
from attain.people.models import Rep, Team, TeamMembership
from attain.sales.models import Account, Activity, Deal, DealLine, Product
from tests.coaching.conftest import TODAY
from tests.factories import ORG_START

pytestmark = pytest.mark.django_db
TRAILING = selectors.period_for("", TODAY)
_ids = count(1)


def deal(rep, account, status, amount, created, closed, **extra):
    return Deal.objects.create(
        external_id=f"T-{next(_ids)}",
        account=account,
        owner=rep,
        status=status,
        stage={"won": "Closed Won", "lost": "Closed Lost"}.get(status, extra.pop("stage", "")),
        amount=Decimal(amount),
        created_date=created,
        close_date=closed,
        **extra,
    )


def activity(rep, kind, day):
    Activity.objects.create(external_id=f"ACT-{next(_ids)}", rep=rep, kind=kind, date=day)


def test_periods():
    assert TRAILING.start == dt.date(2025, 2, 21) and TRAILING.end == TODAY
    q1 = selectors.period_for("2026q1", TODAY)
    assert (q1.start, q1.end, q1.label) == (dt.date(2026, 1, 1), TODAY, "2026 Q1")
    q4 = selectors.period_for("2025Q4", TODAY)
    assert (q4.start, q4.end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert selectors.period_for("2026Q3", TODAY).key == ""  # not started yet
    assert selectors.period_for("junk", TODAY).key == ""
    keys = [k for k, _ in selectors.period_choices(TODAY)]
    assert keys[:4] == ["", "2026Q1", "2025Q4", "2025Q3"]


def test_rep_metrics_hand_computed(org):
    will, account = org.reps["will"], org.accounts["will"]
    # The factory gave will: won 12,000 (margin 4,800), created 2026-01-05, closed
    # 2026-02-10 (36 days); open 30,000 at Proposal.
    deal(will, account, "won", "6000.00", dt.date(2025, 12, 1), dt.date(2026, 1, 30))  # 60 d
    deal(will, account, "lost", "9000.00", dt.date(2025, 10, 1), dt.date(2025, 11, 15))
    deal(  # cancelled before the day viewed: neither won nor lost
        will,
        account,
        "won",
        "50000.00",
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 15),
        cancellation_date=dt.date(2026, 2, 1),
        margin=Decimal("1.00"),
    )
    deal(will, account, "won", "70000.00", dt.date(2024, 12, 1), dt.date(2025, 1, 10))  # before
    deal(will, account, "open", "5000.00", dt.date(2026, 2, 1), None, stage="Discovery")
    for kind in ["call", "call", "meeting", "email"]:
        activity(will, kind, dt.date(2026, 1, 20))
    # Lines of the factory's won deal: 10 units listed at 1,000 sold at 900, and 5 units
    # listed at 400 sold at 400: 11,000 sold of 12,000 at list, 8.33% discount.
    widget = Product.objects.create(external_id="P-W", name="Widget", list_price=Decimal(1000))
    gadget = Product.objects.create(external_id="P-G", name="Gadget", list_price=Decimal(400))
    won = org.deals["will"][0]
    for i, (product, qty, price) in enumerate([(widget, 10, 900), (gadget, 5, 400)]):
        DealLine.objects.create(
            external_id=f"L-{i}",
            deal=won,
            product=product,
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            unit_cost=Decimal(0),
        )
    activity(will, "call", dt.date(2025, 1, 20))  # before the period

    m = selectors.rep_metrics([will], TRAILING, TODAY)[will.id]
    assert (m.won, m.lost, m.closed) == (2, 1, 3)
    assert m.win_rate == pytest.approx(2 / 3)
    assert m.avg_won == Decimal("9000.00")
    assert m.median_cycle == 48
    assert m.margin_pct == pytest.approx(40.0)  # 4,800 ÷ 12,000: the deal without margin is out
    assert m.pipeline == Decimal("35000.00") and m.pipeline_count == 2
    assert m.open_stages == {"Proposal": 1, "Discovery": 1}
    assert m.activities == {"call": 2, "meeting": 1, "email": 1}
    assert m.activities_per_won == 2.0
    assert m.discount_pct == pytest.approx(100 / 12)

    # Coverage: open pipeline ÷ team median won per quarter. Walt's team on TODAY is wendy
    # (12,000 won) and will (18,000): median 15,000 over 365 days = 3.99726 quarters.
    insights = selectors.team_insights(
        selectors.subtree_reps(org.reps["walt"], TODAY), TRAILING, TODAY
    )
    quarters = Decimal(365) / Decimal("91.3125")
    assert insights.medians.won_per_quarter == Decimal(15000) / quarters
    assert insights.for_rep(will.id).coverage == pytest.approx(35000 / (15000 / 3.99726), 1e-5)


@pytest.fixture
def north(org):
    """A team of seven: four steady reps (24 of 60 won, deals of 8–12k, 30-day cycles),
    tiny (0 of 3), weak (6 of 60, 10k deals, 90-day cycles, very busy) and smally (24 of 60
    won, deals of 1.5–2.5k)."""
    team = Team.objects.create(external_id="T-NORTH", name="North", parent=org.teams["sales"])
    account = Account.objects.create(external_id="A-N", name="North Co")
    mona = Rep.objects.create(external_id="R-MONA", name="Mona North")
    TeamMembership.objects.create(rep=mona, team=team, role="manager", valid_from=ORG_START)
    reps = {}
    close = dt.date(2025, 12, 1)

    def rep(name, won, lost, amounts, cycle, acts):
        r = Rep.objects.create(external_id=f"R-{name.upper()}", name=name.capitalize())
        TeamMembership.objects.create(rep=r, team=team, valid_from=ORG_START)
        for i in range(won):
            amount = amounts[i % len(amounts)]
            deal(r, account, "won", amount, close - dt.timedelta(days=cycle), close)
        for _ in range(lost):
            deal(r, account, "lost", "10000.00", close - dt.timedelta(days=cycle), close)
        Activity.objects.bulk_create(
            Activity(external_id=f"ACT-{next(_ids)}", rep=r, kind="call", date=close)
            for _ in range(acts)
        )
        reps[name] = r

    for i in range(4):
        rep(f"steady{i}", 24, 36, ["8000.00", "10000.00", "12000.00"], 30, 10)
    rep("tiny", 0, 3, ["10000.00"], 30, 10)
    rep("weak", 6, 54, ["10000.00"], 90, 50)
    rep("smally", 24, 36, ["1500.00", "2000.00", "2500.00"], 30, 10)
    return mona, reps


def test_shrinkage_flags_the_real_gap_not_the_small_sample(north):
    mona, reps = north
    insights = selectors.team_insights(selectors.subtree_reps(mona, TODAY), TRAILING, TODAY)
    tiny, weak = insights.for_rep(reps["tiny"].id), insights.for_rep(reps["weak"].id)
    steady = insights.for_rep(reps["steady0"].id)
    assert tiny.win.raw == 0.0 and tiny.flags["win_rate"] == ""
    assert tiny.win.low < insights.medians.win_rate < tiny.win.high
    assert weak.win.raw == 0.1 and weak.flags["win_rate"] == "below"
    assert weak.win.high < insights.medians.win_rate
    assert steady.flags == {"win_rate": "", "size": "", "cycle": ""}
    # The shrunk estimate lies between the raw rate and the team's.
    assert weak.win.raw < weak.win.shrunk < insights.prior.mean
    assert insights.prior.strength >= 10
    assert insights.medians.win_rate == steady.win.shrunk
    # The figures quoted in docs/coaching.md.
    assert (insights.prior.alpha, insights.prior.beta) == pytest.approx((8.2, 15.4), abs=0.05)
    assert insights.medians.win_rate == pytest.approx(0.385, abs=0.0005)
    assert (tiny.win.shrunk, tiny.win.low, tiny.win.high) == pytest.approx(
        (0.31, 0.17, 0.46), abs=0.005
    )
    assert (weak.win.shrunk, weak.win.low, weak.win.high) == pytest.approx(
        (0.17, 0.11, 0.24), abs=0.005
    )


def test_patterns_in_plain_words(north):
    mona, reps = north
    insights = selectors.team_insights(selectors.subtree_reps(mona, TODAY), TRAILING, TODAY)
    assert insights.for_rep(reps["weak"].id).patterns == [
        "High activity, low conversion",
        "Long cycles",
    ]
    assert insights.for_rep(reps["smally"].id).patterns == ["Wins small deals only"]
    assert insights.for_rep(reps["tiny"].id).patterns == []
    assert insights.for_rep(reps["steady1"].id).patterns == []


def test_opportunities_ranked_with_documented_worth(north):
    mona, reps = north
    insights = selectors.team_insights(selectors.subtree_reps(mona, TODAY), TRAILING, TODAY)
    opps = selectors.opportunities(insights)
    assert [(o.rep.name, o.kind) for o in opps] == [
        ("Smally", "deal_size"),
        ("Weak", "win_rate"),
        ("Weak", "cycle"),
    ]
    size, win, cycle = opps
    quarters = 365 / 91.3125
    # Deal size: (team median average won 10,000 − smally's 2,000) × 24 won ÷ quarters.
    assert size.worth == Decimal(round(8000 * 24 / quarters))
    # Win rate: (team median − weak's shrunk rate) × 60 closed ÷ quarters × 10,000 average.
    weak = insights.for_rep(reps["weak"].id)
    expected = (insights.medians.win_rate - weak.win.shrunk) * 60 / quarters * 10000
    assert abs(win.worth - Decimal(expected)) <= 1
    assert win.certainty > 0.99
    assert cycle.worth is None
    assert f"owner={reps['weak'].id}" in win.evidence_url
    assert "status=lost" in win.evidence_url
    assert "closed_from=2025-02-21" in win.evidence_url
    assert "Tiny" not in {o.rep.name for o in opps}


def test_evidence_link_filters_the_deal_list(client, north, org):
    mona, reps = north
    insights = selectors.team_insights(selectors.subtree_reps(mona, TODAY), TRAILING, TODAY)
    win = next(o for o in selectors.opportunities(insights) if o.kind == "win_rate")
    org.login(client, "admin")
    response = client.get(win.evidence_url)
    assert response.status_code == 200
    assert b"54 deals" in response.content


def test_coverage_against_remaining_quota_when_there_is_one(org):
    from attain.quotas.models import Quota

    wendy, will = org.reps["wendy"], org.reps["will"]
    q1 = selectors.period_for("2026Q1", TODAY)
    # Will won 12,000 on 2026-02-10 and has 30,000 open; his Q1 quota is 40,000 (monthly
    # quotas of 10,000, 10,000 and 20,000): 28,000 left, coverage 30,000 ÷ 28,000.
    for month, amount in (("2026-01", 10000), ("2026-02", 10000), ("2026-03", 20000)):
        Quota.objects.create(rep=will, quota="revenue", period=month, amount=Decimal(amount))
    # Wendy's quarter quota is below what she won: quota met.
    Quota.objects.create(rep=wendy, quota="revenue", period="2026-Q1", amount=Decimal(10000))
    insights = selectors.team_insights([wendy, will], q1, TODAY)
    row = insights.for_rep(will.id)
    assert (row.coverage_basis, row.quota, row.remaining_quota) == (
        "quota",
        Decimal("40000.00"),
        Decimal("28000.00"),
    )
    assert row.coverage == pytest.approx(30000 / 28000)
    assert row.attainment == pytest.approx(30.0)
    met = insights.for_rep(wendy.id)
    assert (met.coverage_basis, met.coverage, met.attainment) == ("met", None, 120.0)
