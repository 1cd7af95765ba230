"""POST /api/webhooks/deals: signature, payload errors, idempotent upsert, live boards."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from attain.audit.models import AuditEntry
from attain.leaderboards import live
from attain.leaderboards.models import Board, WebhookIntegration
from attain.leaderboards.selectors import board_standings
from attain.leaderboards.webhooks import sign
from attain.people.tokens import create_token
from attain.sales.models import Deal

pytestmark = pytest.mark.django_db
MAIN = "/api/webhooks/deals"


@pytest.fixture
def url(settings):
    """The main API's endpoint once it is mounted there; until then a test API's copy."""
    try:
        resolve(MAIN)
        return MAIN
    except Resolver404:
        settings.ROOT_URLCONF = "tests.leaderboards.webhook_urls"
        return "/webhook-api/webhooks/deals"


@pytest.fixture
def crm(org):
    return WebhookIntegration.objects.create(name="CRM", acts_as=org.users["admin"])


@pytest.fixture
def sent(monkeypatch):
    events = []
    monkeypatch.setattr(live, "_send", events.append)
    return events


def payload(**deal):
    base = {
        "external_id": "CRM-1",
        "name": "Big win",
        "amount": "5000.00",
        "close_date": "2026-02-18",
        "owner": "R-WILL",
        "account": "A-004",
        "crm_only_field": "ignored",
    }
    return {"event": "deal.won", "deal": {**base, **deal}}


def now() -> int:
    return int(time.time())


@pytest.fixture
def post(client, url, crm, django_capture_on_commit_callbacks):
    """Send ``body`` signed now with the CRM's secret (or ``secret``), or with the given
    ``signature`` and ``timestamp`` (None: the header left out)."""

    def send(body, *, secret=None, signature=None, timestamp=..., **headers):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        timestamp = now() if timestamp is ... else timestamp
        signature = signature or sign(secret or crm.secret, raw, timestamp)
        signed = {"X-Attain-Signature": signature}
        if timestamp is not None:
            signed["X-Attain-Timestamp"] = str(timestamp)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                url, raw, content_type="application/json", headers={**signed, **headers}
            )

    return send


def fields(response) -> dict[str, str]:
    return {e["field"]: e["msg"] for e in response.json()["detail"]}


def test_a_signed_won_deal_is_created_audited_and_wakes_the_boards(org, post, crm, sent):
    response = post(payload())
    assert response.status_code == 201, response.content
    deal = Deal.objects.get(external_id="CRM-1")
    assert response.json() == {"status": "created", "deal_id": deal.pk, "external_id": "CRM-1"}
    assert deal.status == "won" and deal.amount == Decimal("5000.00")
    assert deal.owner == org.reps["will"] and deal.created_date == dt.date(2026, 2, 18)
    entry = AuditEntry.objects.filter(action="created", object_id=str(deal.pk)).get()
    assert entry.actor == org.users["admin"]
    assert [e["deal_ids"] for e in sent] == [[deal.pk]]
    assert sent[0]["wins"] == [[deal.pk, "Will Example", "Big win"]]
    crm.refresh_from_db()
    assert crm.last_used_at is not None
    board = Board.objects.create(name="Month", window="month", privacy="show_amounts")
    top = board_standings(board).rows[0]
    assert top.name == "Will Example" and top.value == Decimal("17000.00")


def test_a_replay_changes_nothing_and_publishes_nothing(post, sent):
    assert post(payload()).status_code == 201
    again = post(payload())
    assert again.status_code == 200
    assert again.json()["status"] == "unchanged"
    assert Deal.objects.filter(external_id="CRM-1").count() == 1
    assert len(sent) == 1


def test_a_changed_deal_is_updated_and_publishes(post, sent):
    post(payload())
    response = post(payload(amount=7500))
    assert response.status_code == 200 and response.json()["status"] == "updated"
    assert Deal.objects.get(external_id="CRM-1").amount == Decimal("7500.00")
    assert len(sent) == 2


def test_an_open_deal_becomes_won(org, post, sent):
    open_deal = org.deals["eddie"][1]
    body = payload(
        external_id=open_deal.external_id, owner="R-EDDIE", account="A-005", close_date="2026-03-05"
    )
    response = post(body)
    assert response.status_code == 200 and response.json()["status"] == "updated"
    open_deal.refresh_from_db()
    assert open_deal.status == "won" and open_deal.close_date == dt.date(2026, 3, 5)
    assert open_deal.created_date == dt.date(2026, 3, 1)  # kept
    assert [e["deal_ids"] for e in sent] == [[open_deal.pk]]


def test_service_rules_apply_across_fields(org, post):
    open_deal = org.deals["eddie"][1]  # created 1 March
    response = post(payload(external_id=open_deal.external_id, close_date="2026-02-18"))
    assert response.status_code == 422
    assert "must not be before created_date" in fields(response)["deal.close_date"]


@pytest.mark.parametrize(
    "signature",
    ["sha256=" + "0" * 64, "sha1=abc", "", "another secret"],
    ids=["zeros", "sha1", "empty", "another-secret"],
)
def test_a_bad_signature_is_401_and_writes_nothing(post, signature, sent):
    if signature == "another secret":  # signed now: not at collection, which workers share
        signature = sign("another secret", json.dumps(payload()).encode(), now())
    response = post(payload(), signature=signature or "nothing")
    assert response.status_code == 401
    assert "signature" in response.json()["detail"]
    assert not Deal.objects.filter(external_id="CRM-1").exists() and sent == []


def test_a_signature_of_another_body_is_401(post, crm):
    other = sign(crm.secret, json.dumps(payload(amount="1.00")).encode(), now())
    assert post(payload(), signature=other).status_code == 401


def test_a_signature_of_another_time_or_of_the_body_alone_is_401(post, crm):
    raw = json.dumps(payload()).encode()
    signed_earlier = sign(crm.secret, raw, now() - 10)
    assert post(payload(), signature=signed_earlier, timestamp=now()).status_code == 401
    body_only = "sha256=" + hmac.new(crm.secret.encode(), raw, hashlib.sha256).hexdigest()
    response = post(payload(), signature=body_only)
    assert response.status_code == 401
    assert "X-Attain-Timestamp" in response.json()["detail"]


@pytest.mark.parametrize(
    ("timestamp", "words"),
    [
        (None, "missing X-Attain-Timestamp"),
        ("yesterday", "Unix time in whole seconds"),
        ("1.5e9", "Unix time in whole seconds"),
        (-1, "Unix time in whole seconds"),
        ("99999999999999999999", "minutes from the server's time"),
    ],
)
def test_a_missing_or_malformed_timestamp_is_401(post, timestamp, words, sent):
    response = post(payload(), timestamp=timestamp)
    assert response.status_code == 401
    assert words in response.json()["detail"]
    assert not Deal.objects.filter(external_id="CRM-1").exists() and sent == []


# A second past the tolerance behind; ahead, a minute past it: the server reads its clock
# after the test does, so on a loaded machine a stamp 301 s ahead could arrive within 300 s.
@pytest.mark.parametrize("offset", [-301, 360])
def test_a_request_signed_over_five_minutes_away_is_refused_as_a_replay(post, offset, sent):
    """A captured request, replayed later, is refused even though its signature is right
    (it could set a deal back to what it was); so is one from a clock far ahead."""
    response = post(payload(), timestamp=now() + offset)
    assert response.status_code == 401
    assert "possible replay" in response.json()["detail"]
    assert not Deal.objects.filter(external_id="CRM-1").exists() and sent == []


def test_a_request_signed_within_the_tolerance_is_accepted(post):
    assert post(payload(), timestamp=now() - 290).status_code == 201
    assert post(payload(external_id="CRM-2"), timestamp=now() + 290).status_code == 201


def test_no_signature_header_is_401_even_for_a_logged_in_admin(client, url, org, crm):
    org.login(client, "admin")
    _, key = create_token(org.users["admin"], "t")
    body = json.dumps(payload())
    for headers in ({}, {"Authorization": f"Bearer {key}"}):
        response = client.post(url, body, content_type="application/json", headers=headers)
        assert response.status_code == 401
    assert not Deal.objects.filter(external_id="CRM-1").exists()


def test_a_revoked_integration_is_401(post, crm):
    secret = crm.secret
    WebhookIntegration.objects.filter(pk=crm.pk).update(revoked_at=timezone.now())
    assert post(payload(), secret=secret).status_code == 401


def test_each_integration_signs_with_its_own_secret(org, post):
    other = WebhookIntegration.objects.create(name="Billing", acts_as=org.users["admin"])
    assert post(payload(), secret=other.secret).status_code == 201
    other.refresh_from_db()
    assert other.last_used_at is not None


def test_the_environment_secret_acts_as_the_first_admin(org, post, monkeypatch):
    monkeypatch.setenv("ATTAIN_WEBHOOK_SECRET", "env-secret")
    response = post(payload(), secret="env-secret")
    assert response.status_code == 201
    deal = Deal.objects.get(external_id="CRM-1")
    entry = AuditEntry.objects.get(action="created", object_id=str(deal.pk))
    assert entry.actor == org.users["admin"]
    monkeypatch.setenv("ATTAIN_WEBHOOK_USER", "nobody")  # unknown user: refused
    assert post(payload(external_id="CRM-2"), secret="env-secret").status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (payload(amount=None), "deal.amount", ""),
        (payload(amount="lots"), "deal.amount", ""),
        (payload(amount="-5"), "deal.amount", "must not be negative"),
        (payload(close_date="yesterday"), "deal.close_date", ""),
        (payload(owner="R-NOBODY"), "deal.owner", "no rep with external id 'R-NOBODY'"),
        (payload(account="A-NONE"), "deal.account", "no account"),
        (payload(external_id=""), "deal.external_id", ""),
        ({**payload(), "event": "deal.lost"}, "event", "must be one of deal.won"),
        ({"deal": payload()["deal"]}, "event", ""),
        ({"event": "deal.won"}, "deal", ""),
        (b"{not json", "body", "is not JSON"),
    ],
)
def test_an_invalid_payload_is_422_naming_the_field(post, body, field, words, sent):
    response = post(body)
    assert response.status_code == 422, response.content
    errors = fields(response)
    assert field in errors, errors
    assert words in errors[field]
    assert Deal.objects.count() == 12 and sent == []  # the factory's deals only


def test_the_webhook_never_needs_csrf(org, crm, url, settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    raw, signed_at = json.dumps(payload()).encode(), now()
    response = strict.post(
        url,
        raw,
        content_type="application/json",
        headers={
            "X-Attain-Signature": sign(crm.secret, raw, signed_at),
            "X-Attain-Timestamp": str(signed_at),
        },
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("login", "status"),
    [("anonymous", 302), ("will", 302), ("walt", 302), ("finance", 302), ("admin", 200)],
)
def test_integrations_are_managed_in_the_django_admin_by_admins_only(
    client, org, crm, login, status
):
    if login != "anonymous":
        org.login(client, login)
    response = client.get("/admin/leaderboards/webhookintegration/")
    assert response.status_code == status
    if status == 200:
        page = client.get(f"/admin/leaderboards/webhookintegration/{crm.pk}/change/")
        assert crm.secret in page.content.decode()


def test_an_admin_revokes_an_integration(client, org, crm):
    org.login(client, "admin")
    response = client.post(
        "/admin/leaderboards/webhookintegration/",
        {"action": "revoke", "_selected_action": [crm.pk]},
    )
    assert response.status_code == 302
    crm.refresh_from_db()
    assert crm.revoked_at is not None
