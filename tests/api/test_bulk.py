"""POST /api/deals/bulk: upsert by external id through the import service (admin only)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.imports.models import ImportRun
from attain.sales.models import Deal

pytestmark = pytest.mark.django_db


def row(**overrides):
    values = {
        "external_id": "D-BULK-1",
        "name": "Bulk deal",
        "account": "A-003",
        "owner": "R-WENDY",
        "stage": "Proposal",
        "status": "open",
        "deal_type": "new",
        "amount": "12345.67",
        "currency": "USD",
        "margin": "2345.67",
        "units": "4",
        "created_date": "2026-04-01",
        "close_date": None,
        "cancellation_date": None,
    }
    values.update(overrides)
    return values


def existing_as_row(deal: Deal, **overrides):
    """An existing factory deal in the import format, unchanged unless overridden."""
    values = dict(
        external_id=deal.external_id,
        name=deal.name,
        account=deal.account.external_id,
        owner=deal.owner.external_id,
        stage=deal.stage,
        status=deal.status,
        deal_type=deal.deal_type,
        amount=str(deal.amount),
        currency=deal.currency,
        margin=None if deal.margin is None else str(deal.margin),
        units=str(deal.units),
        created_date=deal.created_date.isoformat(),
        close_date=deal.close_date.isoformat() if deal.close_date else None,
        cancellation_date=None,
    )
    return row(**{**values, **overrides})


def test_bulk_creates_updates_and_leaves_alone(org, api):
    changed = org.deals["will"][1]
    same = org.deals["eddie"][0]
    body = {
        "deals": [
            row(),
            existing_as_row(changed, amount="31000.10"),
            existing_as_row(same),
        ]
    }
    response = api("admin").post("/api/deals/bulk", body)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "ok": True,
        "dry_run": False,
        "rows": 3,
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "errors": [],
    }
    new = Deal.objects.get(external_id="D-BULK-1")
    assert new.amount == Decimal("12345.67") and new.owner == org.reps["wendy"]
    changed.refresh_from_db()
    assert changed.amount == Decimal("31000.10")
    run = ImportRun.objects.latest("started_at")
    assert (run.source, run.file_name, run.user) == ("api", "api", org.users["admin"])


def test_bulk_twice_changes_nothing(org, api):
    body = {"deals": [row(), row(external_id="D-BULK-2", amount=99.95)]}
    first = api("admin").post("/api/deals/bulk", body).json()
    second = api("admin").post("/api/deals/bulk", body).json()
    assert (first["created"], second["created"], second["unchanged"]) == (2, 0, 2)
    assert Deal.objects.get(external_id="D-BULK-2").amount == Decimal("99.95")


def test_bulk_dry_run_writes_nothing(org, api):
    before = Deal.objects.count()
    response = api("admin").post("/api/deals/bulk", {"deals": [row()], "dry_run": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dry_run"], body["created"]) == (True, 1)
    assert Deal.objects.count() == before


def test_bulk_with_any_bad_row_writes_nothing_and_lists_every_error(org, api):
    before = sorted(Deal.objects.values_list("external_id", "amount"))
    body = {
        "deals": [
            row(),  # fine on its own
            row(external_id="D-BULK-2", owner="R-NOBODY"),
            row(external_id="D-BULK-3", amount="-5.00"),
            row(external_id="D-BULK-4", close_date="2026-13-40"),
            row(external_id="D-BULK-5", account="A-999"),
            row(external_id="D-BULK-6", status="maybe"),
        ]
    }
    response = api("admin").post("/api/deals/bulk", body)
    assert response.status_code == 422, response.content
    result = response.json()
    assert result["ok"] is False
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 0)
    by_index = {e["index"]: e for e in result["errors"]}
    assert set(by_index) == {1, 2, 3, 4, 5}
    assert by_index[1]["column"] == "owner" and by_index[1]["value"] == "R-NOBODY"
    assert by_index[2]["column"] == "amount"
    assert by_index[3]["column"] == "close_date"
    assert by_index[4]["column"] == "account"
    assert by_index[5]["column"] == "status"
    for error in result["errors"]:
        assert error["file"] == "api" and error["reason"]
        assert error["row"] == error["index"] + 1
    assert sorted(Deal.objects.values_list("external_id", "amount")) == before


def test_bulk_accepts_numbers_and_keeps_them_exact(org, api):
    raw = (
        '{"deals": [{"external_id": "D-NUM", "account": "A-003", "owner": "R-WENDY", '
        '"amount": 12345.67, "margin": -10.5, "units": 3, "created_date": "2026-04-01"}]}'
    )
    response = api("admin").request("POST", "/api/deals/bulk", raw)
    assert response.status_code == 200, response.content
    deal = Deal.objects.get(external_id="D-NUM")
    assert (deal.amount, deal.margin, deal.units) == (
        Decimal("12345.67"),
        Decimal("-10.50"),
        Decimal("3.00"),
    )


@pytest.mark.parametrize(
    "body",
    [{"deals": []}, {"deals": [{"colour": "red"}]}, {"rows": [{}]}, {"deals": [{"amount": True}]}],
    ids=["empty", "unknown-column", "wrong-key", "boolean"],
)
def test_malformed_bulk_bodies_are_422(org, api, body):
    response = api("admin").post("/api/deals/bulk", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"]


@pytest.mark.parametrize("username", ["finance", "vera", "walt", "will"])
def test_bulk_is_admin_only(org, api, username):
    response = api(username).post("/api/deals/bulk", {"deals": [row()]})
    assert response.status_code == 403
    assert not Deal.objects.filter(external_id="D-BULK-1").exists()


def test_bulk_passes_the_contract_arguments(org, api, fake_import):
    response = api("admin").post(
        "/api/deals/bulk",
        {"deals": [{"external_id": "D-1", "amount": 5}, {"external_id": "D-2"}], "dry_run": True},
    )
    assert response.status_code == 200, response.content
    (call,) = fake_import.calls
    assert call["entity"] == "deals"
    assert call["rows"] == [
        {"external_id": "D-1", "amount": "5"},
        {"external_id": "D-2", "amount": ""},
    ]
    assert (call["file_name"], call["source"], call["dry_run"]) == ("api", "api", True)
    assert call["user"] == org.users["admin"]


def test_bulk_keeps_zero_amounts_as_zero(org, api):
    # A zero (as a JSON number or string) is a value, not a missing cell.
    body = {"deals": [row(amount=0, margin="0", units=0)], "dry_run": False}
    response = api("admin").post("/api/deals/bulk", body)
    assert response.status_code == 200, response.json()
    deal = Deal.objects.get(external_id="D-BULK-1")
    assert (deal.amount, deal.margin, deal.units) == (Decimal("0"), Decimal("0"), Decimal("0"))
