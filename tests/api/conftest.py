"""Fixtures for API tests: the factory org, a fixed "today", tokens and a JSON client."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from attain.people.tokens import create_token
from tests.factories import MOVE_DATE

BEFORE_MOVE = MOVE_DATE - dt.timedelta(days=1)
ROLES = ["anonymous", "rep", "manager", "finance", "admin"]
# The login that plays each role in the permission matrix.
LOGIN_FOR_ROLE = {"rep": "will", "manager": "walt", "finance": "finance", "admin": "admin"}


@pytest.fixture
def on_day(monkeypatch):
    """Set the day the visibility rules use (the hierarchy in force on that day)."""

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr("attain.people.selectors.today", lambda: day)

    return set_day


@pytest.fixture
def before_move(on_day):
    """Wendy is still in West (Walt's team)."""
    on_day(BEFORE_MOVE)
    return BEFORE_MOVE


class ApiClient:
    """A test client that sends and reads JSON, as a token holder or anonymously."""

    def __init__(self, key: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def request(self, method: str, path: str, body: Any = None, **extra):
        headers = {**self.headers, **extra.pop("headers", {})}
        kwargs: dict[str, Any] = {"headers": headers, **extra}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method.lower())(path, **kwargs)

    def get(self, path: str, **params):
        return self.request("GET", path, data=params) if params else self.request("GET", path)

    def post(self, path: str, body: Any):
        return self.request("POST", path, body)

    def patch(self, path: str, body: Any):
        return self.request("PATCH", path, body)

    def put(self, path: str, body: Any):
        return self.request("PUT", path, body)


@pytest.fixture
def keys(org) -> dict[str, str]:
    """A fresh token for every login of the factory org."""
    return {name: create_token(user, "tests")[1] for name, user in org.users.items()}


@pytest.fixture
def api(keys):
    """``api("walt")`` is a client holding walt's token; ``api(None)`` is anonymous."""

    def make(username: str | None) -> ApiClient:
        return ApiClient(keys[username] if username else None)

    return make


def deal_body(**overrides) -> dict[str, Any]:
    """A valid create body for a deal owned by Wendy on Wendy's account."""
    body = {
        "external_id": "D-NEW-1",
        "name": "New deal",
        "account": "A-003",
        "owner": "R-WENDY",
        "stage": "Discovery",
        "status": "open",
        "deal_type": "new",
        "amount": "12345.67",
        "currency": "USD",
        "margin": "2345.67",
        "units": "3",
        "created_date": "2026-04-01",
        "close_date": None,
        "cancellation_date": None,
    }
    body.update(overrides)
    return body


class FakeReport:
    """Stands in for ``attain.imports.report.ImportReport``."""

    def __init__(self, rows, *, created=None, errors=()):
        self.rows = len(rows)
        self.created = self.rows if created is None else created
        self.updated = 0
        self.unchanged = 0
        self.errors = list(errors)

    @property
    def ok(self) -> bool:
        return not self.errors


@pytest.fixture
def fake_import(monkeypatch):
    """Replace ``attain.imports.services.import_rows`` with a recorder (tests of the API's
    gate and mapping, not of the importer). ``fake_import.report`` sets what it returns."""

    class Recorder:
        calls: list = []
        errors: list = []

        def __call__(self, entity, rows, **kwargs):
            self.calls.append({"entity": entity, "rows": rows, **kwargs})
            return FakeReport(rows, errors=self.errors)

    recorder = Recorder()
    recorder.calls, recorder.errors = [], []
    monkeypatch.setattr("attain.imports.services.import_rows", recorder)
    return recorder
