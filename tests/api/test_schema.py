"""The OpenAPI schema and the interactive docs, which must work with no internet."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("get", "/api/reps"),
    ("get", "/api/reps/{rep_id}"),
    ("get", "/api/accounts"),
    ("get", "/api/accounts/{account_id}"),
    ("get", "/api/deals"),
    ("post", "/api/deals"),
    ("get", "/api/deals/{deal_id}"),
    ("patch", "/api/deals/{deal_id}"),
    ("post", "/api/deals/bulk"),
    # plans
    ("get", "/api/plans"),
    ("post", "/api/plans"),
    ("get", "/api/plans/{plan_id}/{version}"),
    ("get", "/api/plan-assignments"),
    ("post", "/api/plan-assignments"),
    # quotas
    ("get", "/api/quotas"),
    ("put", "/api/quotas"),
    ("post", "/api/quotas/distribute"),
    # payouts: runs
    ("get", "/api/runs"),
    ("post", "/api/runs"),
    ("get", "/api/runs/{run_id}"),
    ("post", "/api/runs/{run_id}/approve"),
    ("post", "/api/runs/{run_id}/discard"),
    ("post", "/api/runs/{run_id}/pay"),
    ("get", "/api/runs/{run_id}/payroll.csv"),
    ("post", "/api/runs/{run_id}/replay"),
    # payouts: exchange rates
    ("get", "/api/fx-rates"),
    ("put", "/api/fx-rates"),
    # payouts: statements, inquiries, estimator
    ("get", "/api/statements/{rep_id}/{period}"),
    ("get", "/api/inquiries"),
    ("post", "/api/inquiries"),
    ("get", "/api/inquiries/{inquiry_id}"),
    ("post", "/api/inquiries/{inquiry_id}/messages"),
    ("post", "/api/inquiries/{inquiry_id}/resolve"),
    ("get", "/api/estimate"),
    # coaching
    ("get", "/api/coaching/insights"),
    ("get", "/api/coaching/sessions"),
    ("post", "/api/coaching/sessions"),
    ("get", "/api/coaching/sessions/{session_id}"),
    ("get", "/api/coaching/action-items"),
    ("patch", "/api/coaching/action-items/{item_id}"),
    # forecasts
    ("get", "/api/forecasts"),
    ("get", "/api/forecasts/calls"),
    ("post", "/api/forecasts/calls"),
    # webhooks
    ("post", "/api/webhooks/deals"),
    # payouts: plan modelling
    ("post", "/api/modelling"),
}


@pytest.fixture
def schema():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_lists_every_endpoint(schema):
    found = {(method, path) for path, item in schema["paths"].items() for method in item}
    assert found == ENDPOINTS
    assert schema["info"]["title"] == "Attain API"


def test_every_endpoint_requires_auth(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    for path, item in schema["paths"].items():
        for operation in item.values():
            assert "401" in operation["responses"]
            if path.startswith("/api/webhooks/"):
                continue  # signed with the integration's secret (HMAC), not a user's token
            assert {"BearerToken": []} in operation["security"]


def test_money_is_a_string_in_the_schema(schema):
    deal = schema["components"]["schemas"]["DealOut"]["properties"]
    assert deal["amount"]["type"] == "string"
    create = schema["components"]["schemas"]["DealCreateIn"]["properties"]
    assert {"type": "string", "format": "decimal"} in create["amount"]["anyOf"]
    assert {"type": "number"} in create["amount"]["anyOf"]


def test_write_endpoints_document_403_and_422(schema):
    for method, path in [("post", "/api/deals"), ("patch", "/api/deals/{deal_id}")]:
        assert {"403", "422"} <= set(schema["paths"][path][method]["responses"])


def test_docs_page_works_offline():
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://", html), "the docs page must not load anything remote"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "expected local script and style references"
    client = Client()
    for url in assets:
        assert url.startswith("/static/"), url
        path = url.removeprefix("/static/")
        assert finders.find(path), f"{path} is not a local static file"
        served = client.get(url)
        assert served.status_code == 200, url


def test_swagger_settings_do_not_call_the_online_validator():
    html = Client().get("/api/docs").content.decode()
    assert '"validatorUrl": null' in html
