"""The modelling page and API × every role: admin and finance model; managers and reps 403;
anonymous is sent to log in (page) or gets 401 (API). Nothing is ever written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attain.payouts.models import CalcRun, LedgerLine
from tests.api.conftest import ApiClient
from tests.payouts.test_modelling import build_model_org

pytestmark = pytest.mark.django_db

# anonymous, rep, manager (VP), manager, finance, admin
ROLES = ["anonymous", "rep", "vp", "manager", "finance", "admin"]
LOGIN = {"rep": "wendy", "vp": "vera", "manager": "walt", "finance": "finance", "admin": "admin"}
PAGE = {"anonymous": 302, "rep": 403, "vp": 403, "manager": 403, "finance": 200, "admin": 200}
API = {"anonymous": 401, "rep": 403, "vp": 403, "manager": 403, "finance": 200, "admin": 200}


@pytest.fixture
def model_org(org):
    return build_model_org(org)


def _form(org) -> dict:
    return {
        "period": "2026-03",
        "current_plan": "unit-plan",
        "candidates": [str(org.plans["margin"].pk)],
    }


@pytest.mark.parametrize("role", ROLES)
def test_page_get_and_post_per_role(model_org, client, role):
    if role != "anonymous":
        model_org.login(client, LOGIN[role])
    url = reverse("payouts:modelling")
    assert client.get(url).status_code == PAGE[role]
    response = client.post(url, _form(model_org))
    assert response.status_code == PAGE[role]
    if role == "anonymous":
        assert "/login/" in response["Location"]
    if PAGE[role] == 200:
        html = response.content.decode()
        assert "USD 2,000.00" in html and "used-car lot" in html
        assert 'data-figure="distribution-data"' in html and "plotly.min.js" in html
    assert not CalcRun.objects.exists() and not LedgerLine.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_per_role(model_org, role):
    from attain.people.tokens import create_token

    key = create_token(model_org.users[LOGIN[role]], "t")[1] if role != "anonymous" else None
    body = {"period": "2026-03", "current_plan": "unit-plan", "candidates": []}
    body["candidates"] = [model_org.plans["margin"].pk]
    response = ApiClient(key).post("/api/modelling", body)
    assert response.status_code == API[role], response.content
    if API[role] == 200:
        data = response.json()
        assert data["current"]["total"] == "2000.00"
        assert data["candidates"][0]["total"] == "2000.00"
        assert data["candidates"][0]["cost_of_margin"] == "0.2500"
        assert any("used-car lot" in w for w in data["current"]["warnings"])
        assert data["candidates"][0]["warnings"] == []
    assert not CalcRun.objects.exists() and not LedgerLine.objects.exists()


def test_page_shows_form_errors(model_org, client):
    model_org.login(client, "admin")
    url = reverse("payouts:modelling")
    html = client.post(url, {**_form(model_org), "period": "March"}).content.decode()
    assert "is not a period" in html
    html = client.post(url, {"period": "2026-03", "current_plan": "unit-plan"}).content.decode()
    assert "Choose at least one candidate" in html
    html = client.post(
        url, {"period": "2026-03", "current_plan": "unit-plan", "yaml": "id: [x"}
    ).content.decode()
    assert "not valid" in html


def test_api_reports_bad_input(model_org):
    from attain.people.tokens import create_token

    api = ApiClient(create_token(model_org.users["finance"], "t")[1])
    bad = api.post("/api/modelling", {"period": "2026-03", "current_plan": "unit-plan"})
    assert bad.status_code == 422 and "candidate" in bad.json()["detail"]
    pasted = api.post(
        "/api/modelling",
        {"period": "2026-03", "current_plan": "unit-plan", "yaml": ["id: [x"]},
    )
    assert pasted.status_code == 422


def test_page_defaults_to_the_last_complete_month_and_the_busiest_plan(
    model_org, client, monkeypatch
):
    from tests.web.conftest import set_today

    set_today(monkeypatch, dt.date(2026, 4, 10))
    model_org.login(client, "admin")
    form = client.get(reverse("payouts:modelling")).context["form"]
    assert form["period"].value() == "2026-03"
    assert form["current_plan"].value() == "unit-plan"  # both reps are on it, nobody on margin
    set_today(monkeypatch, dt.date(2026, 1, 1))
    assert client.get(reverse("payouts:modelling")).context["form"]["period"].value() == "2025-12"


def test_page_says_when_the_period_has_no_won_deals(model_org, client):
    model_org.login(client, "admin")
    response = client.post(reverse("payouts:modelling"), {**_form(model_org), "period": "2026-04"})
    html = response.content.decode()
    assert response.context["result"].deals == 0
    assert 'data-testid="empty"' in html and "No won deals in 2026-04" in html
    assert 'data-testid="comparison"' not in html and "plotly.min.js" not in html


def test_page_shows_which_candidate_failed_and_still_compares_the_rest(model_org, client):
    from tests.payouts.test_modelling import MARGIN_PLAN

    quarterly = MARGIN_PLAN.replace("id: margin-plan", "id: q").replace(
        "period: month", "period: quarter"
    )
    model_org.login(client, "admin")
    html = client.post(
        reverse("payouts:modelling"), {**_form(model_org), "yaml": quarterly}
    ).content.decode()
    assert html.count('data-testid="scenario-error"') == 1
    assert "Margin share (q v1, pasted) could not be calculated:" in html
    assert 'data-testid="comparison"' in html and "USD 2,000.00" in html  # the others
    assert "40 units" in html and "40.000000" not in html
