"""Every quota page and API endpoint × every role.

Roles: rep = will (West), manager = walt (leads West: wendy and will), finance, admin.
The quotas are wendy's and will's (West) and eddie's (East). Out of scope answers 404,
visible but not allowed answers 403; anonymous is sent to log in (pages) or gets 401 (API).
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.quotas.conftest import LOGIN_FOR_ROLE, ROLES

pytestmark = pytest.mark.django_db

DIST = {
    "team": "",
    "total": "1000.00",
    "currency": "USD",
    "quota": "revenue",
    "period": "2026",
    "split": "quarter",
    "method": "even",
    "seasonality": "",
    "ramp": "",
    "prorate": "on",
}


def expect(rep, manager, finance, admin):
    return dict(zip(ROLES[1:], [rep, manager, finance, admin], strict=True))


def quota_url(name, who):
    return lambda org: reverse(f"quotas:{name}", args=[org.quotas[who].pk])


# fmt: off
PAGES = [
    ("list", lambda org: reverse("quotas:list"), "get", expect(200, 200, 200, 200)),
    ("new", lambda org: reverse("quotas:new"), "get", expect(403, 403, 403, 200)),
    ("distribute", lambda org: reverse("quotas:distribute"), "get", expect(403, 403, 403, 200)),
    ("distribute preview", lambda org: reverse("quotas:distribute"), "post",
     expect(403, 403, 403, 200)),
    ("edit own", quota_url("edit", "will"), "get", expect(403, 403, 403, 200)),
    ("edit subtree", quota_url("edit", "wendy"), "get", expect(404, 403, 403, 200)),
    ("edit outside", quota_url("edit", "eddie"), "get", expect(404, 404, 403, 200)),
    ("delete own", quota_url("delete", "will"), "post", expect(403, 403, 403, 302)),
    ("delete outside", quota_url("delete", "eddie"), "post", expect(404, 404, 403, 302)),
]
# fmt: on


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("page", "url_for", "method", "expected"), PAGES, ids=[p[0] for p in PAGES]
)
def test_page_permissions(client, quota_org, page, url_for, method, expected, role):
    url = url_for(quota_org)
    if role != "anonymous":
        quota_org.login(client, LOGIN_FOR_ROLE[role])
    body = {**DIST, "team": quota_org.teams["west"].pk}
    response = client.post(url, body) if method == "post" else client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
        return
    assert response.status_code == expected[role]


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("rep", {"Will Example"}),
        ("manager", {"Will Example", "Wendy Example"}),
        ("finance", {"Will Example", "Wendy Example", "Eddie Example"}),
        ("admin", {"Will Example", "Wendy Example", "Eddie Example"}),
    ],
)
def test_the_list_shows_each_role_its_scope(client, quota_org, role, seen):
    quota_org.login(client, LOGIN_FOR_ROLE[role])
    response = client.get(reverse("quotas:list"))
    assert {q.rep.name for q in response.context["page"]} == seen
    assert (b"New quota" in response.content) == (role == "admin")


def test_delete_is_post_only(client, quota_org):
    quota_org.login(client, "admin")
    assert (
        client.get(reverse("quotas:delete", args=[quota_org.quotas["will"].pk])).status_code == 405
    )


# API ------------------------------------------------------------------------------------

PUT_BODY = {"quotas": [{"rep": "R-WILL", "period": "2026-Q2", "amount": "5"}], "dry_run": True}
DIST_BODY = {"team": "T-WEST", "total": "100.00", "period": "2026", "split": "quarter"}

ENDPOINTS = {
    "list": ("GET", "/api/quotas", None),
    "put": ("PUT", "/api/quotas", PUT_BODY),
    "distribute preview": ("POST", "/api/quotas/distribute", DIST_BODY),
    "distribute save": ("POST", "/api/quotas/distribute", {**DIST_BODY, "preview": False}),
}
EXPECTED = {  # anonymous, rep, manager, finance, admin
    "list": (401, 200, 200, 200, 200),
    "put": (401, 403, 403, 403, 200),
    "distribute preview": (401, 403, 403, 403, 200),
    "distribute save": (401, 403, 403, 403, 200),
}


@pytest.mark.parametrize(
    ("endpoint", "role", "status"),
    [
        pytest.param(e, role, EXPECTED[e][i], id=f"{e}-{role}")
        for e in ENDPOINTS
        for i, role in enumerate(ROLES)
    ],
)
def test_api_permissions(client, quota_org, endpoint, role, status):
    from attain.people.tokens import create_token

    method, path, body = ENDPOINTS[endpoint]
    headers = {}
    if role != "anonymous":
        _, key = create_token(quota_org.users[LOGIN_FOR_ROLE[role]], "test")
        headers["Authorization"] = f"Bearer {key}"
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method.lower())(path, **kwargs)
    assert response.status_code == status, response.content
