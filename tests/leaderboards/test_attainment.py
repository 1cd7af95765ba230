"""Attainment % of quota and progress to quota: proration, ranking, teams, privacy, forms."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from attain.leaderboards.forms import BoardForm, CompetitionForm
from attain.leaderboards.models import Board, Competition
from attain.leaderboards.present import view_rows
from attain.leaderboards.selectors import (
    amount_visible_keys,
    board_standings,
    competition_standings,
    prorated_quota,
    round_fraction,
)
from attain.leaderboards.services import archive_competition, create_display_token
from attain.leaderboards.windows import DateWindow
from attain.quotas.models import Quota
from tests.leaderboards.test_permissions import read_stream

pytestmark = pytest.mark.django_db
D = Decimal
MARCH = DateWindow(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def quota(org, who, period, amount, name="revenue"):
    return Quota.objects.create(rep=org.reps[who], quota=name, period=period, amount=D(amount))


def board(**kw):
    defaults = {
        "name": "Attainment",
        "subject": "individuals",
        "measure": "attainment",
        "window": "custom",
        "start_date": MARCH.start,
        "end_date": MARCH.end,
    }
    return Board.objects.create(**{**defaults, **kw})


def first(name: str) -> str:
    return name.split()[0]


# Proration ---------------------------------------------------------------------------------


def test_a_quota_is_prorated_by_the_days_of_its_period_inside_the_window():
    # 16-31 March and 1-15 April: 16 of Q1's 90 days, 15 of Q2's 91 days.
    window = DateWindow(dt.date(2026, 3, 16), dt.date(2026, 4, 15))
    got = prorated_quota([("2026-Q1", D("90000.00")), ("2026-Q2", D("91000.00"))], window)
    assert got == Fraction(16000) + Fraction(15000)


def test_proration_is_exact_and_rounded_only_for_display():
    window = DateWindow(dt.date(2026, 3, 1), dt.date(2026, 3, 10))
    got = prorated_quota([("2026-03", D("100.00"))], window)
    assert got == Fraction(1000, 31)  # 100 × 10/31, not 32.26
    assert round_fraction(got, 2) == D("32.26")
    assert round_fraction(Fraction(5, 1000), 2) == D("0.01")  # half up


def test_overlapping_periods_count_each_day_once_in_the_shortest_period():
    # A year of 365,000 and March of 20,000: March uses the month; the year covers the rest.
    assert prorated_quota([("2026", D("365000")), ("2026-03", D("20000"))], MARCH) == 20000
    april_may = DateWindow(dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    got = prorated_quota([("2026", D("365000")), ("2026-03", D("20000"))], april_may)
    assert got == 20000 + 30 * 1000  # April from the year: 30 days × 1,000 a day


def test_no_quota_when_nothing_overlaps_or_the_total_is_zero():
    assert prorated_quota([("2025", D("1000"))], MARCH) is None
    assert prorated_quota([("2026-03", D("0"))], MARCH) is None
    assert prorated_quota([("not-a-period", D("10"))], MARCH) is None
    assert prorated_quota([], MARCH) is None


# Ranking -----------------------------------------------------------------------------------


def test_attainment_ranking_hand_checked(org, win):
    quota(org, "will", "2026-Q1", "90000.00")  # March: 90,000 × 31/90 = 31,000
    quota(org, "wendy", "2026-03", "10000.00")
    quota(org, "eddie", "2026", "365000.00")  # the month below wins for March: 20,000
    quota(org, "eddie", "2026-03", "20000.00")
    quota(org, "walt", "2025", "50000.00")  # nothing in the window: no quota
    quota(org, "vera", "2026-03", "0.00")  # zero: no quota
    quota(org, "erin", "2026-03", "99999.00", name="margin")  # not a revenue quota
    win("will", "15500.00", dt.date(2026, 3, 3))  # 50.0%
    win("wendy", "12000.00", dt.date(2026, 3, 4))  # 120.0%
    win("eddie", "5000.00", dt.date(2026, 3, 5))  # 25.0%
    win("erin", "50000.00", dt.date(2026, 3, 6))  # biggest revenue, but no quota
    s = board_standings(board())
    got = [(first(r.name), r.value, r.has_quota) for r in s.rows]
    assert got == [
        ("Wendy", D("120.0"), True),
        ("Will", D("50.0"), True),
        ("Eddie", D("25.0"), True),
        ("Erin", D("0"), False),  # no quota: last, by name
        ("Vera", D("0"), False),
        ("Walt", D("0"), False),
    ]
    will = s.rows[1]
    assert will.won == D("15500.00") and will.quota_amount == D("31000.00")
    assert [r.percent_of_leader for r in s.rows[:3]] == [100, 42, 21]
    assert s.display_value(will.value) == "50.0%"
    assert "no revenue quota for the window rank last" in board().tie_break


def test_equal_attainment_goes_to_who_reached_it_first(org, win):
    quota(org, "will", "2026-03", "1000.00")
    quota(org, "eddie", "2026-03", "2000.00")
    win("will", "500.00", dt.date(2026, 3, 9))  # 50.0%, reached on the 9th
    win("eddie", "1000.00", dt.date(2026, 3, 2))  # 50.0%, reached on the 2nd
    s = board_standings(board())
    assert [first(r.name) for r in s.rows[:2]] == ["Eddie", "Will"]


def test_attainment_is_rounded_half_up_to_a_tenth(org, win):
    quota(org, "will", "2026-03", "3000.00")
    win("will", "1000.00", dt.date(2026, 3, 9))  # 33.333…%
    quota(org, "eddie", "2026-03", "8000.00")
    win("eddie", "1004.00", dt.date(2026, 3, 9))  # 12.55% → 12.6
    values = {first(r.name): r.value for r in board_standings(board()).rows if r.has_quota}
    assert values == {"Will": D("33.3"), "Eddie": D("12.6")}


def test_team_attainment_sums_revenue_and_members_quotas(org, win):
    quota(org, "will", "2026-03", "31000.00")
    quota(org, "wendy", "2026-03", "10000.00")
    quota(org, "eddie", "2026-03", "20000.00")
    win("will", "15500.00", dt.date(2026, 3, 3))
    win("wendy", "12000.00", dt.date(2026, 3, 4))
    win("eddie", "5000.00", dt.date(2026, 3, 5))
    win("erin", "50000.00", dt.date(2026, 3, 6))  # East's manager: counts for East
    s = board_standings(board(subject="teams"))
    got = [(r.name, r.value, r.quota_amount) for r in s.rows]
    # West: 27,500 ÷ 41,000 = 67.07…%; East: 55,000 ÷ 20,000 = 275%.
    assert got == [("East", D("275.0"), D("20000.00")), ("West", D("67.1"), D("41000.00"))]


def test_team_quota_uses_members_as_of_the_window_end(org, win):
    # wendy leaves West for East on 1 July; a June-July window ends with her in East.
    quota(org, "wendy", "2026-06", "30000.00")
    quota(org, "wendy", "2026-07", "31000.00")
    window = {"start_date": dt.date(2026, 6, 1), "end_date": dt.date(2026, 7, 31)}
    s = board_standings(board(subject="teams", **window))
    rows = {r.name: r for r in s.rows}
    assert rows["East"].quota_amount == D("61000.00")
    assert not rows["West"].has_quota


def test_territory_attainment_has_no_quotas(org):
    s = board_standings(board(subject="territories"))
    assert all(not r.has_quota for r in s.rows)


def test_won_revenue_board_shows_progress_to_quota_only_when_quotas_exist(org, win):
    win("will", "500.00", dt.date(2026, 3, 9))
    revenue = board(measure="won_revenue")
    s = board_standings(revenue)
    assert not s.shows_quota
    quota(org, "will", "2026-03", "2000.00")
    s = board_standings(revenue)
    assert s.shows_quota
    will = next(r for r in s.rows if first(r.name) == "Will")
    assert will.value == D("500.00") and will.to_quota == D("25.0")
    html = view_rows(s, None, frozenset())
    assert next(r for r in html if r.name.startswith("Will")).quota_text == "25.0%"


def test_competition_on_attainment_and_its_archive(org, win):
    quota(org, "will", "2026-03", "1000.00")
    win("will", "1500.00", dt.date(2026, 3, 9))
    win("eddie", "9000.00", dt.date(2026, 3, 9))
    comp = Competition.objects.create(
        name="Q", measure="attainment", start_date=MARCH.start, end_date=MARCH.end
    )
    comp.reps.set([org.reps["will"], org.reps["eddie"]])
    s = competition_standings(comp)
    assert [(first(r.name), r.value) for r in s.rows] == [("Will", D("150.0")), ("Eddie", 0)]
    results = archive_competition(comp).results
    assert [(r["name"], r["text"], r["to_quota"]) for r in results] == [
        ("Will Example", "150.0%", "150.0%"),
        ("Eddie Example", "no quota", None),
    ]


# Forms -------------------------------------------------------------------------------------


def test_board_form_refuses_attainment_for_territories(org):
    form = BoardForm(
        {"name": "T", "subject": "territories", "measure": "attainment", "window": "month"},
        user=org.users["admin"],
    )
    assert not form.is_valid()
    assert "Territories have no quotas" in form.errors["measure"][0]
    form = BoardForm(
        {
            "name": "T",
            "subject": "teams",
            "measure": "attainment",
            "window": "month",
            "privacy": "show_amounts",
        },
        user=org.users["admin"],
    )
    assert form.is_valid(), form.errors


def test_competition_form_refuses_attainment_for_territories(org):
    form = CompetitionForm(
        {
            "name": "T",
            "subject": "territories",
            "measure": "attainment",
            "start_date": "2026-03-01",
            "end_date": "2026-03-31",
            "privacy": "ranks_and_percent_only",
        },
        user=org.users["admin"],
    )
    assert not form.is_valid()
    assert "Territories have no quotas" in form.errors["measure"][0]


# Privacy: % of quota for everyone, amounts by role -----------------------------------------

FEB_QUOTA = "24000.00"  # every rep won 12,000 on 10 Feb (factory): 50.0% each


@pytest.fixture
def feb_quotas(org):
    for who in org.reps:
        quota(org, who, "2026-02", FEB_QUOTA)


def cells(html: str) -> dict[str, tuple[str, str]]:
    """Name → (amount cell, to-quota cell) text."""
    rows = re.findall(
        r'class="lb-name">([A-Z][a-z]+) Example.*?class="num lb-value">(.*?)</td>'
        r'.*?data-testid="to-quota">(.*?)</td>',
        html,
        re.S,
    )
    return {
        name: ("hidden" if "—" in amount else amount.strip(), re.sub(r"<[^>]+>", "", pct).strip())
        for name, amount, pct in rows
    }


EVERYONE = {"Vera", "Walt", "Erin", "Wendy", "Will", "Eddie"}


@pytest.mark.parametrize(
    ("login", "shown"),
    [
        ("will", {"Will"}),
        ("walt", {"Walt", "Wendy", "Will"}),
        ("vera", EVERYONE),
        ("finance", EVERYONE),
        ("admin", EVERYONE),
    ],
)
@pytest.mark.parametrize("measure", ["attainment", "won_revenue"])
def test_ranks_only_board_shows_percent_of_quota_to_peers_but_not_amounts(
    client, org, feb_quotas, login, shown, measure
):
    b = Board.objects.create(
        name="Ranks", measure=measure, window="month", privacy="ranks_and_percent_only"
    )
    org.login(client, login)
    html = client.get(reverse("leaderboards:board_detail", args=[b.pk])).content.decode()
    got = cells(html)
    assert set(got) == EVERYONE
    assert {name for name, (amount, _) in got.items() if amount != "hidden"} == shown
    assert {pct for _, pct in got.values()} == {"50.0%"}  # % of quota: everyone's, to everyone
    if measure == "attainment":
        assert got[first(org.reps["will"].name)][0] != "hidden" or login != "will"
        for name in shown:
            assert got[name][0] == "USD 12,000.00 of USD 24,000.00"
        if login == "will":
            assert html.count("24,000.00") == 1  # peers' quotas are amounts too: hidden
    assert "commission" not in html.lower() and "payout" not in html.lower()


def test_show_amounts_attainment_board_shows_everyones_amounts(client, org, feb_quotas):
    b = Board.objects.create(
        name="Open", measure="attainment", window="month", privacy="show_amounts"
    )
    org.login(client, "will")
    html = client.get(reverse("leaderboards:board_detail", args=[b.pk])).content.decode()
    assert {amount for amount, _ in cells(html).values()} == {"USD 12,000.00 of USD 24,000.00"}


def test_wall_screen_shows_percent_of_quota_without_amounts(client, org, feb_quotas):
    b = Board.objects.create(
        name="Wall", measure="attainment", window="month", privacy="ranks_and_percent_only"
    )
    _, key = create_display_token(user=org.users["admin"], name="Floor", boards=[b])
    html = client.get(reverse("leaderboards:display", args=[key])).content.decode()
    assert "USD" not in html
    assert html.count(">50.0%<") == 6  # the text after each bar
    assert amount_visible_keys(None, b.privacy) == frozenset()


def test_live_stream_carries_the_same_quota_rows(client, org, feb_quotas):
    b = Board.objects.create(
        name="Live", measure="attainment", window="month", privacy="ranks_and_percent_only"
    )
    org.login(client, "will")
    body = read_stream(client.get(reverse("leaderboards:board_events", args=[b.pk]) + "?once=1"))
    data = json.loads(body.split("data: ", 1)[1].split("\n", 1)[0])
    got = cells(data["html"])
    assert {pct for _, pct in got.values()} == {"50.0%"}
    assert [name for name, (amount, _) in got.items() if amount != "hidden"] == ["Will"]


def test_no_quota_rows_say_so(client, org):
    b = Board.objects.create(name="None", measure="attainment", window="month")
    org.login(client, "admin")
    html = client.get(reverse("leaderboards:board_detail", args=[b.pk])).content.decode()
    assert html.count("no quota") >= 12  # amount and progress cells of all six reps
    assert "rank last" in html
