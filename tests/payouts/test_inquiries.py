"""Inquiries: a rep questions a line; managers and finance see it; finance answers,
rejects or adjusts; an adjustment is booked once by the next run."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attain.audit.models import AuditEntry
from attain.payouts import inquiries, services
from attain.payouts.models import Inquiry, LedgerLine
from tests.web.conftest import TODAY, set_today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    set_today(monkeypatch, TODAY)


@pytest.fixture
def paid(pay_org):
    run = services.start_run(pay_org.users["admin"], "2026-02")
    return services.approve_run(pay_org.users["finance"], run)


def _line(run, org, rep="wendy", tier=2) -> LedgerLine:
    return run.lines.get(rep=org.reps[rep], tier=tier)


def test_workflow_adjustment_is_booked_by_the_next_run(client, pay_org, paid):
    line = _line(paid, pay_org)
    pay_org.login(client, "wendy")
    response = client.post(
        reverse("payouts:inquiry_new", args=[line.pk]),
        {"subject": "Tier 2 rate", "body": "My plan letter says 18% above quota."},
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payouts:inquiry_detail", args=[inquiry.pk])
    assert (inquiry.rep, inquiry.line, inquiry.status) == (pay_org.reps["wendy"], line, "open")

    client.logout()
    pay_org.login(client, "walt")
    client.post(reverse("payouts:inquiry_reply", args=[inquiry.pk]), {"body": "Backing this."})
    # A manager cannot resolve.
    response = client.post(
        reverse("payouts:inquiry_resolve", args=[inquiry.pk]),
        {"status": "answered", "message": "no"},
    )
    assert response.status_code == 403

    client.logout()
    pay_org.login(client, "finance")
    response = client.post(
        reverse("payouts:inquiry_resolve", args=[inquiry.pk]),
        {"status": "adjusted", "message": "Agreed.", "amount": "60.00", "reason": "18% on 2,000"},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "adjusted"
    adjustment = inquiry.adjustment
    assert (adjustment.rep, adjustment.amount, adjustment.pay_period) == (
        pay_org.reps["wendy"],
        Decimal("60.00"),
        "",
    )
    bodies = list(inquiry.messages.values_list("body", flat=True))
    assert bodies[0] == "My plan letter says 18% above quota."
    assert bodies[1] == "Backing this."
    assert bodies[2].startswith("Marked adjusted.") and "Agreed." in bodies[2]
    actions = set(
        AuditEntry.objects.filter(object_type="payouts.Inquiry").values_list("action", flat=True)
    )
    assert actions == {"raised", "replied", "adjusted"}
    assert AuditEntry.objects.filter(object_type="payouts.ManualAdjustment").count() == 1

    # The next run books it, once.
    march = services.start_run(pay_org.users["admin"], "2026-03")
    [manual] = march.lines.filter(kind="manual")
    assert (manual.rep, manual.amount) == (pay_org.reps["wendy"], Decimal("60.00"))
    assert f"Inquiry #{inquiry.pk}" in manual.explanation
    services.approve_run(pay_org.users["fiona"], march)
    april = services.start_run(pay_org.users["admin"], "2026-04")
    assert not april.lines.filter(kind="manual").exists()

    # Adjusted is final.
    with pytest.raises(ValidationError):
        inquiries.resolve(pay_org.users["finance"], inquiry, "answered", message="again")


def test_answer_and_reject_need_a_message_and_keep_history(pay_org, paid):
    line = _line(paid, pay_org)
    inquiry = inquiries.raise_inquiry(pay_org.users["wendy"], line, "Why?", "Explain please")
    with pytest.raises(ValidationError):
        inquiries.resolve(pay_org.users["finance"], inquiry, "answered")
    inquiries.resolve(pay_org.users["finance"], inquiry, "answered", message="Tier 2 is 15%.")
    inquiries.resolve(pay_org.users["finance"], inquiry, "rejected", message="Plan is clear.")
    inquiry.refresh_from_db()
    assert inquiry.status == "rejected"
    assert inquiry.messages.count() == 3
    history = list(
        AuditEntry.objects.filter(object_type="payouts.Inquiry", object_id=str(inquiry.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert history == ["raised", "answered", "rejected"]


@pytest.mark.parametrize("who", ["admin", "walt", "vera", "will"])
def test_only_finance_resolves(pay_org, paid, who):
    inquiry = inquiries.raise_inquiry(pay_org.users["wendy"], _line(paid, pay_org), "s", "b")
    with pytest.raises(PermissionDenied):
        inquiries.resolve(pay_org.users[who], inquiry, "answered", message="x")


@pytest.mark.parametrize("amount", ["", "0", "abc", "1.234"])
def test_adjustment_amount_is_checked(pay_org, paid, amount):
    inquiry = inquiries.raise_inquiry(pay_org.users["wendy"], _line(paid, pay_org), "s", "b")
    with pytest.raises(ValidationError):
        inquiries.resolve(pay_org.users["finance"], inquiry, "adjusted", amount=amount, reason="r")
    assert Inquiry.objects.get().status == "open"


def test_only_the_rep_raises_on_their_own_approved_line(pay_org):
    draft = services.start_run(pay_org.users["admin"], "2026-02")
    with pytest.raises(PermissionDenied):
        inquiries.raise_inquiry(pay_org.users["wendy"], _line(draft, pay_org), "s", "b")
    run = services.approve_run(pay_org.users["finance"], draft)
    for who in ("walt", "finance", "will"):
        with pytest.raises(PermissionDenied):
            inquiries.raise_inquiry(pay_org.users[who], _line(run, pay_org), "s", "b")
    with pytest.raises(ValidationError):
        inquiries.raise_inquiry(pay_org.users["wendy"], _line(run, pay_org), " ", "b")


def test_list_filters_counts_and_scoping(client, pay_org, paid):
    mine = inquiries.raise_inquiry(pay_org.users["wendy"], _line(paid, pay_org), "Mine", "b")
    other = inquiries.raise_inquiry(
        pay_org.users["eddie"], _line(paid, pay_org, "eddie"), "Eddie's", "b"
    )
    inquiries.resolve(pay_org.users["finance"], other, "answered", message="ok")
    pay_org.login(client, "wendy")
    response = client.get(reverse("payouts:inquiry_list"))
    assert list(response.context["inquiries"]) == [mine]
    assert client.get(reverse("payouts:inquiry_detail", args=[other.pk])).status_code == 404
    client.logout()
    pay_org.login(client, "finance")
    response = client.get(reverse("payouts:inquiry_list"))
    assert response.context["total"] == 2
    assert dict((v, n) for v, _, n in response.context["counts"])["answered"] == 1
    response = client.get(reverse("payouts:inquiry_list"), {"status": "open"})
    assert list(response.context["inquiries"]) == [mine]
    client.logout()
    pay_org.login(client, "erin")  # manages East (eddie) on 2026-02-20
    response = client.get(reverse("payouts:inquiry_list"))
    assert list(response.context["inquiries"]) == [other]


def test_api_workflow(client, pay_org, paid):
    line = _line(paid, pay_org)
    pay_org.login(client, "wendy")
    response = client.post(
        "/api/inquiries",
        {"line_id": line.pk, "subject": "Rate?", "message": "Is 15% right?"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    inquiry_id = response.json()["id"]
    other_line = _line(paid, pay_org, "will")
    response = client.post(
        "/api/inquiries",
        {"line_id": other_line.pk, "subject": "x", "message": "y"},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/inquiries/{inquiry_id}/resolve",
        {"status": "answered", "message": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.logout()
    pay_org.login(client, "finance")
    response = client.post(
        f"/api/inquiries/{inquiry_id}/messages",
        {"body": "Looking."},
        content_type="application/json",
    )
    assert response.status_code == 201
    response = client.post(
        f"/api/inquiries/{inquiry_id}/resolve",
        {"status": "adjusted", "amount": 12.5, "reason": "goodwill"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "adjusted" and data["adjustment_id"]
    assert [m["author"] for m in data["messages"]] == ["wendy", "finance", "finance"]
    response = client.post(
        f"/api/inquiries/{inquiry_id}/resolve",
        {"status": "adjusted", "amount": "1.00", "reason": "again"},
        content_type="application/json",
    )
    assert response.status_code == 422
    listing = client.get("/api/inquiries", {"status": "adjusted"}).json()
    assert listing["count"] == 1 and listing["counts"]["adjusted"] == 1


def test_api_list_is_paged_newest_activity_first(
    client, pay_org, paid, django_assert_max_num_queries
):
    wendy = pay_org.users["wendy"]
    line = _line(paid, pay_org)
    raised = [inquiries.raise_inquiry(wendy, line, f"Question {n}", f"Body {n}") for n in range(5)]
    inquiries.add_message(pay_org.users["finance"], raised[1], "Looking.")  # now the newest
    pay_org.login(client, "finance")
    with django_assert_max_num_queries(12):  # not one query per inquiry or message
        first = client.get("/api/inquiries", {"limit": 2}).json()
    second = client.get("/api/inquiries", {"limit": 2, "offset": 2}).json()
    last = client.get("/api/inquiries", {"limit": 2, "offset": 4}).json()
    assert (first["count"], first["limit"], first["offset"]) == (5, 2, 0)
    assert first["counts"]["open"] == 5
    pages = [i["id"] for page in (first, second, last) for i in page["items"]]
    newest_first = [raised[1]] + [raised[n] for n in (4, 3, 2, 0)]
    assert pages == [i.pk for i in newest_first]
    assert [m["body"] for m in first["items"][0]["messages"]] == ["Body 1", "Looking."]
    assert client.get("/api/inquiries", {"offset": 5}).json()["items"] == []
    # Nothing to see for another rep; bad paging and an unknown status are refused.
    client.logout()
    pay_org.login(client, "will")
    assert client.get("/api/inquiries").json()["count"] == 0
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"status": "closed"}):
        response = client.get("/api/inquiries", bad)
        assert response.status_code == 422, bad
    detail = client.get("/api/inquiries", {"status": "closed"}).json()["detail"][0]
    assert detail["field"] == "status" and "must be one of" in detail["msg"]
