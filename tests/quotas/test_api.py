"""The quota API: scoped reads, all-or-nothing bulk upsert, distribution preview and save."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from attain.audit.models import AuditEntry
from attain.people.tokens import create_token
from attain.quotas.models import Quota

pytestmark = pytest.mark.django_db


def call(client, org, who, method, path, body=None):
    _, key = create_token(org.users[who], "test")
    kwargs = {"headers": {"Authorization": f"Bearer {key}"}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(path, **kwargs)


def test_list_is_scoped_and_filtered(client, quota_org):
    rows = call(client, quota_org, "walt", "get", "/api/quotas").json()
    assert rows["count"] == 2
    assert {r["rep"] for r in rows["items"]} == {"R-WENDY", "R-WILL"}
    mine = call(client, quota_org, "will", "get", "/api/quotas").json()
    assert [(r["rep"], r["amount"]) for r in mine["items"]] == [("R-WILL", "90000.00")]
    east = call(client, quota_org, "finance", "get", "/api/quotas?team=T-EAST").json()
    assert [r["rep"] for r in east["items"]] == ["R-EDDIE"]
    by_year = call(client, quota_org, "admin", "get", "/api/quotas?period=2026&rep=R-WENDY")
    assert by_year.json()["count"] == 1
    assert call(client, quota_org, "admin", "get", "/api/quotas?period=2025").json()["count"] == 0


def test_put_is_all_or_nothing_with_named_row_errors(client, quota_org):
    body = {
        "quotas": [
            {"rep": "R-WILL", "quota": "revenue", "period": "2026-Q2", "amount": "95000"},
            {"rep": "R-GHOST", "quota": "revenue", "period": "2026-Q2", "amount": "1"},
            {"rep": "R-EDDIE", "quota": "revenue", "period": "2026-Q2", "amount": -3},
        ]
    }
    response = call(client, quota_org, "admin", "put", "/api/quotas", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "rep"), (2, "amount")]
    assert not Quota.objects.filter(period="2026-Q2").exists()

    body["quotas"] = [body["quotas"][0], {**body["quotas"][2], "amount": 12345.67}]
    body["quotas"].append(
        {"rep": "R-WENDY", "quota": "revenue", "period": "2026-Q1", "amount": "100000.00"}
    )
    ok = call(client, quota_org, "admin", "put", "/api/quotas", body).json()
    assert (ok["ok"], ok["created"], ok["updated"], ok["unchanged"]) == (True, 2, 0, 1)
    assert Quota.objects.get(rep__external_id="R-EDDIE", period="2026-Q2").amount == Decimal(
        "12345.67"
    )
    assert AuditEntry.objects.filter(action="quota.create").count() == 2


def test_distribute_preview_then_save(client, quota_org):
    body = {
        "team": "T-WEST",
        "total": "1000000.00",
        "period": "2026",
        "split": "quarter",
        "seasonality": [20, 20, 20, 40],
    }
    preview = call(client, quota_org, "admin", "post", "/api/quotas/distribute", body).json()
    assert preview["saved"] is False
    assert preview["sum"] == "1000000.00"
    assert preview["period_totals"] == ["200000.00", "200000.00", "200000.00", "400000.00"]
    wendy = preview["lines"][0]
    assert wendy["rep"] == "R-WENDY"
    assert [c["presence"] for c in wendy["cells"]] == ["1.0000", "1.0000", "0.0000", "0.0000"]
    assert not Quota.objects.filter(period="2026-Q3").exists()

    saved = call(
        client, quota_org, "admin", "post", "/api/quotas/distribute", {**body, "preview": False}
    ).json()
    assert saved["saved"] is True
    # Wendy's Q1 was already 100,000 (unchanged); Will's was 90,000 (updated); Wendy gets
    # nothing for Q3 and Q4, when she is in East.
    assert (saved["created"], saved["updated"], saved["unchanged"]) == (4, 1, 1)
    q1 = Quota.objects.get(rep__external_id="R-WILL", period="2026-Q1")
    assert (q1.amount, q1.source) == (Decimal("100000.00"), "distributed")


def test_distribute_validation_is_a_422_naming_the_field(client, quota_org):
    body = {"team": "T-WEST", "total": "10.00", "period": "2026-Q7"}
    response = call(client, quota_org, "admin", "post", "/api/quotas/distribute", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "period"
    unknown = call(
        client, quota_org, "admin", "post", "/api/quotas/distribute", {**body, "team": "T-X"}
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["field"] == "team"
