"""Deal and credit changes through the API and the admin land in the audit log."""

from __future__ import annotations

import pytest

from attain.audit.models import AuditEntry
from attain.sales.models import Credit

pytestmark = pytest.mark.django_db


def test_deal_update_and_owner_credit_move_are_audited(org, api):
    deal = org.deals["wendy"][1]
    response = api("admin").patch(
        f"/api/deals/{deal.id}", {"amount": "31000.00", "owner": "R-WILL"}
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(object_type="sales.Deal", object_id=str(deal.id))
    assert entry.actor == org.users["admin"]
    assert entry.before["amount"] == "30000.00" and entry.after["amount"] == "31000.00"
    credit = Credit.objects.get(deal=deal)
    moved = AuditEntry.objects.get(object_type="sales.Credit", object_id=str(credit.id))
    assert moved.before["rep_id"] == org.reps["wendy"].id
    assert moved.after["rep_id"] == org.reps["will"].id


def test_credit_edit_in_the_admin_is_audited(org, client):
    org.login(client, "admin")
    credit = Credit.objects.get(deal=org.deals["will"][0])
    response = client.post(
        f"/admin/sales/credit/{credit.id}/change/",
        {"deal": credit.deal_id, "rep": credit.rep_id, "role": "owner", "share": "0.5000"},
    )
    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get(object_type="sales.Credit", object_id=str(credit.id))
    assert (entry.before["share"], entry.after["share"]) == ("1.0000", "0.5000")
