"""The quota pages as an admin uses them: filter, enter, edit, delete, distribute."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from attain.audit.models import AuditEntry
from attain.quotas.models import Quota

pytestmark = pytest.mark.django_db


def test_filters_and_pagination(client, quota_org):
    for year in (2024, 2025):
        for month in range(1, 13):
            Quota.objects.create(
                rep=quota_org.reps["eddie"],
                quota="margin",
                period=f"{year}-{month:02d}",
                amount=Decimal(month),
            )
    quota_org.login(client, "admin")
    url = reverse("quotas:list")
    assert client.get(url).context["page"].paginator.count == 27
    assert client.get(url, {"page": 2}).status_code == 200
    assert client.get(url, {"period": "2026-Q1"}).context["page"].paginator.count == 3
    assert client.get(url, {"period": "2025"}).context["page"].paginator.count == 12
    assert client.get(url, {"quota": "revenue"}).context["page"].paginator.count == 3
    west = quota_org.teams["west"].pk
    assert client.get(url, {"team": west}).context["page"].paginator.count == 2
    rep = quota_org.reps["will"].pk
    assert client.get(url, {"rep": rep}).context["page"].paginator.count == 1
    partial = client.get(
        url, {"quota": "revenue"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert b"<html" not in partial.content


def test_enter_edit_and_delete(client, quota_org):
    quota_org.login(client, "admin")
    form = {
        "rep": quota_org.reps["will"].pk,
        "quota": "revenue",
        "period": "2026-Q2",
        "amount": "1234.50",
        "currency": "USD",
    }
    assert client.post(reverse("quotas:new"), form).status_code == 302
    quota = Quota.objects.get(period="2026-Q2")
    bad = client.post(reverse("quotas:edit", args=[quota.pk]), {**form, "period": "2026-Q9"})
    assert bad.status_code == 200 and "period" in bad.context["form"].errors
    client.post(reverse("quotas:edit", args=[quota.pk]), {**form, "amount": "2000"})
    quota.refresh_from_db()
    assert quota.amount == Decimal("2000.00")
    client.post(reverse("quotas:delete", args=[quota.pk]))
    assert not Quota.objects.filter(pk=quota.pk).exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["quota.create", "quota.update", "quota.delete"]


def test_distribute_previews_then_saves(client, quota_org):
    quota_org.login(client, "admin")
    form = {
        "team": quota_org.teams["west"].pk,
        "total": "1000000",
        "currency": "USD",
        "quota": "revenue",
        "period": "2026",
        "split": "quarter",
        "method": "even",
        "seasonality": "20/20/20/40",
        "ramp": "",
        "prorate": "on",
    }
    url = reverse("quotas:distribute")
    preview = client.post(url, {**form, "action": "preview"})
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.sum == Decimal("1000000.00")
    assert b"USD 1,000,000.00" in preview.content
    assert Quota.objects.count() == 3  # nothing saved yet
    saved = client.post(url, {**form, "action": "save"})
    assert saved.status_code == 302
    west = Quota.objects.filter(rep__in=[quota_org.reps["wendy"], quota_org.reps["will"]])
    assert sum(west.values_list("amount", flat=True)) == Decimal("1000000.00")
    bad = client.post(url, {**form, "seasonality": "1/2", "action": "preview"})
    assert "4 weights" in bad.content.decode()


def test_a_long_rep_list_becomes_a_search_box(client, quota_org, monkeypatch):
    from attain.people import forms

    monkeypatch.setattr(forms, "REP_PICKER_LIMIT", 1)
    quota_org.login(client, "admin")
    url = reverse("quotas:list")
    assert 'placeholder="Name or rep id"' in client.get(url).content.decode()
    by_name = client.get(url, {"rep": "will"}).context["page"]
    assert {q.rep.name for q in by_name} == {"Will Example"}
    by_id = client.get(url, {"rep": "R-EDDIE"}).context["page"]
    assert {q.rep.name for q in by_id} == {"Eddie Example"}
    assert client.get(url, {"rep": "nobody"}).context["page"].paginator.count == 0
