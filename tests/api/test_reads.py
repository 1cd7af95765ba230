"""Lists hold exactly the records the caller may see; filters, pagination and detail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from attain.sales.models import Account, Deal, DealLine, Product
from tests.factories import MOVE_DATE

pytestmark = pytest.mark.django_db

EVERYONE = {"vera", "walt", "erin", "wendy", "will", "eddie"}


def _all(client, path, **params):
    """Every item of a paginated list, following offsets."""
    items, offset = [], 0
    while True:
        page = client.get(path, limit=2, offset=offset, **params)
        assert page.status_code == 200, page.content
        body = page.json()
        items += body["items"]
        offset += 2
        if offset >= body["count"]:
            assert len(items) == body["count"]
            return items


def rep_names(items):
    return {item["external_id"].removeprefix("R-").lower() for item in items}


def deal_owners(items):
    return {item["owner"].removeprefix("R-").lower() for item in items}


def account_people(org, items):
    by_id = {account.external_id: name for name, account in org.accounts.items()}
    return {by_id[item["external_id"]] for item in items}


# Who sees what, hand-checked against tests/factories.py, before Wendy's move.
VISIBLE_BEFORE_MOVE = {
    "admin": EVERYONE,
    "finance": EVERYONE,
    "vera": EVERYONE,
    "walt": {"walt", "wendy", "will"},
    "erin": {"erin", "eddie"},
    "wendy": {"wendy"},
    "will": {"will"},
    "eddie": {"eddie"},
}


@pytest.mark.parametrize("username", list(VISIBLE_BEFORE_MOVE))
def test_lists_hold_exactly_the_visible_records(org, api, before_move, username):
    client, expected = api(username), VISIBLE_BEFORE_MOVE[username]
    assert rep_names(_all(client, "/api/reps")) == expected
    deals = _all(client, "/api/deals")
    assert deal_owners(deals) == expected
    assert {d["external_id"] for d in deals} == {
        deal.external_id for name in expected for deal in org.deals[name]
    }
    assert account_people(org, _all(client, "/api/accounts")) == expected


def test_lists_follow_wendys_move_to_east(org, api, on_day):
    on_day(MOVE_DATE)
    assert rep_names(_all(api("walt"), "/api/reps")) == {"walt", "will"}
    assert rep_names(_all(api("erin"), "/api/reps")) == {"erin", "eddie", "wendy"}
    assert deal_owners(_all(api("erin"), "/api/deals")) == {"erin", "eddie", "wendy"}
    on_day(MOVE_DATE - dt.timedelta(days=1))
    assert deal_owners(_all(api("erin"), "/api/deals")) == {"erin", "eddie"}


def test_rep_shows_team_on_the_day(org, api, on_day):
    wendy = org.reps["wendy"].id
    on_day(MOVE_DATE - dt.timedelta(days=1))
    assert api("admin").get(f"/api/reps/{wendy}").json()["team"] == "West"
    on_day(MOVE_DATE)
    assert api("admin").get(f"/api/reps/{wendy}").json()["team"] == "East"


def test_pagination_reports_the_total_and_slices(org, api):
    admin = api("admin")
    first = admin.get("/api/deals", limit=5, offset=0).json()
    assert (first["count"], first["limit"], first["offset"], len(first["items"])) == (12, 5, 0, 5)
    last = admin.get("/api/deals", limit=5, offset=10).json()
    assert (last["count"], len(last["items"])) == (12, 2)
    beyond = admin.get("/api/deals", limit=5, offset=50).json()
    assert (beyond["count"], beyond["items"]) == (12, [])
    ids = [
        d["id"]
        for off in (0, 5, 10)
        for d in admin.get("/api/deals", limit=5, offset=off).json()["items"]
    ]
    assert len(ids) == len(set(ids)) == 12
    assert admin.get("/api/reps", limit=2).json()["count"] == 6


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"}])
def test_bad_pagination_is_422(org, api, params):
    response = api("admin").get("/api/deals", **params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] in {"limit", "offset"}


def test_deal_filters(org, api):
    admin = api("admin")

    def ids(**params):
        return {d["external_id"] for d in _all(admin, "/api/deals", **params)}

    assert ids(status="won") == {f"D-{n.upper()}-1" for n in EVERYONE}
    assert ids(status="open", owner="R-WILL") == {"D-WILL-2"}
    assert ids(owner="R-NOBODY") == set()
    assert ids(closed_from="2026-02-10", closed_to="2026-02-10") == ids(status="won")
    assert ids(closed_from="2026-02-11") == set()
    assert ids(q="eddie open") == {"D-EDDIE-2"}
    assert ids(q="nothing like this") == set()
    assert ids(q="Eddie Customer") == {"D-EDDIE-1", "D-EDDIE-2"}
    assert ids(deal_type="renewal") == set()
    bad = admin.get("/api/deals", status="maybe")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "status"
    assert admin.get("/api/deals", closed_from="2026-02-31").status_code == 422


def test_filters_never_widen_the_scope(org, api, before_move):
    assert _all(api("will"), "/api/deals", owner="R-EDDIE") == []
    assert _all(api("will"), "/api/reps", q="Eddie") == []
    assert _all(api("will"), "/api/accounts", q="Eddie") == []


def test_account_filters(org, api):
    Account.objects.filter(pk=org.accounts["eddie"].pk).update(state="NY", industry="Retail")
    admin = api("admin")

    def people(**params):
        return account_people(org, _all(admin, "/api/accounts", **params))

    assert people(region="East") == {"erin", "eddie"}
    assert people(state="NY") == {"eddie"}
    assert people(industry="Retail") == {"eddie"}
    assert people(q="Will Customer") == {"will"}
    assert people(region="East", industry="Software") == {"erin"}


def test_rep_search(org, api):
    assert rep_names(_all(api("admin"), "/api/reps", q="Regional")) == {"walt", "erin"}
    assert rep_names(_all(api("admin"), "/api/reps", q="will@example")) == {"will"}


def test_money_and_decimals_are_exact_strings(org, api):
    deal = org.deals["walt"][0]
    body = api("admin").get(f"/api/deals/{deal.id}").json()
    assert body["amount"] == "12000.00"
    assert body["margin"] == "4800.00"
    assert body["units"] == "10.00"
    open_deal = api("admin").get(f"/api/deals/{org.deals['walt'][1].id}").json()
    assert open_deal["margin"] is None
    account = api("admin").get(f"/api/accounts/{org.accounts['walt'].id}").json()
    assert account["potential"] == "250000.00"


def test_deal_detail_has_lines_and_credits(org, api):
    deal = org.deals["will"][0]
    product = Product.objects.create(
        external_id="SKU-1", name="Seat", list_price=Decimal("100.00"), unit_cost=Decimal("40.10")
    )
    DealLine.objects.create(
        external_id="L-1",
        deal=deal,
        product=product,
        quantity=Decimal("3"),
        unit_price=Decimal("99.99"),
        unit_cost=Decimal("40.10"),
    )
    body = api("will").get(f"/api/deals/{deal.id}").json()
    assert body["lines"] == [
        {
            "external_id": "L-1",
            "product": "SKU-1",
            "product_name": "Seat",
            "quantity": "3.00",
            "unit_price": "99.99",
            "unit_cost": "40.10",
        }
    ]
    assert body["credits"] == [
        {"rep": "R-WILL", "rep_name": "Will Example", "role": "owner", "share": "1.0000"}
    ]
    assert body["account"] == "A-004"
    assert body["owner"] == "R-WILL"
    assert body["status"] == "won"
    assert body["close_date"] == "2026-02-10"


def test_list_items_have_no_lines(org, api):
    item = api("admin").get("/api/deals", limit=1).json()["items"][0]
    assert "lines" not in item and "credits" not in item
    assert set(item) >= {"id", "external_id", "amount", "owner", "account", "status"}


def test_missing_records_are_404(org, api):
    top = Deal.objects.order_by("-id").first().id + 100
    for path in (f"/api/deals/{top}", f"/api/reps/{top}", f"/api/accounts/{top}"):
        assert api("admin").get(path).status_code == 404
