"""The API tokens page: create (key shown once), list, revoke; only one's own tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from attain.people.models import ApiToken
from attain.people.tokens import create_token
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.token_urls")]
URL = "/people/tokens/"


def logged_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_page_needs_a_login(org):
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_create_shows_the_key_once_and_it_works(org):
    client = logged_in("will")
    assert "No tokens yet" in client.get(URL).content.decode()
    response = client.post(URL, {"action": "create", "name": "laptop script"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    key = re.search(r"<code>(att_[^<]+)</code>", html).group(1)
    assert ApiClient(key).get("/api/reps").status_code == 200
    again = client.get(URL).content.decode()
    assert key not in again
    assert "laptop script" in again and key[:8] in again


def test_create_needs_a_name(org):
    response = logged_in("will").post(URL, {"action": "create", "name": "  "})
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_own_token(org):
    token, key = create_token(org.users["will"], "old")
    client = logged_in("will")
    response = client.post(URL, {"action": "revoke", "token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(key).get("/api/reps").status_code == 401
    assert "Revoked" in client.get(URL).content.decode()


def test_cannot_see_or_revoke_someone_elses_token(org):
    token, key = create_token(org.users["eddie"], "eddie's")
    client = logged_in("will")
    assert "eddie&#x27;s" not in client.get(URL).content.decode()
    assert client.post(URL, {"action": "revoke", "token": token.pk}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiClient(key).get("/api/reps").status_code == 200


def test_page_posts_need_csrf(org):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="will", password=PASSWORD)
    assert client.post(URL, {"action": "create", "name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
