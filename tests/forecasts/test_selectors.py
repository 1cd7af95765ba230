"""Forecast figures on the hand-made scenario (tests/forecasts/scenario.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from attain.forecasts import selectors
from attain.forecasts.models import ForecastCall
from attain.forecasts.selectors import Record, blended_chance
from attain.people.models import Rep
from attain.sales.models import Deal
from tests.forecasts.scenario import TODAY, build

pytestmark = pytest.mark.django_db
Q1 = selectors.forecast_period("2026-Q1")


@pytest.fixture
def scenario(org):
    build(org)
    return org


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def call(rep, period, commit, day, scope="own"):
    return ForecastCall.objects.create(
        rep=rep,
        scope=scope,
        period=period,
        commit=Decimal(commit),
        best_case=Decimal(commit) * 2,
        submitted_at=at(day),
    )


# -- periods -------------------------------------------------------------------------------


def test_periods_are_months_or_quarters():
    assert (Q1.start, Q1.end, Q1.title, Q1.kind) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
        "Q1 2026",
        "quarter",
    )
    november = selectors.forecast_period(" 2026-11 ")
    assert (november.start, november.end, november.title) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
        "November 2026",
    )
    assert Q1.midpoint == dt.date(2026, 2, 14)  # 1 Jan + 89 // 2 days
    assert Q1.days_left(TODAY) == 40 and Q1.days_left(dt.date(2026, 4, 1)) == 0
    for label in ("2026", "2026-H1", "2026-13", "Q1", ""):
        with pytest.raises(ValueError, match="give a month"):
            selectors.forecast_period(label)


def test_period_choices_are_this_quarter_this_month_and_the_next_ones():
    labels = [p.label for p in selectors.period_choices(dt.date(2026, 12, 5))]
    assert labels == ["2026-Q4", "2026-12", "2027-01", "2027-Q1"]


# -- win chances ---------------------------------------------------------------------------


def test_blended_chance_pulls_a_short_record_toward_the_company():
    # (3 + 10 × 4/11) / (5 + 10) = 73/165 = 0.44242…
    assert blended_chance(Record(3, 5), Record(4, 11)) == Decimal("0.4424")
    # no record of one's own: the company's rate
    assert blended_chance(Record(0, 0), Record(4, 11)) == Decimal("0.3636")
    # no company record: one's own rate (the company's includes one's own, so only if empty)
    assert blended_chance(Record(1, 4), Record(0, 0)) == Decimal("0.2500")
    assert blended_chance(Record(0, 0), Record(0, 0)) is None
    # a long record speaks for itself: (90 + 10 × 0.5) / (100 + 10) = 0.8636…
    assert blended_chance(Record(90, 100), Record(500, 1000)) == Decimal("0.8636")


def test_win_chances_by_stage(scenario):
    will, eddie = scenario.reps["will"], scenario.reps["eddie"]
    chances = selectors.win_chances([will.id, eddie.id], TODAY)
    table = {c.stage: c for c in chances.table(will.id)}
    proposal = table["Proposal"]
    # H5 was won, then cancelled: closed but not won. "proposal " matches "Proposal".
    assert (proposal.own, proposal.company) == (Record(3, 5), Record(4, 11))
    assert proposal.chance == Decimal("0.4424")
    assert table["Prospecting"].chance == Decimal("0.4424")
    assert table["Qualification"].chance is None  # no closed deal passed through it
    assert table["Negotiation"].chance is None
    # Any stage: will 4 won of 6 (the factory's won deal has no history), company 10 of 17:
    # (4 + 10 × 10/17) / 16 = 168/272 = 0.61764…
    anything = table["Any stage"]
    assert (anything.own, anything.company) == (Record(4, 6), Record(10, 17))
    assert anything.chance == Decimal("0.6176")
    # eddie: (1 + 10 × 4/11) / 16 = 51/176 = 0.28977…
    assert chances.for_stage(eddie.id, chances.stage_of("Proposal")).chance == Decimal("0.2898")
    assert "won 3 of 5 (60.0%)" in proposal.explanation
    assert "the company 4 of 11 (36.4%)" in proposal.explanation
    assert "44.2% used" in proposal.explanation


def test_history_is_the_last_365_days(scenario):
    # A year later every history deal has dropped out; the factory's won deals remain.
    chances = selectors.win_chances([scenario.reps["will"].id], dt.date(2027, 2, 9))
    assert chances.for_stage(scenario.reps["will"].id, 2).company == Record()
    assert chances.for_stage(scenario.reps["will"].id, -1).company == Record(6, 6)


# -- forecast rows -------------------------------------------------------------------------


def test_a_reps_forecast_row(scenario):
    will = scenario.reps["will"]
    (row,) = selectors.forecast_rows(Rep.objects.filter(pk=will.pk), Q1, TODAY)
    assert (row.won, row.won_deals) == (Decimal("12000.00"), 1)
    # P1 + P2 + P3; S1 closes before Q1, X1 is in EUR, the factory's open deal has no date
    assert (row.pipeline, row.pipeline_deals) == (Decimal("33000.50"), 3)
    # P1 20,000 × 0.4424 = 8,848 + P2 8,000.50 × 0.6176 = 4,941.1088; P3 is unrated
    assert row.weighted_exact == Decimal("13789.1088")
    assert row.weighted == Decimal("13789.11")
    assert row.unrated_deals == 1
    assert row.projection == Decimal("25789.11")
    assert row.quota == Decimal("60000.00")
    assert (row.quota_days, row.period_days, row.quota_partial) == (90, 90, False)
    assert row.attainment == Decimal("20.0")
    assert row.projected_attainment == Decimal("43.0")  # 25,789.11 / 60,000 = 42.98%
    assert row.gap == Decimal("34210.89")
    assert row.bar == (20, 22, 100)  # won, weighted, quota mark: % of 60,000
    assert row.call is None


def test_a_reps_deals_and_pipeline_hygiene(scenario):
    will = scenario.reps["will"]
    chances = selectors.win_chances([will.id], TODAY)
    deals = selectors.forecast_deals(will, Q1, TODAY, chances)
    assert [(d.deal.external_id, d.weighted, d.past_close_date) for d in deals] == [
        ("D-WILL-P2", Decimal("4941.11"), True),
        ("D-WILL-P3", None, False),
        ("D-WILL-X1", None, False),  # EUR, and no exchange rate: listed, not weighed
        ("D-WILL-P1", Decimal("8848.00"), False),
    ]
    assert [(d.amount, d.rate) for d in deals if d.converted] == [(None, None)]
    assert selectors.pipeline_hygiene(will, Q1) == selectors.PipelineHygiene(slipped=1, undated=1)
    (row,) = selectors.forecast_rows(Rep.objects.filter(pk=will.pk), Q1, TODAY, chances)
    assert (row.unconverted_deals, row.converted_deals) == (1, 0)


def test_deals_in_another_currency_are_converted_at_the_exchange_rates(scenario):
    """With 1 EUR = 1.10 USD from 2026-01-01: X1 (EUR 7,000.00 at Proposal, 44.24%) is
    USD 7,700.00 in the pipeline, weighted 7,700 × 0.4424 = 3,406.48; a won EUR deal of
    EUR 1,000.00 closed on 2026-02-05 (X2) is USD 1,100.00 won."""
    from attain.sales.models import FxRate
    from tests.forecasts.scenario import deal

    will = scenario.reps["will"]
    FxRate.objects.create(
        from_currency="EUR", to_currency="USD", rate=Decimal("1.1"), valid_from=dt.date(2026, 1, 1)
    )
    deal(scenario, "will", "X2", status=Deal.Status.WON, amount="1000.00",
         close=dt.date(2026, 2, 5), stage="Closed Won", currency="EUR")  # fmt: skip
    (row,) = selectors.forecast_rows(Rep.objects.filter(pk=will.pk), Q1, TODAY)
    assert (row.won, row.won_deals) == (Decimal("13100.00"), 2)
    assert (row.pipeline, row.pipeline_deals) == (Decimal("40700.50"), 4)
    # P1 20,000 × 44.24% + X1 7,700 × 44.24%; X2 (won, no stage history) moves Will's
    # "Any stage" record to 5 of 7 and the company's to 11 of 18, so P2 (Discovery) takes
    # (5 + 10 × 11/18) ÷ 17 = 65.36%: 8,000.50 × 0.6536 = 5,229.1268.
    assert row.weighted_exact == Decimal("8848.00") + Decimal("3406.48") + Decimal("5229.1268")
    assert row.weighted == Decimal("17483.61")
    assert (row.converted_deals, row.unconverted_deals) == (2, 0)
    chances = selectors.win_chances([will.id], TODAY)
    x1 = [d for d in selectors.forecast_deals(will, Q1, TODAY, chances) if d.converted]
    assert [(d.amount, d.rate, d.weighted) for d in x1] == [
        (Decimal("7700.00"), Decimal("1.10000000"), Decimal("3406.48"))
    ]
    forecast = selectors.team_forecast(Rep.objects.filter(pk=will.pk), Q1, TODAY)
    assert forecast.other_currency == 0 and forecast.total.converted_deals == 2


def test_team_forecast_totals_and_partial_quotas(scenario):
    west = Rep.objects.filter(external_id__in=["R-WALT", "R-WENDY", "R-WILL"])
    forecast = selectors.team_forecast(west, Q1, TODAY)
    assert [row.rep.name for row in forecast.rows] == [
        "Walt Example",
        "Wendy Example",
        "Will Example",
    ]
    wendy = forecast.rows[1]
    assert (wendy.quota, wendy.quota_days, wendy.quota_partial) == (Decimal("10000.00"), 31, True)
    assert forecast.rows[0].quota is None and not forecast.rows[0].quota_partial
    total = forecast.total
    assert total.won == Decimal("36000.00") and total.won_deals == 3
    assert total.pipeline == Decimal("33000.50")
    assert total.weighted == Decimal("13789.11")
    assert total.quota == Decimal("70000.00")
    assert total.partial_quotas == 1
    assert forecast.other_currency == 1
    assert (forecast.reps_commit, forecast.reps_called) == (Decimal("0"), 0)


def test_reps_not_employed_in_the_period_are_left_out(scenario):
    wendy = scenario.reps["wendy"]
    wendy.termination_date = dt.date(2025, 12, 31)
    wendy.save()
    west = Rep.objects.filter(external_id__in=["R-WALT", "R-WENDY", "R-WILL"])
    names = [row.rep.name for row in selectors.team_forecast(west, Q1, TODAY).rows]
    assert names == ["Walt Example", "Will Example"]


# -- calls and accuracy --------------------------------------------------------------------


def test_the_latest_call_counts(scenario):
    will, wendy = scenario.reps["will"], scenario.reps["wendy"]
    call(will, "2026-Q1", "20000.00", dt.date(2026, 1, 10))
    latest = call(will, "2026-Q1", "24000.00", dt.date(2026, 2, 1))
    call(will, "2026-02", "9000.00", dt.date(2026, 2, 2))  # another period
    call(will, "2026-Q1", "1.00", dt.date(2026, 2, 3), scope="team")  # another scope
    call(wendy, "2026-Q1", "5000.00", dt.date(2026, 1, 20))
    calls = selectors.latest_calls([will.id, wendy.id], Q1, "own")
    assert calls[will.id] == latest
    west = Rep.objects.filter(external_id__in=["R-WENDY", "R-WILL"])
    forecast = selectors.team_forecast(west, Q1, TODAY)
    assert forecast.rows[1].call == latest
    assert (forecast.reps_commit, forecast.reps_best_case, forecast.reps_called) == (
        Decimal("29000.00"),
        Decimal("58000.00"),
        2,
    )
    by_january = selectors.latest_calls([will.id], Q1, "own", by=at(dt.date(2026, 1, 31)))
    assert by_january[will.id].commit == Decimal("20000.00")
    assert [c.commit for c in selectors.call_history(will, Q1, "own")] == [
        Decimal("24000.00"),
        Decimal("20000.00"),
    ]


def test_accuracy_judges_the_call_standing_at_mid_quarter(scenario):
    will, walt = scenario.reps["will"], scenario.reps["walt"]
    call(will, "2025-Q4", "10000.00", dt.date(2025, 11, 1))
    call(will, "2025-Q4", "99999.00", dt.date(2025, 12, 20))  # after 15 November: too late
    call(walt, "2025-Q4", "30000.00", dt.date(2025, 11, 15), scope="team")
    rows = selectors.accuracy(will, "own", TODAY)
    assert [r.period.label for r in rows] == ["2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"]
    q4 = rows[0]
    # won in Q4 2025: H1 10,000 + H2 5,000 (H5 was cancelled)
    assert (q4.commit, q4.won, q4.error) == (
        Decimal("10000.00"),
        Decimal("15000.00"),
        Decimal("50.0"),
    )
    assert (rows[2].commit, rows[2].won, rows[2].error) == (None, Decimal("7000.00"), None)
    team = selectors.accuracy(walt, "team", TODAY)[0]
    # walt's team on 15 November 2025: walt, wendy, will; only will won in Q4
    assert (team.commit, team.won, team.error) == (
        Decimal("30000.00"),
        Decimal("15000.00"),
        Decimal("-50.0"),
    )


def test_who_may_call(scenario):
    reps, users = scenario.reps, scenario.users
    assert selectors.may_call(users["will"], reps["will"], "own", TODAY)
    assert not selectors.may_call(users["will"], reps["wendy"], "own", TODAY)
    assert not selectors.may_call(users["will"], reps["will"], "team", TODAY)
    assert selectors.may_call(users["walt"], reps["walt"], "team", TODAY)
    assert selectors.may_call(users["walt"], reps["walt"], "own", TODAY)
    assert not selectors.may_call(users["walt"], reps["will"], "own", TODAY)
    assert not selectors.may_call(users["admin"], reps["will"], "own", TODAY)
    assert not selectors.may_call(users["finance"], reps["will"], "own", TODAY)
