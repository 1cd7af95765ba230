"""Stage-to-stage conversion: the stage history the deal services record, the counts per rep
and stage against hand-computed values, shrinkage toward the team, patterns and the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from attain.coaching import selectors
from attain.coaching.selectors import StageCounts, compare_stages, stage_conversion_counts
from attain.sales.models import Deal, DealStageChange
from attain.sales.services import create_deal, update_deal
from tests.web.conftest import TODAY

pytestmark = pytest.mark.django_db
STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
D = dt.date


def _deal(org, ext, status, path, close=None, owner="wendy"):
    deal = Deal.objects.create(
        external_id=ext,
        account=org.accounts[owner],
        owner=org.reps[owner],
        stage=path[-1][0],
        status=status,
        amount=Decimal("1000.00"),
        created_date=path[0][1],
        close_date=close,
    )
    for stage, day in path:
        DealStageChange.objects.create(deal=deal, stage=stage, entered_on=day)
    return deal


@pytest.fixture
def history(org):
    """Wendy's deals with stage histories (2026 unless said), seen on 2026-02-20."""
    _deal(
        org,
        "A",
        "won",
        [
            ("Prospecting", D(2026, 1, 5)),
            ("Qualification", D(2026, 1, 10)),
            ("Proposal", D(2026, 1, 20)),
            ("Negotiation", D(2026, 2, 1)),
            ("Closed Won", D(2026, 2, 10)),
        ],
        close=D(2026, 2, 10),
    )
    _deal(
        org,
        "B",
        "lost",
        [
            ("Prospecting", D(2026, 1, 6)),
            ("Qualification", D(2026, 1, 12)),
            ("Closed Lost", D(2026, 2, 1)),
        ],
        close=D(2026, 2, 1),
    )
    _deal(
        org,
        "C",
        "open",
        [
            ("Prospecting", D(2026, 1, 7)),
            ("qualification", D(2026, 1, 15)),  # stage names match case-insensitively
            ("Proposal", D(2026, 2, 1)),
        ],
    )
    _deal(org, "D", "open", [("Prospecting", D(2026, 2, 10))])
    # Skips Qualification; won without a Negotiation record.
    _deal(
        org,
        "E",
        "won",
        [("Prospecting", D(2026, 1, 8)), ("Proposal", D(2026, 1, 18))],
        close=D(2026, 2, 5),
    )
    # Entered Prospecting before the trailing 12 months, Qualification inside them.
    _deal(
        org,
        "F",
        "lost",
        [("Prospecting", D(2025, 1, 10)), ("Qualification", D(2025, 3, 1))],
        close=D(2025, 4, 1),
    )
    # Someone else's deal.
    _deal(org, "G", "lost", [("Prospecting", D(2026, 1, 5))], close=D(2026, 1, 9), owner="will")
    return org


def _tuple(c: StageCounts):
    return (c.entered, c.known, c.converted, sorted(c.days))


def test_counts_by_hand(history):
    org = history
    wendy, will = org.reps["wendy"].id, org.reps["will"].id
    period = selectors.period_for("", TODAY)  # 2025-02-21 .. 2026-02-20
    counts = stage_conversion_counts([wendy, will], period, STAGES)
    prospecting, qualification, proposal, negotiation = counts[wendy]
    # A, B, C, E moved on (to Qualification, or Proposal for E); D is still there.
    assert _tuple(prospecting) == (5, 4, 4, [5, 6, 8, 10])
    # A and C moved on; B and F were lost there; E skipped it.
    assert _tuple(qualification) == (4, 4, 2, [10, 17])
    # A moved on, E was won (close date); C is still at Proposal.
    assert _tuple(proposal) == (3, 2, 2, [12, 18])
    # A was won on 02-10.
    assert _tuple(negotiation) == (1, 1, 1, [9])
    assert _tuple(counts[will][0]) == (1, 1, 0, [])
    # A quarter: only what was entered in it.
    q1 = stage_conversion_counts([wendy], selectors.period_for("2025Q1", TODAY), STAGES)
    assert _tuple(q1[wendy][0]) == (1, 1, 1, [50])  # F, 2025-01-10 → 2025-03-01
    assert _tuple(q1[wendy][1]) == (1, 1, 0, [])  # then lost
    assert _tuple(q1[wendy][2]) == (0, 0, 0, [])


def test_custom_stage_order_from_settings(history, settings):
    settings.ATTAIN_PIPELINE_STAGES = ["Prospecting", "Proposal"]
    wendy = history.reps["wendy"].id
    period = selectors.period_for("", TODAY)
    counts = stage_conversion_counts([wendy], period, selectors.pipeline_stages())
    # Qualification is not a stage of this pipeline: D waits, the rest reached Proposal or won
    # (B was lost without reaching it).
    assert _tuple(counts[wendy][0]) == (5, 4, 3, [10, 15, 25])


