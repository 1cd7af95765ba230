"""The modelling page and API × every role: admin and finance model; managers and reps 403;
anonymous is sent to log in (page) or gets 401 (API). Nothing is ever written."""

from __future__ import annotations

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
