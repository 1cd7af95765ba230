"""Forecast pages by role, the call forms and the JSON API (tests/forecasts/scenario.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from attain.forecasts.models import ForecastCall
from tests.api.conftest import ApiClient
from tests.forecasts.scenario import build
from tests.web.conftest import set_today

pytestmark = pytest.mark.django_db
HOME = reverse("forecasts:home")


@pytest.fixture
def scenario(org):
    build(org)
    return org


def rep_page(org, name):
    return reverse("forecasts:rep", args=[org.reps[name].pk])


def text(response) -> str:
    return response.content.decode()


# -- pages ---------------------------------------------------------------------------------


def test_a_rep_sees_their_own_forecast(client, scenario):
    scenario.login(client, "will")
    response = client.get(HOME)
    page = text(response)
    assert response.context["rep"] == scenario.reps["will"]
    assert "My forecast" in page and "Q1 2026" in page
    assert "USD 12,000.00" in page  # won
    assert "USD 13,789.11" in page  # weighted
    assert "USD 25,789.11" in page  # projection
    assert "43.0% of quota" in page
    assert "40 days left" in page
    # the three deals of the period, each with its chance and weighted amount
    assert "USD 8,848.00" in page and "44.24%" in page
    assert "USD 4,941.11" in page and "late" in page
    # what the sums leave out, said on the page
    notes = response.context
    assert notes["hygiene"].slipped == 1 and notes["other_currency"] == 1
    assert "weighted at 0" in page and "no close date" in page
    assert "in another currency" in page
    assert "Eddie" not in page
    assert response.context["form"] is not None


def test_a_deal_in_euros_shows_its_dollars_and_rate(client, scenario):
    from attain.sales.models import FxRate

    scenario.login(client, "will")
    assert "no rate to USD" in text(client.get(HOME))
    FxRate.objects.create(
        from_currency="EUR", to_currency="USD", rate=Decimal("1.1"), valid_from=dt.date(2026, 1, 1)
    )
    response = client.get(HOME)
    page = text(response)
    assert "EUR 7,000.00" in page and "USD 7,700.00 at 1.1" in page
    assert "USD 17,195.59" in page  # weighted: 13,789.11 + 7,700 × 44.24%
    assert response.context["other_currency"] == 0
    assert "1 deal in another currency than USD is converted" in page


def test_a_rep_calls_and_sees_the_call(client, scenario):
    scenario.login(client, "will")
    response = client.post(
        f"{HOME}?period=2026-Q1",
        {"period": "2026-03", "commit": "15000", "best_case": "22000", "note": "P1 in March"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{rep_page(scenario, 'will')}?period=2026-03"
    call = ForecastCall.objects.get()
    assert (call.rep, call.scope, call.period, call.commit) == (
        scenario.reps["will"],
        "own",
        "2026-03",
        Decimal("15000.00"),
    )
    page = text(client.get(response["Location"]))
    assert "Call for March 2026 saved" in page
    assert "P1 in March" in page and "latest" in page


def test_a_bad_call_shows_its_errors_and_saves_nothing(client, scenario):
    scenario.login(client, "will")
    response = client.post(
        rep_page(scenario, "will"), {"period": "2026-Q1", "commit": "15000", "best_case": "100"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"best_case": ["must be at least the commit"]}
    response = client.post(HOME, {"period": "2025-Q4", "commit": "1", "best_case": "1"})
    assert "period" in response.context["form"].errors  # not a period on offer
    assert not ForecastCall.objects.exists()


def test_nobody_posts_someone_elses_call(client, scenario):
    scenario.login(client, "walt")
    body = {"period": "2026-Q1", "commit": "1", "best_case": "1"}
    assert client.post(rep_page(scenario, "will"), body).status_code == 403
    scenario.login(client, "finance")
    assert client.post(HOME, body).status_code == 403
    assert client.post(rep_page(scenario, "will"), body).status_code == 403
    assert not ForecastCall.objects.exists()


def test_a_manager_sees_the_team_and_calls_for_it(client, scenario):
    ForecastCall.objects.create(
        rep=scenario.reps["will"],
        period="2026-Q1",
        commit=Decimal("20000"),
        best_case=Decimal("30000"),
        submitted_at=timezone.now(),
    )
    scenario.login(client, "walt")
    response = client.get(HOME)
    page = text(response)
    assert "Team forecast" in page
    names = [row.rep.name for row in response.context["page"]]
    assert names == ["Walt Example", "Wendy Example", "Will Example"]
    assert "Eddie Example" not in page
    assert "USD 36,000.00" in page  # the team's won
    assert "1 rep&#x27;s quota covers only part of the period" in page  # wendy's January quota
    assert "31 of 90 days" in page
    assert response.context["forecast"].reps_commit == Decimal("20000.00")
    response = client.post(HOME, {"period": "2026-Q1", "commit": "40000", "best_case": "55000"})
    assert response.status_code == 302
    call = ForecastCall.objects.get(scope="team")
    assert (call.rep, call.commit) == (scenario.reps["walt"], Decimal("40000.00"))
    assert "Your team call: commit" in text(client.get(HOME))


def test_the_team_table_sorts_by_risk_and_pages(client, scenario, monkeypatch):
    scenario.login(client, "walt")
    response = client.get(HOME, {"sort": "risk"})
    # will projects 43% of quota, wendy 120% (12,000 of a 10,000 quota); walt has no quota
    assert [row.rep.name for row in response.context["page"]] == [
        "Will Example",
        "Wendy Example",
        "Walt Example",
    ]
    monkeypatch.setattr("attain.forecasts.views.TEAM_PAGE", 2)
    second = client.get(HOME, {"page": "2"}).context["page"]
    assert [row.rep.name for row in second] == ["Will Example"]


def test_finance_sees_the_company_and_the_managers_calls(client, scenario):
    ForecastCall.objects.create(
        rep=scenario.reps["erin"],
        scope="team",
        period="2026-Q1",
        commit=Decimal("9000"),
        best_case=Decimal("9000"),
        note="East is quiet",
        submitted_at=timezone.now(),
    )
    scenario.login(client, "finance")
    response = client.get(HOME)
    page = text(response)
    assert "Company forecast" in page
    assert len(response.context["forecast"].rows) == 6
    assert "East is quiet" in page and "Erin Example" in page
    assert response.context.get("form") is None


def test_an_unlinked_login_is_told_why_nothing_shows(client, scenario):
    user = scenario.users["will"]
    scenario.reps["will"].user = None
    scenario.reps["will"].save()
    client.force_login(user)
    assert "linked to no rep" in text(client.get(HOME))


def test_a_bad_period_says_so_and_shows_this_quarter(client, scenario):
    scenario.login(client, "will")
    response = client.get(HOME, {"period": "2026"})
    assert response.context["period"].label == "2026-Q1"
    assert "give a month (2026-11) or a quarter (2026-Q4)" in text(response)


def test_a_past_period_shows_no_open_deals_but_keeps_the_history(client, scenario, monkeypatch):
    set_today(monkeypatch, dt.date(2026, 4, 2))
    scenario.login(client, "will")
    response = client.get(HOME, {"period": "2026-Q1"})
    assert "has ended" in text(response)
    assert response.context["ended"] is True


# -- API -----------------------------------------------------------------------------------


@pytest.fixture
def api(scenario):
    from attain.people.tokens import create_token

    def make(name):
        return ApiClient(create_token(scenario.users[name], "tests")[1] if name else None)

    return make


@pytest.mark.parametrize(
    ("who", "status", "reps"),
    [
        (None, 401, None),
        ("will", 200, ["R-WILL"]),
        ("walt", 200, ["R-WALT", "R-WENDY", "R-WILL"]),
        ("finance", 200, ["R-EDDIE", "R-ERIN", "R-VERA", "R-WALT", "R-WENDY", "R-WILL"]),
        ("admin", 200, ["R-EDDIE", "R-ERIN", "R-VERA", "R-WALT", "R-WENDY", "R-WILL"]),
    ],
)
def test_api_forecast_by_role(api, who, status, reps):
    response = api(who).get("/api/forecasts", period="2026-Q1")
    assert response.status_code == status
    if reps is not None:
        body = response.json()
        assert [row["rep"] for row in body["items"]] == reps
        assert body["count"] == len(reps)


def test_api_forecast_figures_are_exact_strings(api):
    body = api("will").get("/api/forecasts", period="2026-Q1").json()
    (row,) = body["items"]
    assert (row["won"], row["weighted"], row["projection"]) == ("12000.00", "13789.11", "25789.11")
    assert (row["quota"], row["projected_attainment"], row["unrated_deals"]) == (
        "60000.00",
        "43.0",
        1,
    )
    assert body["total"]["rep"] is None and body["total"]["pipeline"] == "33000.50"
    assert api("walt").get("/api/forecasts", rep="R-EDDIE").json()["items"] == []
    bad = api("will").get("/api/forecasts", period="2026-H1")
    assert bad.status_code == 422 and "give a month" in bad.json()["detail"]


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        (None, {"commit": "1", "best_case": "1"}, 401),
        ("will", {"commit": "1", "best_case": "2"}, 201),
        ("will", {"commit": "1", "best_case": "2", "scope": "team"}, 403),
        ("walt", {"commit": "1", "best_case": "2", "scope": "team"}, 201),
        ("finance", {"commit": "1", "best_case": "2"}, 403),
        ("admin", {"commit": "1", "best_case": "2"}, 403),
        ("will", {"commit": "5", "best_case": "2"}, 422),
        ("will", {"commit": 1.5, "best_case": "2", "period": "2025-Q4"}, 422),
    ],
)
def test_api_submit_call_by_role(api, who, body, status):
    response = api(who).post("/api/forecasts/calls", {"period": "2026-Q1", **body})
    assert response.status_code == status, response.content
    assert ForecastCall.objects.count() == (1 if status == 201 else 0)
    if status == 422:
        assert response.json()["detail"][0]["field"] in {"best_case", "period"}


def test_api_calls_are_scoped(api, scenario):
    for name in ("will", "wendy", "eddie"):
        ForecastCall.objects.create(
            rep=scenario.reps[name],
            period="2026-Q1",
            commit=Decimal("1"),
            best_case=Decimal("1"),
            submitted_at=timezone.now(),
        )
    seen = {
        who: sorted(c["rep"] for c in api(who).get("/api/forecasts/calls").json()["items"])
        for who in ("will", "walt", "finance")
    }
    assert seen == {
        "will": ["R-WILL"],
        "walt": ["R-WENDY", "R-WILL"],
        "finance": ["R-EDDIE", "R-WENDY", "R-WILL"],
    }
    assert api(None).get("/api/forecasts/calls").status_code == 401
    assert api("will").get("/api/forecasts/calls", scope="x").status_code == 422
