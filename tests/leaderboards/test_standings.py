"""Ranking, credited values, tie-breaks, movement, teams and territories."""

import datetime as dt
from decimal import Decimal

import pytest

from attain.leaderboards.models import Board, Competition
from attain.leaderboards.selectors import board_standings, competition_standings
from attain.sales.models import Activity, Deal
from attain.territories.models import Territory, TerritoryOwner
from tests.factories import ORG_START

pytestmark = pytest.mark.django_db
D = Decimal
MARCH = dt.date(2026, 3, 1)


def board(**kw):
    defaults = {"name": "B", "subject": "individuals", "measure": "won_revenue", "window": "month"}
    return Board.objects.create(**{**defaults, **kw})


def custom(start, end, **kw):
    return board(window="custom", start_date=start, end_date=end, **kw)


def values(standings):
    return [(r.name.split()[0], r.value) for r in standings.rows if r.value]


def test_split_credits_share_the_deal_and_overlays_do_not_count(org, win):
    deal = win("will", "10000.00", MARCH, splits={"wendy": "0.4"})
    deal.credits.create(rep=org.reps["walt"], role="overlay", share=D("1"))
    s = board_standings(custom(MARCH, MARCH))
    assert values(s) == [("Will", D("6000.00")), ("Wendy", D("4000.00"))]


def test_a_won_deal_without_credits_counts_for_its_owner(org, win):
    win("eddie", "500.00", MARCH, credit=False)
    assert values(board_standings(custom(MARCH, MARCH))) == [("Eddie", D("500.00"))]


def test_only_won_uncancelled_deals_closing_in_the_window_count(org, win):
    win("will", "100.00", MARCH)
    win("will", "200.00", MARCH, status="lost")
    win("will", "400.00", MARCH, cancelled=dt.date(2026, 3, 5))
    win("will", "800.00", dt.date(2026, 3, 11))  # the day after the window
    win("will", "1600.00", dt.date(2026, 2, 28))  # the day before
    s = board_standings(custom(MARCH, dt.date(2026, 3, 10)))
    assert values(s) == [("Will", D("100.00"))]


def test_money_is_rounded_per_credit_line_to_the_cent(org, win):
    win("will", "100.01", MARCH, splits={"wendy": "0.3333", "eddie": "0.3333"})
    s = board_standings(custom(MARCH, MARCH))
    got = dict(values(s))
    assert got == {"Will": D("33.34"), "Wendy": D("33.33"), "Eddie": D("33.33")}
    assert all(isinstance(v, Decimal) for v in got.values())


def test_half_a_cent_rounds_up(org, win):
    win("will", "10.05", MARCH, splits={"wendy": "0.5"})
    assert dict(values(board_standings(custom(MARCH, MARCH)))) == {
        "Will": D("5.03"),
        "Wendy": D("5.03"),
    }


@pytest.mark.parametrize(
    ("measure", "expected"),
    [("margin", D("1200.00")), ("units", D("3.00")), ("deal_count", D("0.5000"))],
)
def test_other_credited_measures(org, win, measure, expected):
    win("will", "5000.00", MARCH, margin="2400.00", units="6", splits={"wendy": "0.5"})
    s = board_standings(custom(MARCH, MARCH, measure=measure))
    assert dict(values(s)) == {"Will": expected, "Wendy": expected}


def test_activities_count_logged_activities_in_the_window(org):
    for i in range(3):
        Activity.objects.create(external_id=f"A{i}", rep=org.reps["eddie"], kind="call", date=MARCH)
    Activity.objects.create(external_id="A9", rep=org.reps["will"], kind="call", date=MARCH)
    s = board_standings(custom(MARCH, MARCH, measure="activities"))
    assert values(s) == [("Eddie", 3), ("Will", 1)]
    assert s.display_value(s.rows[0].value) == "3"


def test_tie_break_earlier_close_date_then_time_won_then_name(org, win):
    win("will", "300.00", dt.date(2026, 3, 2))
    win("eddie", "300.00", dt.date(2026, 3, 1))  # same value, reached a day earlier
    first = win("wendy", "100.00", dt.date(2026, 3, 3))
    second = win("walt", "100.00", dt.date(2026, 3, 3))
    # Same day: the deal won (saved) first wins the tie.
    Deal.objects.filter(pk=second.pk).update(updated_at=first.updated_at + dt.timedelta(seconds=5))
    s = board_standings(custom(MARCH, dt.date(2026, 3, 31)))
    assert [r.name.split()[0] for r in s.rows[:4]] == ["Eddie", "Will", "Wendy", "Walt"]
    assert [r.rank for r in s.rows[:4]] == [1, 2, 3, 4]
    # Reps with nothing are ranked after, alphabetically.
    assert [r.name.split()[0] for r in s.rows[4:]] == ["Erin", "Vera"]
    assert "reached the value first" in Board().tie_break


