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

from attain.cli import main
from attain.quotas.models import Quota
from attain.reports import weekly
from attain.reports.models import WeeklyReportDelivery
from attain.sales.models import Activity, Deal

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
