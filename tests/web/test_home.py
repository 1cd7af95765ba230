"""Home page per role, with numbers checked by hand against tests/factories.py.

On TODAY (2026-02-20) each of the six reps has one won deal of USD 12,000.00 closed on
2026-02-10 and one open deal of USD 30,000.00.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from attain.imports.models import ImportRun
from tests.web.conftest import AFTER_MOVE, set_today

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def home(client, org, username):
    org.login(client, username)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_rep_home_shows_own_numbers_only(client, web_org):
    response = home(client, web_org, "will")
    page = text(response)
    data = response.context["home"]
    assert str(data.won_month) == "USD 12,000.00"
    assert str(data.won_quarter) == "USD 12,000.00"
    assert str(data.pipeline) == "USD 30,000.00"
    assert data.pipeline.count == 1
    assert 'data-testid="won-quarter">USD 12,000.00<' in page
    assert "Q1 2026" in page and "February 2026" in page
    assert "1 open deal" in page
    assert "Will won deal" in page and "Will open deal" in page
    assert "Wendy" not in page and "Eddie" not in page


def test_rep_home_nothing_won_in_a_later_month(client, web_org, monkeypatch):
    from datetime import date

    set_today(monkeypatch, date(2026, 3, 5))
    data = home(client, web_org, "will").context["home"]
    assert str(data.won_month) == "USD 0.00"  # nothing closed in March
    assert str(data.won_quarter) == "USD 12,000.00"  # February is still Q1


def test_rep_home_empty_state(client, web_org):
    from attain.sales.models import Deal

    Deal.objects.filter(owner=web_org.reps["will"]).delete()
    assert "No deals yet." in text(home(client, web_org, "will"))


def test_manager_home_team_table_and_chart(client, web_org):
    response = home(client, web_org, "walt")
    team = response.context["team"]
    assert [row.rep.name for row in team.rows] == ["Walt Example", "Wendy Example", "Will Example"]
    assert {row.team_name for row in team.rows} == {"West"}
    assert all(str(row.won_quarter) == "USD 12,000.00" for row in team.rows)
    assert all(str(row.pipeline) == "USD 30,000.00" for row in team.rows)
    assert all(row.win_rate == 100 for row in team.rows)
    assert str(team.won_quarter) == "USD 36,000.00"
    assert str(team.pipeline) == "USD 90,000.00"
    page = text(response)
    assert "Eddie" not in page and "Erin" not in page
    assert "trailing 12 months" in page
    figure = json.loads(
        re.search(r'id="won-chart-data"[^>]*>(.*?)</script>', response.content.decode()).group(1)
    )
    assert figure["data"][0]["x"] == ["Walt Example", "Wendy Example", "Will Example"]
    assert figure["data"][0]["y"] == [12000.0, 12000.0, 12000.0]
    assert "plotly/plotly.min.js" in page


def test_manager_home_follows_the_hierarchy_in_force_today(client, web_org, monkeypatch):
    set_today(monkeypatch, AFTER_MOVE)
    walt = home(client, web_org, "walt").context["team"]
    assert [row.rep.name for row in walt.rows] == ["Walt Example", "Will Example"]
    assert str(walt.won_quarter) == "USD 0.00"  # nothing closed in Q3 2026
    assert str(walt.pipeline) == "USD 60,000.00"
    client.logout()
    erin = home(client, web_org, "erin").context["team"]
    assert {row.rep.name for row in erin.rows} == {"Erin Example", "Eddie Example", "Wendy Example"}
    wendy = next(row for row in erin.rows if row.rep.name == "Wendy Example")
    assert wendy.team_name == "East"


def test_vp_home_covers_the_whole_tree(client, web_org):
    team = home(client, web_org, "vera").context["team"]
    assert len(team.rows) == 6
    assert str(team.won_quarter) == "USD 72,000.00"


def test_finance_home_company_totals(client, web_org):
    response = home(client, web_org, "finance")
    company = response.context["company"]
    assert str(company.won_month) == "USD 72,000.00"
    assert str(company.won_quarter) == "USD 72,000.00"
    assert str(company.pipeline) == "USD 180,000.00"
    assert company.pipeline.count == 6
    assert dict(company.counts)["Deals"] == 12
    # Accounts take their team's region (vera's Sales team has none, so West).
    assert {row.region: str(row.won_quarter) for row in company.regions} == {
        "East": "USD 24,000.00",  # erin, eddie
        "West": "USD 48,000.00",  # vera, walt, wendy, will
    }
    page = text(response)
    assert "Company totals" in page and "USD 180,000.00" in page


def test_admin_home_data_health(client, web_org):
    response = home(client, web_org, "admin")
    counts = dict(response.context["health"].counts)
    assert counts["Reps"] == 6
    assert counts["Teams"] == 3
    assert counts["Accounts"] == 6
    assert counts["Deals"] == 12
    assert counts["Credits"] == 12
    assert counts["Activities"] == 6
    assert counts["Territories"] == 2
    page = text(response)
    assert "Data health" in page
    assert "No imports yet." in page


def test_admin_home_last_import_and_errors(client, web_org):
    now = timezone.now()
    ImportRun.objects.create(
        entity="deals",
        file_name="bad-deals.csv",
        source=ImportRun.Source.UPLOAD,
        status=ImportRun.Status.REJECTED,
        rows=3,
        errors=[{"row": 3, "column": "amount", "value": "-5", "reason": "negative amount"}],
        started_at=now,
        finished_at=now,
    )
    page = text(home(client, web_org, "admin"))
    assert "bad-deals.csv" in page
    assert "negative amount" in page
    assert "Rejected" in page


def test_admin_home_empty_org_says_what_to_do(client, db):
    from attain.people.models import User
    from tests.factories import PASSWORD

    User.objects.create_user(
        username="root", password=PASSWORD, role="admin", is_staff=True, is_superuser=True
    )
    client.login(username="root", password=PASSWORD)
    page = text(client.get(reverse("home")))
    assert "No data yet — import it on the Imports page." in page


@pytest.mark.parametrize(
    ("username", "active"),
    [("admin", "Home"), ("finance", "Home")],
)
def test_only_the_current_section_is_active(client, web_org, username, active):
    web_org.login(client, username)
    assert [i["label"] for i in client.get("/").context["nav_items"] if i["active"]] == [active]
    deals = client.get(reverse("sales:deal_list")).context["nav_items"]
    assert [i["label"] for i in deals if i["active"]] == ["Deals"]
    detail = reverse("sales:deal_detail", args=[web_org.deals["will"][0].pk])
    assert [i["label"] for i in client.get(detail).context["nav_items"] if i["active"]] == ["Deals"]


CORE_NAV = ["Home", "Reps", "Accounts", "Deals"]


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("will", CORE_NAV, ["Territories", "Imports"]),
        ("walt", [*CORE_NAV, "Territories"], ["Imports"]),
        ("finance", [*CORE_NAV, "Territories"], ["Imports"]),
        ("admin", [*CORE_NAV, "Territories", "Imports"], []),
    ],
)
def test_navigation_by_role(client, web_org, username, shown, hidden):
    # Other features add their own entries; these are the ones the UI shell owns.
    web_org.login(client, username)
    labels = [i["label"] for i in client.get("/").context["nav_items"]]
    assert [label for label in labels if label in shown] == shown
    assert not set(hidden) & set(labels)


def test_rep_home_lists_open_action_items_and_ticks_them_off(org, client, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from attain.coaching import services as coaching

    session = coaching.schedule_session(
        manager=org.reps["walt"],
        rep=org.reps["will"],
        scheduled_at=timezone.make_aware(dt.datetime(2026, 2, 18, 10)),
    )
    item = coaching.add_action_item(session, owner=org.reps["will"], text="Call Acme's CFO")
    org.login(client, "will")
    page = client.get("/").content.decode()
    assert "Call Acme&#x27;s CFO" in page or "Call Acme's CFO" in page
    response = client.post(f"/coaching/items/{item.pk}/done/", {"done": "1", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert "No open action items" in client.get("/").content.decode()


def test_a_large_team_comes_a_page_at_a_time_and_the_chart_shows_the_top(
    client, web_org, monkeypatch
):
    """A vice president's team runs to thousands: the table pages (most won first, the
    totals still the whole team's) and the chart shows the reps who won most."""
    from attain.reports import selectors, views

    monkeypatch.setattr(views, "TEAM_ROWS", 2)
    monkeypatch.setattr(selectors, "CHART_REPS", 2)
    first = home(client, web_org, "walt")
    page = text(first)
    assert [row.rep.name for row in first.context["rows"]] == ["Walt Example", "Wendy Example"]
    assert "1–2 of 3, most won first" in page and "Page 1 of 2" in page
    assert str(first.context["team"].won_quarter) == "USD 36,000.00"  # the whole team
    assert "the 2 who won most" in page
    figure = json.loads(
        re.search(r'id="won-chart-data"[^>]*>(.*?)</script>', first.content.decode()).group(1)
    )
    assert figure["data"][0]["x"] == ["Walt Example", "Wendy Example"]
    second = client.get(reverse("home") + "?page=2")
    assert [row.rep.name for row in second.context["rows"]] == ["Will Example"]
    assert 'aria-label="Pages of reps"' in text(second)
