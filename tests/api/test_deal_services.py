"""attain.sales.services: deal create/update rules, independent of HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError

from attain.sales.models import Deal
from attain.sales.services import (
    DealPermissionError,
    DealValidationError,
    can_write_deals,
    create_deal,
    parse_decimal,
    update_deal,
    writable_rep_ids,
)
from tests.api.conftest import BEFORE_MOVE, deal_body
from tests.factories import MOVE_DATE

pytestmark = pytest.mark.django_db


def test_who_may_write(org):
    assert not can_write_deals(AnonymousUser())
    assert not can_write_deals(org.users["finance"])
    for name in ("admin", "vera", "walt", "will"):
        assert can_write_deals(org.users[name])
    assert writable_rep_ids(org.users["admin"]) is None
    assert writable_rep_ids(org.users["finance"]) == set()
    assert writable_rep_ids(org.users["will"]) == {org.reps["will"].id}
    walt_before = writable_rep_ids(org.users["walt"], BEFORE_MOVE)
    assert walt_before == {org.reps[n].id for n in ("walt", "wendy", "will")}
    assert org.reps["wendy"].id not in writable_rep_ids(org.users["walt"], MOVE_DATE)


def test_create_with_as_of_follows_the_hierarchy_on_that_day(org):
    walt = org.users["walt"]
    deal = create_deal(user=walt, data=deal_body(), as_of=BEFORE_MOVE)
    assert deal.owner == org.reps["wendy"]
    with pytest.raises(DealPermissionError):
        create_deal(user=walt, data=deal_body(external_id="D-NEW-2"), as_of=MOVE_DATE)


def test_validation_error_maps_fields_to_messages(org):
    with pytest.raises(DealValidationError) as caught:
        create_deal(
            user=org.users["admin"],
            data=deal_body(amount="-1", close_date="2026-01-01", owner="R-X"),
        )
    assert caught.value.errors == {
        "owner": ["is unknown: no rep with external id 'R-X'"],
        "amount": ["must not be negative (got -1)"],
        "close_date": ["must not be before created_date (2026-01-01 < 2026-04-01)"],
    }
    assert "amount: must not be negative" in str(caught.value)


def test_a_concurrent_duplicate_names_the_field_not_the_database(org, monkeypatch):
    """Two creates with one external id at once: the loser's error says which id is taken,
    never the database's message (table and constraint names)."""

    def raced(**fields):
        raise IntegrityError("UNIQUE constraint failed: sales_deal.external_id")

    monkeypatch.setattr(Deal.objects, "create", raced)
    with pytest.raises(DealValidationError) as caught:
        create_deal(user=org.users["admin"], data=deal_body(external_id="D-RACE"))
    assert caught.value.errors == {
        "external_id": ["is taken: a deal with external id 'D-RACE' was saved at the same time"]
    }


def test_update_without_changes_does_not_touch_the_row(org):
    deal = org.deals["will"][0]
    stamp = deal.updated_at
    same = update_deal(
        user=org.users["admin"], deal=deal, data={"amount": "12000", "status": "won"}
    )
    same.refresh_from_db()
    assert same.updated_at == stamp


def test_update_accepts_python_values_from_forms(org):
    deal = org.deals["will"][1]
    update_deal(
        user=org.users["admin"],
        deal=deal,
        data={"amount": Decimal("10.5"), "close_date": dt.date(2026, 9, 1), "status": "WON"},
    )
    deal.refresh_from_db()
    assert (deal.amount, deal.close_date, deal.status) == (
        Decimal("10.50"),
        dt.date(2026, 9, 1),
        Deal.Status.WON,
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.30", Decimal("12.30")),
        (0.1, Decimal("0.1")),
        (7, Decimal("7")),
        (" 5 ", Decimal("5")),
        ("inf", None),
        ("x", None),
        (True, None),
    ],
)
def test_parse_decimal(raw, expected):
    assert parse_decimal(raw) == expected
