"""A rep or manager may only put deals on accounts they already work or their territories cover."""

import datetime as dt

import pytest

from attain.territories.models import Territory, TerritoryOwner
from tests.api.conftest import deal_body

pytestmark = pytest.mark.django_db

WILLS = dict(owner="R-WILL", account="A-004")


def test_rep_cannot_put_a_deal_on_another_reps_account(org, api):
    response = api("will").post("/api/deals", deal_body(**{**WILLS, "account": "A-005"}))
    assert response.status_code == 422
    # The same words as for an account that does not exist: nothing to learn by probing.
    assert "is unknown: no account with external id 'A-005'" in str(response.json())
    unknown = api("will").post("/api/deals", deal_body(**{**WILLS, "account": "A-NOPE"}))
    assert "is unknown" in str(unknown.json())
    assert api("will").get("/api/accounts").json()["count"] == 1


def test_rep_may_use_own_accounts_and_accounts_in_owned_territories(org, api):
    assert api("will").post("/api/deals", deal_body(**WILLS)).status_code == 201
    patch = api("will").patch(f"/api/deals/{org.deals['will'][1].pk}", {"account": "A-005"})
    assert patch.status_code == 422
    territory = Territory.objects.create(
        external_id="T-KEY", name="Key accounts", kind="list", valid_from=dt.date(2025, 1, 1)
    )
    territory.accounts.add(org.accounts["eddie"])
    TerritoryOwner.objects.create(
        territory=territory, rep=org.reps["will"], valid_from=dt.date(2025, 1, 1)
    )
    body = deal_body(**{**WILLS, "account": "A-005", "external_id": "D-NEW-2"})
    assert api("will").post("/api/deals", body).status_code == 201


def test_admin_may_use_any_account(org, api):
    body = deal_body(**{**WILLS, "account": "A-005"})
    assert api("admin").post("/api/deals", body).status_code == 201
