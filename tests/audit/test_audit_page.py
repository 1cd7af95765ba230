"""The audit log page: admin and finance only, read only, filters, field-by-field changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attain.audit.models import AuditEntry
from attain.audit.services import record
from attain.plans import services
from tests.plans.conftest import PLAN, assignment, plan_text

pytestmark = pytest.mark.django_db
URL = "/audit/"


@pytest.fixture
def audited(org):
    admin = org.users["admin"]
    doc = services.save_plan(admin, PLAN, "first").document
    services.save_plan(admin, plan_text(("rate: 8", "rate: 9")), "richer", doc)
    a = services.create_assignment(admin, assignment(org))
    data = services.data_of(a)
    data.target_incentive = 12345
    services.update_assignment(admin, a, data)
    record(None, "imported", org.reps["eddie"], after={"name": "Eddie"}, note="system")
    return org


def test_url_name():
    assert reverse("audit:list") == URL


@pytest.mark.parametrize(
    ("who", "status"),
    [("will", 403), ("walt", 403), ("vera", 403), ("finance", 200), ("admin", 200)],
)
def test_permissions(client, audited, who, status):
    audited.login(client, who)
    assert client.get(URL).status_code == status


def test_anonymous_is_sent_to_login(client, audited):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_read_only(client, audited):
    audited.login(client, "admin")
    assert client.post(URL, {}).status_code == 405
    html = client.get(URL).content.decode()
    assert '<form method="post"' not in html.split('class="container"')[1]


def test_shows_field_by_field_changes(client, audited):
    audited.login(client, "finance")
    html = client.get(URL, {"object_type": "plans.PlanAssignment", "action": "updated"}).content
    html = html.decode()
    assert "1 entry" in html
    assert "<del>10000.00</del>" in html and "<ins>12345.00</ins>" in html
    assert "valid_from" not in html.split('data-testid="audit"')[1]  # unchanged fields hidden


def test_filters(client, audited):
    audited.login(client, "admin")
    total = AuditEntry.objects.count()
    assert f"{total} entries" in client.get(URL).content.decode()
    by_actor = client.get(URL, {"actor": audited.users["admin"].pk}).content.decode()
    assert f"{total - 1} entries" in by_actor
    assert "1 entry" in client.get(URL, {"q": "eddie"}).content.decode()
    assert "2 entries" in client.get(URL, {"object_type": "plans.PlanDocument"}).content.decode()
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    assert (
        f"{total} entries"
        in client.get(URL, {"date_from": today, "date_to": today}).content.decode()
    )
    assert "No entries match" in client.get(URL, {"date_from": tomorrow}).content.decode()


def test_paginated(client, org):
    for i in range(60):
        record(None, "imported", org.reps["eddie"], after={"n": i})
    org.login(client, "admin")
    first = client.get(URL).content.decode()
    assert "Page 1 of" in first
    assert "Page 2 of" in client.get(URL, {"page": 2}).content.decode()