def _one_stage(converted, known):
    return [StageCounts(entered=known, known=known, converted=converted)]


def test_shrinkage_flags_only_credible_gaps():
    # Five reps convert 36 of 60 at Proposal; one converts 15 of 60 (a real gap); one lost
    # all 3 of theirs (noise).
    counts = {i: _one_stage(36, 60) for i in range(1, 6)}
    counts[6] = _one_stage(15, 60)
    counts[7] = _one_stage(0, 3)
    result = compare_stages(counts, ("Proposal",), list(counts))
    weak, few = result.by_rep[6][0], result.by_rep[7][0]
    assert weak.flag == "below" and weak.estimate.high < result.conversion_medians[0]
    assert few.flag == "" and few.estimate.low < result.conversion_medians[0] < few.estimate.high
    assert few.estimate.raw == 0.0 and few.estimate.shrunk > 0.3  # pulled toward the team
    assert weak.next_stage == "Won"  # the last stage converts into a win
    assert weak.team_rate == result.conversion_medians[0]
    assert all(result.by_rep[i][0].flag == "" for i in range(1, 6))


def test_no_outcome_known_has_no_estimate():
    counts = {1: [StageCounts(entered=4)], 2: _one_stage(3, 5)}
    result = compare_stages(counts, ("Proposal",), [1, 2])
    assert result.by_rep[1][0].estimate is None and result.by_rep[1][0].flag == ""


def test_slow_stage_is_flagged_as_long_cycles():
    fast = StageCounts(entered=6, known=6, converted=6, days=[4, 5, 5, 6, 5, 4])
    slow = StageCounts(entered=8, known=8, converted=8, days=[30, 28, 35, 31, 29, 33, 30, 32])
    counts = {i: [fast] for i in range(1, 5)} | {5: [slow]}
    result = compare_stages(counts, ("Proposal",), list(counts))
    assert result.by_rep[5][0].days_flag == "above"
    assert result.by_rep[1][0].days_flag == ""
    slow_e = result.by_rep[5][0].days
    row = SimpleNamespace(
        flags={"win_rate": "", "size": "", "cycle": ""},
        metrics=SimpleNamespace(activity_total=10, closed=4),
        cycle_explained=False,
        stages=[
            SimpleNamespace(
                stage="Qualification", flag="", days_flag="above", days=slow_e, team_days=20
            ),
            SimpleNamespace(
                stage="Proposal", flag="below", days_flag="above", days=slow_e, team_days=10
            ),
            SimpleNamespace(stage="Negotiation", flag="", days_flag="", days=None, team_days=5),
        ],
    )
    medians = SimpleNamespace(activity=10.0)
    # Named once, where the rep lags the team most (30 days against 10 at Proposal).
    assert selectors.patterns_for(row, medians) == [
        "Stalls at Proposal",
        "Long cycles at the Proposal stage",
    ]
    row.cycle_explained = True  # credibly longer on credibly bigger deals: not a weakness
    assert selectors.patterns_for(row, medians) == ["Stalls at Proposal"]


def test_profile_shows_the_stage_table(client, history):
    history.login(client, "walt")
    page = client.get(f"/coaching/reps/{history.reps['wendy'].pk}/").content.decode()
    assert 'data-testid="stage-conversion"' in page
    assert "Qualification → Proposal" in page and "2 of 4" in page
    assert "Negotiation → Won" in page


def test_profile_without_history_says_so(client, org):
    org.login(client, "walt")
    page = client.get(f"/coaching/reps/{org.reps['wendy'].pk}/").content.decode()
    assert 'data-testid="no-stage-history"' in page


def test_deal_services_record_stage_changes(org, monkeypatch):
    monkeypatch.setattr("attain.people.selectors.today", lambda: D(2026, 4, 10))
    walt = org.users["walt"]
    data = {
        "external_id": "D-S-1",
        "account": "A-001",
        "owner": "R-WENDY",
        "stage": "Prospecting",
        "amount": "100.00",
        "created_date": "2026-04-01",
    }
    deal = create_deal(user=walt, data=data, as_of=D(2026, 4, 1))
    update_deal(user=walt, deal=deal, data={"amount": "200.00"}, as_of=D(2026, 4, 1))
    update_deal(user=walt, deal=deal, data={"stage": "Proposal"}, as_of=D(2026, 4, 1))
    update_deal(user=walt, deal=deal, data={"stage": "Proposal"}, as_of=D(2026, 4, 1))
    assert list(deal.stage_changes.values_list("stage", "entered_on")) == [
        ("Prospecting", D(2026, 4, 1)),
        ("Proposal", D(2026, 4, 10)),
    ]
    no_stage = create_deal(user=walt, data={**data, "external_id": "D-S-2", "stage": ""})
    assert not no_stage.stage_changes.exists()
