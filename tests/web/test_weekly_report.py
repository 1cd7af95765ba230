"""The weekly report by email, with numbers checked by hand against tests/factories.py.

Sent on Monday 2026-02-16, it reports 9 to 15 February 2026. Each of the six reps won one
deal of USD 12,000.00 on 2026-02-10 (in that week) and has one open deal of USD 30,000.00;
web_org logged one call per rep on 2026-02-01 (not in that week). Walt's team on that day is
Walt, Wendy and Will; Vera's is everyone.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attain.cli import main
from attain.forecasts.models import ForecastCall
from attain.quotas.models import Quota
from attain.reports import weekly
from attain.reports.models import WeeklyReportDelivery
from attain.sales.models import Activity, Deal
from tests.forecasts import scenario

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 2, 16)
WEEK = (dt.date(2026, 2, 9), dt.date(2026, 2, 15))


def plain(report) -> str:
    return weekly.render_message(report).body


def figures(report) -> dict[str, str]:
    """Every figure as 'label' → 'value (note)'."""
    found = {}
    for section in report.sections:
        for f in section.figures:
            found[f.label] = f"{f.value} ({f.note})" if f.note else f.value
    return found


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (MONDAY, WEEK),
        (dt.date(2026, 2, 18), WEEK),  # a Wednesday: still the week before
        (dt.date(2026, 2, 15), (dt.date(2026, 2, 2), dt.date(2026, 2, 8))),  # a Sunday
        (dt.date(2026, 1, 1), (dt.date(2025, 12, 22), dt.date(2025, 12, 28))),
    ],
)
def test_the_week_reported_is_the_last_full_week_before_the_day(day, week):
    assert weekly.last_full_week(day) == week


def test_a_reps_week_quarter_and_quota(web_org):
    Quota.objects.create(
        rep=web_org.reps["will"], quota="revenue", period="2026-Q1", amount=Decimal("48000.00")
    )
    Activity.objects.create(
        external_id="ACT-WEEK", rep=web_org.reps["will"], kind="meeting", date=WEEK[0]
    )
    report = weekly.build_report(web_org.users["will"], *WEEK)
    assert figures(report) == {
        "Won": "USD 12,000.00 (1 deal)",
        "Calls, meetings and emails logged": "1",  # the 2026-02-01 call is not this week
        "Open pipeline now": "USD 30,000.00 (1 deal)",
        "Won in Q1 2026 so far": "USD 12,000.00 (1 deal)",
        # 46 of the quarter's 90 days: 48,000 × 46 / 90 = 24,533.33; 12,000 of it is 49%.
        "Revenue quota, 1 January to 15 February": "USD 24,533.33",
        "Attainment to date": "49% (USD 12,533.33 behind)",
        # The forecast of Q1: no open deal of Will's closes in it (web_org's has no date).
        "Projection": "USD 12,000.00 (won USD 12,000.00 + weighted pipeline USD 0.00)",
        "Projected attainment of the USD 48,000.00 quota": "25.0% (USD 36,000.00 short)",
        "Your commit": "not made for Q1 2026",
    }
    assert report.subject == "Your week in Attain: 9 February to 15 February 2026"
    text = plain(report)
    assert "Hello Will, here is your week of 9 February to 15 February 2026." in text
    assert "Eddie" not in text and "Wendy" not in text


def test_a_deal_cancelled_by_the_weeks_end_is_not_won(web_org):
    Deal.objects.filter(pk=web_org.deals["will"][0].pk).update(cancellation_date=WEEK[1])
    report = weekly.build_report(web_org.users["will"], *WEEK)
    assert figures(report)["Won"] == "USD 0.00 (0 deals)"


def test_a_managers_team_top_and_quiet_reps(web_org):
    # Wendy's deal closed the week before: she won nothing and logged nothing this week.
    Deal.objects.filter(pk=web_org.deals["wendy"][0].pk).update(close_date=dt.date(2026, 2, 2))
    report = weekly.build_report(web_org.users["walt"], *WEEK)
    assert figures(report)["Won"] == "USD 24,000.00 (2 deals)"
    assert figures(report)["Won in Q1 2026 so far"] == "USD 36,000.00 (3 deals)"
    sections = {s.title: s for s in report.sections}
    assert sections["Top of the week"].items == [
        "Walt Example: USD 12,000.00 (1 deal)",
        "Will Example: USD 12,000.00 (1 deal)",
    ]
    assert sections["Quiet this week"].items == [
        "1 rep logged no activity and won nothing: Wendy Example."
    ]
    assert "Eddie" not in plain(report)


def test_finance_and_admin_read_the_company(web_org):
    finance = figures(weekly.build_report(web_org.users["finance"], *WEEK))
    assert finance["Won"] == "USD 72,000.00 (6 deals)"
    assert finance["Calculation runs awaiting approval"] == "0"
    assert "Imports rejected this week" not in finance
    admin = figures(weekly.build_report(web_org.users["admin"], *WEEK))
    assert admin["Imports rejected this week"] == "0"


# -- the forecast (tests/forecasts/scenario.py: hand-checked figures as of 2026-02-20; the
# week's end, 2026-02-15, sees the same history, so the same chances) -----------------------


def call(rep, scope, commit, day):
    return ForecastCall.objects.create(
        rep=rep,
        scope=scope,
        period="2026-Q1",
        commit=Decimal(commit),
        best_case=Decimal(commit) * 2,
        submitted_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
    )


@pytest.fixture
def forecast_org(web_org):
    scenario.build(web_org)
    will, walt = web_org.reps["will"], web_org.reps["walt"]
    call(will, "own", "20000.00", dt.date(2026, 2, 10))
    call(will, "own", "30000.00", dt.date(2026, 2, 16))  # after the week: not reported
    call(walt, "team", "45000.00", dt.date(2026, 2, 12))
    return web_org


def forecast_of(report) -> tuple[dict[str, str], list[str], str]:
    (section,) = [s for s in report.sections if "forecast" in s.title]
    found = {f.label: f"{f.value} ({f.note})" if f.note else f.value for f in section.figures}
    return found, section.items, section.title


def test_a_reps_forecast_and_call_standing_at_the_weeks_end(forecast_org):
    found, items, title = forecast_of(weekly.build_report(forecast_org.users["will"], *WEEK))
    assert title == "Your forecast for Q1 2026"
    assert found == {
        # won 12,000 (2026-02-10) + P1 20,000 × 44.24% + P2 8,000.50 × 61.76% (P3 unrated)
        "Projection": "USD 25,789.11 (won USD 12,000.00 + weighted pipeline USD 13,789.11)",
        # 25,789.11 ÷ 60,000 = 42.98%
        "Projected attainment of the USD 60,000.00 quota": "43.0% (USD 34,210.89 short)",
        "Your commit": "USD 20,000.00 (best case USD 40,000.00, made 10 February)",
    }
    assert items == [
        "1 deal in currencies other than USD without an exchange rate is left out of these sums."
    ]  # X1


def test_a_managers_team_forecast_sums_the_reps_commits(forecast_org):
    found, items, title = forecast_of(weekly.build_report(forecast_org.users["walt"], *WEEK))
    assert title == "Your team's forecast for Q1 2026"
    assert found == {
        # Walt, Wendy and Will won 12,000 each; only Will has weighted pipeline.
        "Projection": "USD 49,789.11 (won USD 36,000.00 + weighted pipeline USD 13,789.11)",
        # Will's 60,000 + Wendy's January 10,000 (a month of the quarter); 49,789.11 ÷ 70,000
        "Projected attainment of the USD 70,000.00 quota": (
            "71.1% (USD 20,210.89 short; 1 rep with quota for part of it)"
        ),
        "Reps' commits": "USD 20,000.00 (1 of 3 reps called)",
        "Your team's commit": "USD 45,000.00 (best case USD 90,000.00, made 12 February)",
    }
    assert items == [
        "1 deal in currencies other than USD without an exchange rate is left out of these sums."
    ]


def test_the_companys_forecast_for_finance(forecast_org):
    found, _, title = forecast_of(weekly.build_report(forecast_org.users["finance"], *WEEK))
    assert title == "The company's forecast for Q1 2026"
    assert found == {
        "Projection": "USD 85,789.11 (won USD 72,000.00 + weighted pipeline USD 13,789.11)",
        "Projected attainment of the USD 70,000.00 quota": (
            "122.6% (reaches quota; 1 rep with quota for part of it)"
        ),
        "Reps' commits": "USD 20,000.00 (1 of 6 reps called)",
    }


def test_the_forecast_links_to_its_quarter(forecast_org):
    text = plain(weekly.build_report(forecast_org.users["will"], *WEEK))
    assert "/forecasts/?period=2026-Q1" in text


def test_sent_once_a_week_to_each_user_with_an_address(web_org):
    web_org.users["finance"].email = ""
    web_org.users["finance"].save()
    weekly.set_subscribed(web_org.users["eddie"], False)
    start, end, outcomes = weekly.send_weekly_reports(MONDAY)
    assert (start, end) == WEEK
    skipped = {o.username: o.skipped for o in outcomes if o.skipped}
    assert skipped["finance"] == "no email address"
    assert skipped["eddie"] == "unsubscribed"
    sent = sorted(m.to[0] for m in mail.outbox)
    assert "will@example.com" in sent and "eddie@example.com" not in sent
    assert len(sent) == WeeklyReportDelivery.objects.count()
    message = next(m for m in mail.outbox if m.to == ["will@example.com"])
    html = message.alternatives[0].content
    assert "USD 12,000.00" in html and "http://127.0.0.1:8000/reports/weekly/" in html
    assert "<script" not in html
    # A second run that week sends nothing more; --force sends again.
    _, _, again = weekly.send_weekly_reports(MONDAY + dt.timedelta(days=1))
    assert {o.skipped for o in again if o.username == "will"} == {"already sent for this week"}
    assert len(mail.outbox) == len(sent)
    weekly.send_weekly_reports(MONDAY, usernames=["will"], force=True)
    assert len(mail.outbox) == len(sent) + 1
    assert WeeklyReportDelivery.objects.filter(user=web_org.users["will"]).count() == 1
    with pytest.raises(weekly.UnknownUser, match="no active user named nobody"):
        weekly.send_weekly_reports(MONDAY, usernames=["will", "nobody"])


def test_a_login_linked_to_no_rep_is_skipped(web_org):
    from attain.people.models import Rep

    Rep.objects.filter(pk=web_org.reps["walt"].pk).update(user=None)
    web_org.users["walt"].email = "walt@example.com"
    web_org.users["walt"].save()
    _, _, outcomes = weekly.send_weekly_reports(MONDAY, usernames=["walt"])
    assert outcomes[0].skipped == "linked to no rep"
    assert mail.outbox == []


def test_the_page_shows_ones_own_report_and_stops_or_restarts_it(client, web_org, monkeypatch):
    monkeypatch.setattr("attain.people.selectors.today", lambda: MONDAY)
    web_org.login(client, "will")
    url = reverse("weekly_report")
    page = client.get(url).content.decode()
    assert "Your week in Attain: 9 February to 15 February 2026" in page
    assert "USD 12,000.00" in page and "Stop the weekly email" in page
    response = client.post(url, {"subscribed": "0"}, follow=True)
    assert "The weekly email is stopped." in response.content.decode()
    assert not weekly.subscribed(web_org.users["will"])
    assert "Send me the weekly email" in response.content.decode()
    client.post(url, {"subscribed": "1"})
    assert weekly.subscribed(web_org.users["will"])


def test_command_line(web_org, capsys):
    assert main(["weekly-report", "--date", "2026-02-16", "--user", "will"]) == 0
    out = capsys.readouterr().out
    assert "Weekly report for 2026-02-09 to 2026-02-15:" in out
    assert re.search(r"sent\s+will <will@example.com>", out)
    assert "1 sent, 0 skipped." in out
    assert main(["weekly-report", "--date", "16/02/2026"]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert main(["weekly-report", "--user", "nobody"]) == 2
    assert "no active user named nobody" in capsys.readouterr().err
