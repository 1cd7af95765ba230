"""The permission matrix: every endpoint × every role, on Wendy's records.

Roles are played by: rep = will, manager = walt, finance, admin. The day is just before
Wendy moves from West (Walt's team) to East, so Walt sees her records and Will does not.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import LOGIN_FOR_ROLE, ROLES, deal_body

pytestmark = pytest.mark.django_db


def _bulk_body():
    return {"deals": [{"external_id": "D-BULK-1", "amount": "1.00"}], "dry_run": True}


# endpoint name -> (method, path template, body factory)
ENDPOINTS = {
    "list reps": ("GET", "/api/reps", None),
    "get rep": ("GET", "/api/reps/{rep}", None),
    "list accounts": ("GET", "/api/accounts", None),
    "get account": ("GET", "/api/accounts/{account}", None),
    "list deals": ("GET", "/api/deals", None),
    "get deal": ("GET", "/api/deals/{deal}", None),
    "create deal": ("POST", "/api/deals", lambda: deal_body()),
    "update deal": ("PATCH", "/api/deals/{deal}", lambda: {"stage": "Negotiation"}),
    "bulk upsert": ("POST", "/api/deals/bulk", _bulk_body),
}

# Expected status per endpoint, in ROLES order: anonymous, rep, manager, finance, admin.
EXPECTED = {
    "list reps": (401, 200, 200, 200, 200),
    "get rep": (401, 404, 200, 200, 200),
    "list accounts": (401, 200, 200, 200, 200),
    "get account": (401, 404, 200, 200, 200),
    "list deals": (401, 200, 200, 200, 200),
    "get deal": (401, 404, 200, 200, 200),
    "create deal": (401, 403, 201, 403, 201),
    "update deal": (401, 404, 200, 403, 200),
    "bulk upsert": (401, 403, 403, 403, 200),
}

MATRIX = [
    pytest.param(endpoint, role, EXPECTED[endpoint][i], id=f"{endpoint}-{role}")
    for endpoint in ENDPOINTS
    for i, role in enumerate(ROLES)
]


# The people and sales endpoints are this file's; every other app tests its own endpoints
# × roles next to its other tests (tests/plans, tests/quotas, tests/payouts).
PREFIXES = ("/api/reps", "/api/accounts", "/api/deals")


def test_matrix_covers_every_endpoint_of_the_schema(org, api):
    schema = api("admin").get("/api/openapi.json").json()
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "patch", "put", "delete"} and path.startswith(PREFIXES)
    }
    covered = {
        (
            method,
            path.replace("{rep}", "{rep_id}")
            .replace("{account}", "{account_id}")
            .replace("{deal}", "{deal_id}"),
        )
        for method, path, _ in ENDPOINTS.values()
    }
    assert operations == covered


@pytest.mark.parametrize(("endpoint", "role", "expected"), MATRIX)
def test_permission_matrix(org, api, before_move, fake_import, endpoint, role, expected):
    method, template, body = ENDPOINTS[endpoint]
    path = template.format(
        rep=org.reps["wendy"].id,
        account=org.accounts["wendy"].id,
        deal=org.deals["wendy"][1].id,
    )
    client = api(LOGIN_FOR_ROLE.get(role))
    response = client.request(method, path, body() if body else None)
    assert response.status_code == expected, response.content
    if expected == 401:
        assert response.json() == {"detail": "Unauthorized"}
    if expected == 404:
        assert response.json() == {"detail": "Not Found"}
    if endpoint == "bulk upsert":
        assert len(fake_import.calls) == (1 if expected == 200 else 0)


# A rep's and a manager's own scope -----------------------------------------------------


def test_rep_reads_and_writes_own_deal(org, api, before_move):
    will = api("will")
    own = org.deals["will"][1]
    assert will.get(f"/api/deals/{own.id}").status_code == 200
    assert will.patch(f"/api/deals/{own.id}", {"stage": "Won soon"}).status_code == 200
    created = will.post("/api/deals", deal_body(account="A-004", owner="R-WILL"))
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == "R-WILL"


def test_rep_without_owner_owns_the_new_deal(org, api, before_move):
    body = deal_body(account="A-004")
    del body["owner"]
    response = api("will").post("/api/deals", body)
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == "R-WILL"


def test_rep_cannot_give_own_deal_to_someone_else(org, api, before_move):
    own = org.deals["will"][1]
    response = api("will").patch(f"/api/deals/{own.id}", {"owner": "R-WENDY"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.owner == org.reps["will"]


def test_rep_fetching_another_reps_deal_by_id_gets_404(org, api, before_move):
    for other in ("wendy", "eddie", "walt"):
        for deal in org.deals[other]:
            assert api("will").get(f"/api/deals/{deal.id}").status_code == 404
            assert api("will").patch(f"/api/deals/{deal.id}", {"stage": "x"}).status_code == 404


def test_rep_credited_on_a_deal_sees_it_but_may_not_change_it(org, api, before_move):
    from decimal import Decimal

    from attain.sales.models import Credit

    shared = org.deals["eddie"][0]
    Credit.objects.create(deal=shared, rep=org.reps["will"], role="split", share=Decimal("0.5"))
    assert api("will").get(f"/api/deals/{shared.id}").status_code == 200
    assert api("will").patch(f"/api/deals/{shared.id}", {"stage": "x"}).status_code == 403


def test_manager_outside_subtree_gets_404_inside_gets_200(org, api, before_move):
    walt = api("walt")
    for deal in org.deals["eddie"] + org.deals["erin"]:  # Erin's team (East)
        assert walt.get(f"/api/deals/{deal.id}").status_code == 404
        assert walt.patch(f"/api/deals/{deal.id}", {"stage": "x"}).status_code == 404
    for name in ("will", "wendy", "walt"):  # his own subtree (West) and himself
        for deal in org.deals[name]:
            assert walt.get(f"/api/deals/{deal.id}").status_code == 200
    assert walt.get(f"/api/reps/{org.reps['eddie'].id}").status_code == 404
    assert walt.get(f"/api/accounts/{org.accounts['eddie'].id}").status_code == 404


def test_manager_may_not_create_deals_for_reps_outside_subtree(org, api, before_move):
    response = api("walt").post("/api/deals", deal_body(owner="R-EDDIE", account="A-005"))
    assert response.status_code == 403


def test_manager_may_not_move_a_deal_out_of_subtree(org, api, before_move):
    deal = org.deals["will"][1]
    response = api("walt").patch(f"/api/deals/{deal.id}", {"owner": "R-EDDIE"})
    assert response.status_code == 403


def test_wendys_move_changes_which_manager_may_see_and_write_her_deals(org, api, on_day):
    from tests.factories import MOVE_DATE

    deal = org.deals["wendy"][1]
    on_day(MOVE_DATE)
    assert api("walt").get(f"/api/deals/{deal.id}").status_code == 404
    assert api("erin").get(f"/api/deals/{deal.id}").status_code == 200
    assert api("erin").patch(f"/api/deals/{deal.id}", {"stage": "East now"}).status_code == 200
    assert api("walt").patch(f"/api/deals/{deal.id}", {"stage": "x"}).status_code == 404


def test_vp_sees_and_writes_the_whole_tree(org, api, before_move):
    vera = api("vera")
    for name in ("walt", "erin", "wendy", "will", "eddie"):
        deal = org.deals[name][1]
        assert vera.get(f"/api/deals/{deal.id}").status_code == 200
        assert vera.patch(f"/api/deals/{deal.id}", {"stage": "VP"}).status_code == 200


def test_finance_reads_everything_and_writes_nothing(org, api, before_move):
    finance = api("finance")
    assert finance.get("/api/deals").json()["count"] == 12
    deal = org.deals["eddie"][0]
    assert finance.patch(f"/api/deals/{deal.id}", {"stage": "x"}).status_code == 403
    assert finance.post("/api/deals", deal_body()).status_code == 403
