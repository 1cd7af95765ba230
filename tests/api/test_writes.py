"""Creating and updating deals: validation (422 with field messages), exact money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from attain.sales.models import Credit, Deal
from tests.api.conftest import deal_body

pytestmark = pytest.mark.django_db


def errors_by_field(response) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content
    found: dict[str, list[str]] = {}
    for error in response.json()["detail"]:
        assert set(error) == {"field", "msg", "loc", "type"}
        found.setdefault(error["field"], []).append(error["msg"])
    return found


def test_create_returns_the_deal_and_stores_it(org, api):
    response = api("admin").post("/api/deals", deal_body())
    assert response.status_code == 201, response.content
    body = response.json()
    deal = Deal.objects.get(external_id="D-NEW-1")
    assert body["id"] == deal.id
    assert body["amount"] == "12345.67" and deal.amount == Decimal("12345.67")
    assert body["margin"] == "2345.67" and deal.margin == Decimal("2345.67")
    assert body["units"] == "3.00"
    assert (body["owner"], body["account"]) == ("R-WENDY", "A-003")
    assert deal.owner == org.reps["wendy"] and deal.account == org.accounts["wendy"]
    assert body["lines"] == [] and body["credits"] == []


@pytest.mark.parametrize("amount", ["12345.67", 12345.67, "0.10", 0.1, "99999999.99", 1e2, 7, "0"])
def test_money_round_trips_exactly(org, api, amount):
    response = api("admin").post("/api/deals", deal_body(amount=amount, margin=amount))
    assert response.status_code == 201, response.content
    expected = Decimal(str(amount)).quantize(Decimal("0.01"))
    assert response.json()["amount"] == f"{expected:f}"
    deal = Deal.objects.get(external_id="D-NEW-1")
    assert deal.amount == expected
    again = api("admin").get(f"/api/deals/{deal.id}").json()
    assert again["amount"] == again["margin"] == f"{expected:f}"


@pytest.mark.parametrize(
    "number",
    [
        "1234567890123.45",
        "0.07",
        pytest.param(
            "1234567890123456.78",
            marks=pytest.mark.skipif(
                connection.vendor == "sqlite",
                reason="SQLite keeps NUMERIC values as REAL beyond 15 significant digits",
            ),
        ),
    ],
)
def test_json_numbers_are_read_without_float_rounding(org, api, number):
    raw = (
        '{"external_id": "D-BIG", "account": "A-003", "owner": "R-WENDY", '
        f'"amount": {number}, "created_date": "2026-04-01"}}'
    )
    response = api("admin").request("POST", "/api/deals", raw)
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == number
    assert Deal.objects.get(external_id="D-BIG").amount == Decimal(number)


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"owner": "R-NOBODY"}, "owner", "is unknown: no rep with external id 'R-NOBODY'"),
        ({"account": "A-999"}, "account", "is unknown: no account with external id 'A-999'"),
        ({"amount": "-1.00"}, "amount", "must not be negative"),
        ({"amount": -5}, "amount", "must not be negative"),
        ({"amount": "12.345"}, "amount", "at most 2 decimal places"),
        ({"amount": "lots"}, "amount", "decimal"),
        ({"amount": True}, "amount", "boolean"),
        ({"amount": "1e30"}, "amount", "too large"),
        ({"amount": "NaN"}, "amount", "number"),
        ({"units": "-2"}, "units", "must not be negative"),
        ({"created_date": "2026-02-30"}, "created_date", "date"),
        ({"close_date": "yesterday"}, "close_date", "date"),
        ({"close_date": "2026-03-31"}, "close_date", "must not be before created_date"),
        ({"cancellation_date": "2026-03-01"}, "cancellation_date", "before created_date"),
        ({"status": "pending"}, "status", "'open', 'won' or 'lost'"),
        ({"deal_type": "upsell"}, "deal_type", "'new', 'renewal' or 'expansion'"),
        ({"status": "won"}, "close_date", "required when status is won"),
        ({"currency": "dollars"}, "currency", "3-letter currency code"),
        ({"external_id": ""}, "external_id", "is required"),
        ({"external_id": "D-WILL-1"}, "external_id", "already exists"),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_create_validation_errors(org, api, overrides, field, fragment):
    before = Deal.objects.count()
    response = api("admin").post("/api/deals", deal_body(**overrides))
    errors = errors_by_field(response)
    assert field in errors, errors
    assert any(fragment in msg for msg in errors[field]), errors[field]
    assert Deal.objects.count() == before


@pytest.mark.parametrize("missing", ["external_id", "account", "amount", "created_date"])
def test_create_requires_fields(org, api, missing):
    body = deal_body()
    del body[missing]
    errors = errors_by_field(api("admin").post("/api/deals", body))
    assert missing in errors


def test_admin_must_name_an_owner(org, api):
    body = deal_body()
    del body["owner"]
    errors = errors_by_field(api("admin").post("/api/deals", body))
    assert errors == {"owner": ["owner is required"]}


def test_every_bad_field_is_reported_at_once(org, api):
    body = deal_body(owner="R-NOBODY", account="A-999", amount="-3", currency="x")
    errors = errors_by_field(api("admin").post("/api/deals", body))
    assert set(errors) == {"owner", "account", "amount", "currency"}


def test_malformed_json_is_an_error_not_a_crash(org, api):
    response = api("admin").request("POST", "/api/deals", "{not json")
    assert response.status_code in {400, 422}
    assert not Deal.objects.filter(external_id="D-NEW-1").exists()


def test_patch_changes_only_the_fields_sent(org, api):
    deal = org.deals["will"][1]
    response = api("admin").patch(
        f"/api/deals/{deal.id}",
        {"amount": "31000.55", "status": "won", "close_date": "2026-05-02"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["amount"], body["status"], body["close_date"]) == ("31000.55", "won", "2026-05-02")
    deal.refresh_from_db()
    assert deal.amount == Decimal("31000.55")
    assert deal.name == "Will open deal" and deal.stage == "Proposal"


def test_patch_can_clear_nullable_fields(org, api):
    deal = org.deals["will"][0]
    response = api("admin").patch(f"/api/deals/{deal.id}", {"margin": None})
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.margin is None


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"close_date": "2025-12-31"}, "close_date", "must not be before created_date"),
        ({"created_date": "2026-03-01"}, "close_date", "must not be before created_date"),
        ({"amount": "-0.01"}, "amount", "must not be negative"),
        ({"amount": None}, "amount", "is required"),
        ({"owner": "R-NOBODY"}, "owner", "is unknown: no rep"),
        ({"account": "A-404"}, "account", "is unknown: no account"),
        ({"close_date": None}, "close_date", "required when status is won"),
        ({"status": "done"}, "status", "'open', 'won' or 'lost'"),
        ({"close_date": "2026-02-30"}, "close_date", "date"),
        ({"external_id": "D-OTHER"}, "external_id", "Extra inputs are not permitted"),
    ],
)
def test_patch_validation_errors_write_nothing(org, api, change, field, fragment):
    deal = org.deals["will"][0]  # won, created 2026-01-05, closed 2026-02-10
    before = Deal.objects.values().get(pk=deal.pk)
    errors = errors_by_field(api("admin").patch(f"/api/deals/{deal.id}", change))
    assert field in errors, errors
    assert any(fragment in msg for msg in errors[field]), errors[field]
    assert Deal.objects.values().get(pk=deal.pk) == before


def test_changing_the_owner_moves_the_owner_credit(org, api):
    deal = org.deals["will"][1]
    response = api("admin").patch(f"/api/deals/{deal.id}", {"owner": "R-WENDY"})
    assert response.status_code == 200, response.content
    assert response.json()["credits"] == [
        {"rep": "R-WENDY", "rep_name": "Wendy Example", "role": "owner", "share": "1.0000"}
    ]
    assert not Credit.objects.filter(deal=deal, rep=org.reps["will"]).exists()


def test_manager_writes_inside_subtree(org, api, before_move):
    walt = api("walt")
    created = walt.post("/api/deals", deal_body(owner="R-WILL", account="A-004"))
    assert created.status_code == 201, created.content
    moved = walt.patch(f"/api/deals/{created.json()['id']}", {"owner": "R-WENDY"})
    assert moved.status_code == 200
    assert moved.json()["owner"] == "R-WENDY"


def test_permission_is_checked_before_validation(org, api, before_move):
    # A rep learns nothing about other fields when the owner is not theirs to write.
    response = api("will").post("/api/deals", deal_body(owner="R-EDDIE", amount="-1"))
    assert response.status_code == 403