def test_equal_values_reached_at_the_same_moment_fall_back_to_name(org, win):
    a = win("will", "50.00", MARCH)
    b = win("eddie", "50.00", MARCH)
    Deal.objects.filter(pk__in=[a.pk, b.pk]).update(updated_at=a.updated_at)
    s = board_standings(custom(MARCH, MARCH))
    assert [r.name.split()[0] for r in s.rows[:2]] == ["Eddie", "Will"]


def test_movement_compares_with_the_previous_window(org, win):
    # Previous window (Feb 19-28 for this 10-day custom window): eddie 1st, will 2nd.
    win("eddie", "900.00", dt.date(2026, 2, 25))
    win("will", "100.00", dt.date(2026, 2, 26))
    # This window: will 1st, eddie 2nd, wendy new.
    win("will", "800.00", MARCH)
    win("eddie", "700.00", MARCH)
    win("wendy", "10.00", MARCH)
    s = board_standings(custom(MARCH, dt.date(2026, 3, 10)))
    moves = {r.name.split()[0]: r.movement for r in s.rows if r.value}
    assert moves == {"Will": 1, "Eddie": -1, "Wendy": None}


def test_percent_of_leader(org, win):
    win("will", "800.00", MARCH)
    win("eddie", "200.00", MARCH)
    s = board_standings(custom(MARCH, MARCH))
    assert [r.percent_of_leader for r in s.rows[:3]] == [100, 25, 0]


def test_scope_limits_individuals_to_the_team_subtree(org, win):
    win("will", "100.00", MARCH)
    win("eddie", "200.00", MARCH)
    s = board_standings(custom(MARCH, MARCH, scope_team=org.teams["west"]))
    assert {r.name.split()[0] for r in s.rows} == {"Walt", "Wendy", "Will"}
    assert values(s) == [("Will", D("100.00"))]


def test_team_totals_follow_the_membership_on_the_close_date(org, win):
    # wendy is in West until 2026-06-30 and in East from 2026-07-01.
    win("wendy", "1000.00", dt.date(2026, 6, 30))
    win("wendy", "3000.00", dt.date(2026, 7, 1))
    win("will", "500.00", dt.date(2026, 7, 1), splits={"eddie": "0.5"})
    win("walt", "50.00", dt.date(2026, 7, 1))  # a manager's own deal counts for the team he leads
    s = board_standings(custom(dt.date(2026, 6, 1), dt.date(2026, 7, 31), subject="teams"))
    assert values(s) == [("East", D("3250.00")), ("West", D("1300.00"))]
    assert s.subject_label == "Team"


def test_competition_team_vs_team(org, win):
    win("eddie", "700.00", MARCH)
    win("will", "400.00", MARCH)
    win("wendy", "400.00", MARCH)
    comp = Competition.objects.create(
        name="West vs East", subject="teams", start_date=MARCH, end_date=dt.date(2026, 3, 31)
    )
    comp.teams.set([org.teams["west"], org.teams["east"]])
    s = competition_standings(comp)
    assert values(s) == [("West", D("800.00")), ("East", D("700.00"))]


def test_competition_counts_only_its_participants(org, win):
    win("eddie", "700.00", MARCH)
    win("will", "400.00", MARCH)
    comp = Competition.objects.create(name="C", start_date=MARCH, end_date=MARCH)
    comp.reps.set([org.reps["will"], org.reps["wendy"]])
    s = competition_standings(comp)
    assert [(r.name.split()[0], r.value) for r in s.rows] == [("Will", D("400.00")), ("Wendy", 0)]


def test_territories_take_the_whole_deal_of_accounts_they_cover(org, win):
    west = Territory.objects.create(
        external_id="TW", name="West CA", rule_region="West", valid_from=ORG_START, priority=10
    )
    key = Territory.objects.create(
        external_id="TK", name="Key", kind="list", valid_from=ORG_START, priority=1
    )
    key.accounts.add(org.accounts["will"])  # listed and higher priority than the West rule
    TerritoryOwner.objects.create(territory=west, rep=org.reps["walt"], valid_from=ORG_START)
    win("will", "1000.00", MARCH, splits={"wendy": "0.5"})
    win("wendy", "300.00", MARCH)
    win("eddie", "999.00", MARCH)  # East account: in neither
    s = board_standings(custom(MARCH, MARCH, subject="territories"))
    assert values(s) == [("Key", D("1000.00")), ("West", D("300.00"))]


def test_standings_remember_which_deals_count(org, win):
    counted = win("will", "1.00", MARCH)
    other = win("will", "1.00", dt.date(2026, 4, 1))
    s = board_standings(custom(MARCH, MARCH))
    assert counted.pk in s.deal_ids and other.pk not in s.deal_ids
