"""Every statement, inquiry and estimator page and endpoint × every role.

On 2026-02-20 walt manages West (wendy, will), erin manages East (eddie) and vera leads
Sales. The objects are wendy's: her approved 2026-02 statement and one of its lines, a
2026-03 draft (with a manual line), her inquiry on the February line and her open deal.
Out-of-scope answers 404; visible-but-forbidden 403; anonymous pages redirect to the login
(302) and the API answers 401.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from attain.payouts import inquiries, services
from attain.payouts.models import ManualAdjustment
from tests.factories import PASSWORD
from tests.web.conftest import TODAY, set_today

pytestmark = pytest.mark.django_db

ROLES = ["admin", "finance", "vera", "walt", "erin", "wendy", "will", "anonymous"]


def expect(admin, finance, vera, walt, erin, wendy, will, anonymous):
    return dict(zip(ROLES, [admin, finance, vera, walt, erin, wendy, will, anonymous], strict=True))


WENDY = expect(200, 200, 200, 200, 404, 200, 404, 302)
ADMIN_ONLY = expect(200, 200, 404, 404, 404, 404, 404, 302)
EVERYONE = expect(200, 200, 200, 200, 200, 200, 200, 302)
NOBODY = expect(404, 404, 404, 404, 404, 404, 404, 302)
RAISE = expect(403, 403, 403, 403, 404, 200, 404, 302)
RAISE_DRAFT = expect(403, 403, 404, 404, 404, 404, 404, 302)
POST_RAISE = expect(403, 403, 403, 403, 404, 302, 404, 302)
POST_REPLY = expect(302, 302, 302, 302, 404, 302, 404, 302)
POST_RESOLVE = expect(403, 302, 403, 403, 404, 403, 404, 302)
API_WENDY = expect(200, 200, 200, 200, 404, 200, 404, 401)
API_DRAFT = expect(200, 200, 404, 404, 404, 404, 404, 401)
API_ALL = expect(200, 200, 200, 200, 200, 200, 200, 401)
API_RAISE = expect(403, 403, 403, 403, 404, 201, 404, 401)
API_REPLY = expect(201, 201, 201, 201, 404, 201, 404, 401)
API_RESOLVE = expect(403, 200, 403, 403, 404, 403, 404, 401)


def page(name, *keys, period=None, query=""):
    def build(o):
        args = [getattr(o, key) for key in keys] + ([period] if period else [])
        return reverse(f"payouts:{name}", args=args) + query.format(o=o)

    return build


# fmt: off
PAGES = [
    ("home", page("home"), EVERYONE),
    ("statement", page("statement", "wendy", period="2026-02"), WENDY),
    ("statement pdf", page("statement_pdf", "wendy", period="2026-02"), WENDY),
    ("statement csv", page("statement_csv", "wendy", period="2026-02"), WENDY),
    ("draft statement", page("statement", "wendy", period="2026-03"), ADMIN_ONLY),
    ("draft pdf", page("statement_pdf", "wendy", period="2026-03"), ADMIN_ONLY),
    ("draft csv", page("statement_csv", "wendy", period="2026-03"), ADMIN_ONLY),
    ("no run", page("statement", "wendy", period="2025-07"), NOBODY),
    ("line", page("line_detail", "line"), WENDY),
    ("draft line", page("line_detail", "draft_line"), ADMIN_ONLY),
    ("inquiry list", page("inquiry_list"), EVERYONE),
    ("inquiry", page("inquiry_detail", "inquiry"), WENDY),
    ("inquiry new", page("inquiry_new", "line"), RAISE),
    ("inquiry new draft", page("inquiry_new", "draft_line"), RAISE_DRAFT),
    ("estimator", page("estimator"), EVERYONE),
    ("estimate", page("estimator", query="?rep={o.wendy}&deal={o.deal}&period=2026-02"), WENDY),
]
POSTS = [
    ("raise", page("inquiry_new", "line"), {"subject": "s", "body": "b"}, POST_RAISE),
    ("reply", page("inquiry_reply", "inquiry"), {"body": "b"}, POST_REPLY),
    ("resolve", page("inquiry_resolve", "inquiry"), {"status": "answered", "message": "m"},
     POST_RESOLVE),
]
API = [
    ("GET", lambda o: f"/api/statements/{o.wendy}/2026-02", None, API_WENDY),
    ("GET", lambda o: f"/api/statements/{o.wendy}/2026-03", None, API_DRAFT),
    ("GET", lambda o: "/api/inquiries", None, API_ALL),
    ("GET", lambda o: f"/api/inquiries/{o.inquiry}", None, API_WENDY),
    ("POST", lambda o: "/api/inquiries",
     lambda o: {"line_id": o.line, "subject": "s", "message": "m"}, API_RAISE),
    ("POST", lambda o: f"/api/inquiries/{o.inquiry}/messages", lambda o: {"body": "b"}, API_REPLY),
    ("POST", lambda o: f"/api/inquiries/{o.inquiry}/resolve",
     lambda o: {"status": "answered", "message": "m"}, API_RESOLVE),
    ("GET", lambda o: f"/api/estimate?deal_id={o.deal}&period=2026-02", None, API_WENDY),
]
# fmt: on


class Ids:
    pass


@pytest.fixture
def ids(pay_org, monkeypatch):
    set_today(monkeypatch, TODAY)
    feb = services.start_run(pay_org.users["admin"], "2026-02")
    feb = services.approve_run(pay_org.users["finance"], feb)
    ManualAdjustment.objects.create(
        rep=pay_org.reps["wendy"],
        amount=Decimal("10.00"),
        reason="Draft-only line",
        created_by=pay_org.users["finance"],
    )
    march = services.start_run(pay_org.users["admin"], "2026-03")
    o = Ids()
    o.wendy = pay_org.reps["wendy"].pk
    o.line = feb.lines.get(rep_id=o.wendy, tier=1).pk
    o.draft_line = march.lines.get(rep_id=o.wendy, kind="manual").pk
    line = feb.lines.get(pk=o.line)
    o.inquiry = inquiries.raise_inquiry(pay_org.users["wendy"], line, "Why?", "Please explain").pk
    o.deal = pay_org.deals["wendy"][1].pk
    return o


def _client_for(client, role):
    client.logout()
    if role != "anonymous":
        assert client.login(username=role, password=PASSWORD)
    return client


def _status(request) -> int:
    """One request, rolled back: every role meets the runs and inquiry as the fixture made
    them (building them, two engine calculations, is most of these tests' time)."""
    with transaction.atomic():
        status = request().status_code
        transaction.set_rollback(True)
    return status


def test_pages(client, pay_org, ids):
    wrong = []
    for role in ROLES:
        c = _client_for(client, role)
        for name, build, expected in PAGES:
            status = _status(lambda c=c, build=build: c.get(build(ids)))
            if status != expected[role]:
                wrong.append(f"{name} as {role}: {status} (expected {expected[role]})")
    assert not wrong, wrong


@pytest.mark.parametrize("post", POSTS, ids=[p[0] for p in POSTS])
def test_posts(client, pay_org, ids, post):
    name, build, data, expected = post
    wrong = []
    for role in ROLES:
        c = _client_for(client, role)
        status = _status(lambda c=c: c.post(build(ids), data))
        if status != expected[role]:
            wrong.append(f"{name} as {role}: {status} (expected {expected[role]})")
    assert not wrong, wrong


def test_api(client, pay_org, ids):
    wrong = []
    for role in ROLES:
        c = _client_for(client, role)
        for method, build, body, expected in API:
            url = build(ids)
            if method == "GET":
                status = _status(lambda c=c, url=url: c.get(url))
            else:
                status = _status(
                    lambda c=c, url=url, body=body: c.post(
                        url, body(ids), content_type="application/json"
                    )
                )
            if status != expected[role]:
                wrong.append(f"{method} {url} as {role}: {status} (expected {expected[role]})")
    assert not wrong, wrong
