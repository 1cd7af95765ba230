"""The plans API: permission matrix and behaviour. Uses tests/plans/api_urls.py, which mounts
the router unless src/attain/api.py already does."""

from __future__ import annotations

import pytest

from attain.plans.models import PlanAssignment, PlanRevision
from tests.api.conftest import LOGIN_FOR_ROLE, ROLES, ApiClient
from tests.plans.conftest import PLAN, plan_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plans_api_urls")]


@pytest.fixture
def api(org):
    from attain.people.tokens import create_token

    keys = {name: create_token(user, "tests")[1] for name, user in org.users.items()}
    return lambda username: ApiClient(keys[username] if username else None)


def _assignment_body(**overrides):
    body = {
        "rep": "R-WILL",
        "plan_id": "ae",
        "valid_from": "2026-01-01",
        "target_incentive": "10000.00",
    }
    body.update(overrides)
    return body


ENDPOINTS = {
    "list plans": ("GET", "/api/plans", None),
    "get plan": ("GET", "/api/plans/ae/1", None),
    "save plan": ("POST", "/api/plans", lambda: {"yaml": plan_text(("rate: 8", "rate: 9"))}),
    "list assignments": ("GET", "/api/plan-assignments", None),
    "create assignment": ("POST", "/api/plan-assignments", _assignment_body),
}
# anonymous, rep, manager, finance, admin
EXPECTED = {
    "list plans": (401, 403, 403, 200, 200),
    "get plan": (401, 403, 403, 200, 200),
    "save plan": (401, 403, 403, 403, 200),
    "list assignments": (401, 403, 403, 200, 200),
    "create assignment": (401, 403, 403, 403, 201),
}
MATRIX = [
    pytest.param(endpoint, role, EXPECTED[endpoint][i], id=f"{endpoint}-{role}")
    for endpoint in ENDPOINTS
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("endpoint", "role", "expected"), MATRIX)
def test_permission_matrix(plan_org, api, endpoint, role, expected):
    method, path, body = ENDPOINTS[endpoint]
    response = api(LOGIN_FOR_ROLE.get(role)).request(method, path, body() if body else None)
    assert response.status_code == expected, response.content
    if expected == 403:
        assert PlanRevision.objects.count() == 1 and not PlanAssignment.objects.exists()


def test_get_plan_has_yaml_and_revisions(plan_org, api):
    body = api("finance").get("/api/plans/ae/1").json()
    assert body["yaml"] == PLAN and body["current_revision"] == 1
    assert body["revisions"][0]["author"] == "admin"
    assert api("finance").get("/api/plans/ae/2").status_code == 404
    listing = api("finance").get("/api/plans").json()
    assert listing["count"] == 1 and listing["items"][0]["revisions"] == 1


def test_post_plan_creates_revises_and_reports_errors(org, api):
    admin = api("admin")
    created = admin.post("/api/plans", {"yaml": PLAN, "comment": "v1"})
    assert created.status_code == 201 and created.json()["revision"] == 1
    same = admin.post("/api/plans", {"yaml": PLAN})
    assert same.status_code == 200 and same.json()["changed"] is False
    revised = admin.post("/api/plans", {"yaml": plan_text(("rate: 8", "rate: 9"))})
    assert revised.json()["revision"] == 2 and revised.json()["created"] is False
    bad = admin.post("/api/plans", {"yaml": plan_text(("period: quarter", "period: fortnight"))})
    assert bad.status_code == 422
    problem = bad.json()["detail"][0]
    assert problem["path"] == "period" and problem["line"] == 5
    assert problem["type"] == "plan_error" and "quarter" in problem["reason"]


def test_assignments_api_refuses_overlap(plan_org, api):
    admin = api("admin")
    first = admin.post("/api/plan-assignments", _assignment_body())
    assert first.status_code == 201 and first.json()["target_incentive"] == "10000.00"
    clash = admin.post("/api/plan-assignments", _assignment_body(valid_from="2026-05-01"))
    assert clash.status_code == 422
    assert clash.json()["detail"][0]["field"] == "valid_from"
    assert "overlap" in clash.json()["detail"][0]["msg"]
    unknown = admin.post("/api/plan-assignments", _assignment_body(rep="R-NOBODY"))
    assert unknown.status_code == 422
    negative = admin.post(
        "/api/plan-assignments", _assignment_body(rep="R-WENDY", target_incentive="-5")
    )
    assert negative.status_code == 422
    listing = api("finance").get("/api/plan-assignments", rep="R-WILL").json()
    assert listing["count"] == 1 and listing["items"][0]["rep"] == "R-WILL"
