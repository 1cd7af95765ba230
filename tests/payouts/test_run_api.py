"""The runs API: every endpoint × role, the starter cannot approve, behaviour and shapes."""

from __future__ import annotations

import pytest
from django.db import transaction

from attain.payouts import services
from attain.payouts.models import CalcRun
from attain.people.tokens import create_token
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "admin", "finance", "fiona", "vera", "walt", "wendy"]


@pytest.fixture
def api(pay_org):
    keys = {name: create_token(user, "tests")[1] for name, user in pay_org.users.items()}
    return lambda username: ApiClient(keys[username] if username else None)


@pytest.fixture
def runs(pay_org):
    """February approved (started by admin, approved by finance); March a draft by admin."""
    february = services.start_run(pay_org.users["admin"], "2026-02")
    pay_org.february = services.approve_run(pay_org.users["finance"], february)
    pay_org.march = services.start_run(pay_org.users["admin"], "2026-03")
    return pay_org


def expect(anonymous, admin, finance, fiona, vera, walt, wendy):
    return dict(zip(ROLES, [anonymous, admin, finance, fiona, vera, walt, wendy], strict=True))


READ = expect(401, 200, 200, 200, 403, 403, 403)
# fmt: off
ENDPOINTS = {
    "list": ("GET", lambda o: "/api/runs", READ),
    "get": ("GET", lambda o: f"/api/runs/{o.march.pk}", READ),
    "start": ("POST", lambda o: "/api/runs", expect(401, 201, 201, 201, 403, 403, 403)),
    "approve": ("POST", lambda o: f"/api/runs/{o.march.pk}/approve",
                expect(401, 403, 200, 200, 403, 403, 403)),
    "pay": ("POST", lambda o: f"/api/runs/{o.february.pk}/pay",
            expect(401, 403, 200, 200, 403, 403, 403)),
    "discard": ("POST", lambda o: f"/api/runs/{o.march.pk}/discard",
                expect(401, 200, 200, 200, 403, 403, 403)),
    "replay": ("POST", lambda o: f"/api/runs/{o.february.pk}/replay", READ),
    "payroll": ("GET", lambda o: f"/api/runs/{o.february.pk}/payroll.csv", READ),
    "payroll draft": ("GET", lambda o: f"/api/runs/{o.march.pk}/payroll.csv",
                      expect(401, 409, 409, 409, 403, 403, 403)),
}
# fmt: on
@pytest.mark.parametrize("name", ENDPOINTS)
def test_permission_matrix(runs, api, name):
    """Each role in turn on one set of runs (two engine calculations to build), each request
    rolled back so the next role finds the runs as they were."""
    method, path, expected = ENDPOINTS[name]
    body = {"period": "2026-04"} if method == "POST" else None
    for role in ROLES:
        login = None if role == "anonymous" else role
        with transaction.atomic():
            response = api(login).request(method, path(runs), body)
            transaction.set_rollback(True)
        assert response.status_code == expected[role], (role, response.content[:300])


def test_starter_cannot_approve_via_api(pay_org, api):
    created = api("finance").post("/api/runs", {"period": "2026-02"})
    assert created.status_code == 201
    run_id = created.json()["id"]
    response = api("finance").post(f"/api/runs/{run_id}/approve", {})
    assert response.status_code == 403
    assert "someone else in finance" in response.json()["detail"]
    assert CalcRun.objects.get(pk=run_id).status == CalcRun.Status.DRAFT
    response = api("fiona").post(f"/api/runs/{run_id}/approve", {})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert response.json()["approved_by"] == "fiona"
    # a second approval: the run is no longer a draft
    assert api("fiona").post(f"/api/runs/{run_id}/approve", {}).status_code == 409


def test_start_returns_the_run_with_per_rep_totals(pay_org, api):
    response = api("admin").post("/api/runs", {"period": "2026-02", "note": "feb"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["period"] == "2026-02"
    assert body["total_amount"] == "3900.00" and body["line_count"] == 6
    assert body["reps"] is None and body["started_by"] == "admin" and body["note"] == "feb"
    assert body["plan_revisions"][0]["plan_id"] == "ae-monthly"
    will = next(r for r in body["rep_totals"] if r["rep"] == "R-WILL")
    assert will == {
        "rep": "R-WILL",
        "name": "Will Example",
        "currency": "USD",
        "commission": "1300.00",
        "spiffs": "0.00",
        "clawbacks": "0.00",
        "adjustments": "0.00",
        "draws": "0.00",
        "net": "1300.00",
    }
    assert body["totals"][0]["net"] == "3900.00"
    assert api("finance").get(f"/api/runs/{body['id']}").json() == body


def test_start_validation_errors(pay_org, api):
    response = api("admin").post("/api/runs", {"period": "2026-13"})
    assert response.status_code == 422
    assert "not a period" in response.json()["detail"][0]["msg"]
    response = api("admin").post("/api/runs", {"period": "2026-02", "reps": ["R-NOPE"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reps"
    response = api("admin").post("/api/runs", {"period": "2026-02", "reps": []})
    assert response.json()["detail"][0]["field"] == "reps"
    response = api("admin").post("/api/runs", {"period": "2026-02", "as_of": "2026-01-31"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "as_of"
    assert CalcRun.objects.count() == 0
    response = api("admin").post("/api/runs", {"period": "2026-02", "reps": ["R-WENDY"]})
    assert response.status_code == 201
    assert response.json()["reps"] == ["R-WENDY"]
    assert response.json()["total_amount"] == "1300.00"
    services.approve_run(pay_org.users["finance"], CalcRun.objects.get())
    response = api("admin").post("/api/runs", {"period": "2026-02"})
    assert response.status_code == 422
    assert "is closed by run" in response.json()["detail"][0]["msg"]


def test_list_filters(runs, api):
    body = api("finance").get("/api/runs").json()
    assert body["count"] == 2
    assert [r["id"] for r in body["items"]] == [runs.march.pk, runs.february.pk]
    body = api("finance").get("/api/runs", status="approved").json()
    assert [r["id"] for r in body["items"]] == [runs.february.pk]
    assert body["items"][0]["approved_by"] == "finance"


def test_replay_and_payroll(runs, api):
    body = api("admin").post(f"/api/runs/{runs.february.pk}/replay", {}).json()
    assert body["matches"] is True
    assert body["expected"] == body["actual"] == runs.february.result_fingerprint
    response = api("finance").get(f"/api/runs/{runs.february.pk}/payroll.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert f"attain-payroll-2026-02-run{runs.february.pk}.csv" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[1].startswith("R-EDDIE,Eddie Example,2026-02")
    response = api("finance").get(f"/api/runs/{runs.march.pk}/payroll.csv")
    assert "only approved or paid runs" in response.json()["detail"]


def test_missing_run_is_404(runs, api):
    assert api("finance").get("/api/runs/9999").status_code == 404
    assert api("finance").post("/api/runs/9999/approve", {}).status_code == 404
