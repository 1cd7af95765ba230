"""Authentication: bearer tokens (valid, missing, wrong, revoked) and the browser session."""

from __future__ import annotations

import pytest
from django.test import Client

from attain.people.models import ApiToken
from attain.people.tokens import TOKEN_PREFIX, create_token, revoke_token, user_for_key
from tests.api.conftest import ApiClient, deal_body
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_valid_token_authenticates_and_records_last_use(org):
    token, key = create_token(org.users["will"], "laptop")
    assert key.startswith(TOKEN_PREFIX)
    assert token.last_used_at is None
    response = ApiClient(key).get("/api/reps")
    assert response.status_code == 200
    assert [rep["external_id"] for rep in response.json()["items"]] == ["R-WILL"]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_digest_of_the_key_is_stored(org):
    token, key = create_token(org.users["will"], "laptop")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in {stored.digest, stored.prefix, stored.name}
    assert stored.digest == ApiToken.digest_of(key)
    assert key.startswith(stored.prefix)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer att_not-a-real-token",
        "Token att_whatever",
        "Basic d2lsbDpwYXNzd29yZA==",
    ],
    ids=["missing", "empty-bearer", "blank-bearer", "wrong", "other-scheme", "basic"],
)
def test_missing_or_wrong_token_is_401(org, header):
    headers = {"Authorization": header} if header is not None else {}
    response = Client().get("/api/deals", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_revoked_token_is_401(org):
    token, key = create_token(org.users["admin"], "old")
    client = ApiClient(key)
    assert client.get("/api/deals").status_code == 200
    revoke_token(token)
    assert client.get("/api/deals").status_code == 401
    assert client.post("/api/deals", deal_body()).status_code == 401
    assert user_for_key(key) is None


def test_token_of_a_deactivated_user_is_401(org):
    _, key = create_token(org.users["will"], "t")
    org.users["will"].is_active = False
    org.users["will"].save()
    assert ApiClient(key).get("/api/deals").status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(org):
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    assert client.get("/api/deals").status_code == 200
    response = client.get("/api/deals", headers={"Authorization": "Bearer att_revoked"})
    assert response.status_code == 401


def test_session_reads_without_csrf(org):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="will", password=PASSWORD)
    response = client.get("/api/deals")
    assert response.status_code == 200
    assert {d["owner"] for d in response.json()["items"]} == {"R-WILL"}


def test_session_write_needs_the_csrf_token(org, before_move):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="admin", password=PASSWORD)
    api = ApiClient(client=client)
    refused = api.post("/api/deals", deal_body())
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    client.get("/api/docs")  # any page that renders the token sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = api.request("POST", "/api/deals", deal_body(), headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201, accepted.content


def test_token_writes_need_no_csrf(org, api, before_move):
    response = api("admin").post("/api/deals", deal_body())
    assert response.status_code == 201


def test_anonymous_write_is_401_not_a_csrf_403(org):
    response = Client(enforce_csrf_checks=True).post(
        "/api/deals", data="{}", content_type="application/json"
    )
    assert response.status_code == 401


def test_createtoken_command_prints_a_working_key(org, capsys):
    from attain.cli import cmd_createtoken

    class Args:
        username = "finance"
        name = "cli"

    assert cmd_createtoken(Args()) == 0
    key = capsys.readouterr().out.strip()
    assert ApiClient(key).get("/api/deals").status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(org):
    import datetime as dt

    from attain.people.tokens import tokens_of

    token, key = create_token(org.users["will"], "t")
    client = ApiClient(key)
    client.get("/api/reps")
    token.refresh_from_db()
    first = token.last_used_at
    client.get("/api/reps")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=5))
    client.get("/api/reps")
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=5)
    assert list(tokens_of(org.users["will"]))[0] == token
