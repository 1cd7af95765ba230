"""Plan pages: every page × every role, and the editor's behaviour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attain.audit.models import AuditEntry
from attain.plans import services
from attain.plans.models import PlanAssignment, PlanRevision
from tests.plans.conftest import PLAN, assignment, plan_text

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rep", "manager", "finance", "admin"]
LOGIN = {"rep": "will", "manager": "walt", "finance": "finance", "admin": "admin"}


@pytest.fixture
def view_org(plan_org):
    admin = plan_org.users["admin"]
    services.save_plan(admin, plan_text(("rate: 8", "rate: 9")), "richer", plan_org.plan)
    plan_org.assignment = services.create_assignment(admin, assignment(plan_org))
    return plan_org


def doc_url(name, *extra):
    return lambda org: reverse(f"plans:{name}", args=["ae", 1, *extra])


def plain(name):
    return lambda org: reverse(f"plans:{name}")


def assignment_url(name):
    return lambda org: reverse(f"plans:{name}", args=[org.assignment.pk])


# name, url builder, expected status for rep, manager, finance, admin
GETS = [
    ("list", plain("list"), (403, 403, 200, 200)),
    ("new", plain("new"), (403, 403, 403, 200)),
    ("detail", doc_url("detail"), (403, 403, 200, 200)),
    ("edit", doc_url("edit"), (403, 403, 403, 200)),
    ("revision", doc_url("revision", 2), (403, 403, 200, 200)),
    ("diff", doc_url("diff"), (403, 403, 200, 200)),
    ("assignments", plain("assignments"), (403, 403, 200, 200)),
    ("assignment new", plain("assignment_new"), (403, 403, 403, 200)),
    ("assignment edit", assignment_url("assignment_edit"), (403, 403, 403, 200)),
    ("assignment end", assignment_url("assignment_end"), (403, 403, 403, 200)),
    ("audit", lambda org: reverse("audit:list"), (403, 403, 200, 200)),
]
POSTS = [
    ("edit", doc_url("edit"), (403, 403, 403, 200)),  # empty form: re-rendered with errors
    ("archive", doc_url("archive"), (403, 403, 403, 302)),
    ("new", plain("new"), (403, 403, 403, 200)),
    ("assignment new", plain("assignment_new"), (403, 403, 403, 200)),
    ("assignment end", assignment_url("assignment_end"), (403, 403, 403, 200)),
]


def _matrix(items):
    return [
        pytest.param(url, role, None if role == "anonymous" else expected[i - 1], id=f"{n}-{role}")
        for n, url, expected in items
        for i, role in enumerate(ROLES)
    ]


def _check(client, org, url, role, expected, method):
    if role != "anonymous":
        org.login(client, LOGIN[role])
    response = client.post(url, {}) if method == "post" else client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize(("url_for", "role", "expected"), _matrix(GETS))
def test_page_permissions(client, view_org, url_for, role, expected):
    _check(client, view_org, url_for(view_org), role, expected, "get")


@pytest.mark.parametrize(("url_for", "role", "expected"), _matrix(POSTS))
def test_post_permissions(client, view_org, url_for, role, expected):
    _check(client, view_org, url_for(view_org), role, expected, "post")


def test_missing_things_are_404(client, view_org):
    view_org.login(client, "admin")
    assert client.get(reverse("plans:detail", args=["nope", 1])).status_code == 404
    assert client.get(reverse("plans:revision", args=["ae", 1, 9])).status_code == 404
    assert client.get(reverse("plans:diff", args=["ae", 1]) + "?from=7").status_code == 404
    assert client.get(reverse("plans:assignment_edit", args=[999999])).status_code == 404


def test_finance_reads_but_sees_no_edit_links(client, view_org):
    view_org.login(client, "finance")
    detail = client.get(reverse("plans:detail", args=["ae", 1])).content.decode()
    assert "rate: 9" in detail and "richer" in detail
    assert reverse("plans:edit", args=["ae", 1]) not in detail
    listing = client.get(reverse("plans:assignments")).content.decode()
    assert "<td>Wendy Example</td>" in listing and "Edit</a>" not in listing


def test_edit_shows_engine_errors_inline_and_keeps_the_text(client, view_org):
    view_org.login(client, "admin")
    url = reverse("plans:edit", args=["ae", 1])
    page = client.get(url).content.decode()
    assert "rate: 9" in page  # prefilled with the current text
    bad = plan_text(("rate: 8", "rate: 9"), ("basis: attainment", "basis: vibes"))
    response = client.post(url, {"yaml": bad, "comment": "oops"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "components[0].rate_tables[0].basis" in html
    assert "basis: vibes" in html  # the submitted text is kept in the editor
    line = bad.splitlines().index("        basis: vibes") + 1
    assert f"line {line}" in html
    assert PlanRevision.objects.count() == 2


def test_edit_saves_a_revision_and_redirects_to_it(client, view_org):
    view_org.login(client, "admin")
    text = plan_text(("rate: 8", "rate: 10"))
    response = client.post(reverse("plans:edit", args=["ae", 1]), {"yaml": text, "comment": "c"})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:revision", args=["ae", 1, 3])
    page = client.get(response["Location"]).content.decode()
    assert "rate: 9" in page and "rate: 10" in page and 'class="added"' in page


def test_edit_same_text_is_a_no_op(client, view_org):
    view_org.login(client, "admin")
    text = view_org.plan.current.yaml
    response = client.post(reverse("plans:edit", args=["ae", 1]), {"yaml": text}, follow=True)
    assert "No changes" in response.content.decode()
    assert PlanRevision.objects.count() == 2


def test_new_plan_by_upload(client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    org.login(client, "admin")
    upload = SimpleUploadedFile("plan.yaml", PLAN.encode(), content_type="text/yaml")
    response = client.post(reverse("plans:new"), {"upload": upload, "comment": "from file"})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=["ae", 1])
    assert PlanRevision.objects.get().comment == "from file"


def test_new_plan_errors_inline(client, org):
    org.login(client, "admin")
    response = client.post(reverse("plans:new"), {"yaml": "id: x\nversion: 1\n"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="plan-problems"' in html


def test_diff_between_any_two_revisions(client, view_org):
    admin = view_org.users["admin"]
    services.save_plan(admin, plan_text(("rate: 8", "rate: 11")), "", view_org.plan)
    view_org.login(client, "finance")
    html = client.get(reverse("plans:diff", args=["ae", 1]) + "?from=1&to=3").content.decode()
    assert "rate: 8" in html and "rate: 11" in html and "rate: 9" not in html


def test_archive_toggles(client, view_org):
    view_org.login(client, "admin")
    url = reverse("plans:archive", args=["ae", 1])
    client.post(url, {"archived": "1"})
    view_org.plan.refresh_from_db()
    assert view_org.plan.archived
    client.post(url, {"archived": "0"})
    view_org.plan.refresh_from_db()
    assert not view_org.plan.archived
    assert client.get(url).status_code == 405


def test_assignment_form_refuses_overlap_with_a_clear_error(client, view_org):
    view_org.login(client, "admin")
    form = {
        "rep": view_org.reps["wendy"].pk,
        "plan_id": "ae",
        "valid_from": "2026-03-01",
        "target_incentive": "100",
        "currency": "USD",
        "draw_per_period": "0",
    }
    response = client.post(reverse("plans:assignment_new"), form)
    assert response.status_code == 200
    assert "cannot overlap" in response.content.decode()
    end = reverse("plans:assignment_end", args=[view_org.assignment.pk])
    assert client.post(end, {"valid_to": "2026-03-01"}).status_code == 302
    assert client.post(reverse("plans:assignment_new"), form).status_code == 302
    assert PlanAssignment.objects.count() == 2
    assert AuditEntry.objects.filter(action="ended").count() == 1


def test_assignment_edit_and_filters(client, view_org):
    view_org.login(client, "admin")
    url = reverse("plans:assignment_edit", args=[view_org.assignment.pk])
    form = {
        "rep": view_org.reps["wendy"].pk,
        "plan_id": "ae",
        "valid_from": "2026-01-01",
        "target_incentive": "15000.00",
        "currency": "USD",
        "draw_per_period": "500",
        "draw_recoverable": "on",
    }
    assert client.post(url, form).status_code == 302
    view_org.assignment.refresh_from_db()
    assert view_org.assignment.target_incentive == 15000
    listing = reverse("plans:assignments")
    will = view_org.reps["will"].pk
    assert "<td>Wendy Example</td>" not in client.get(listing, {"rep": will}).content.decode()
    html = client.get(listing, {"plan": "ae", "on": dt.date(2026, 2, 1)}).content.decode()
    assert "<td>Wendy Example</td>" in html
    html = client.get(listing, {"on": dt.date(2025, 2, 1)}).content.decode()
    assert "<td>Wendy Example</td>" not in html


def test_live_search_returns_only_the_results(client, view_org):
    view_org.login(client, "finance")
    headers = {"HX-Request": "true", "HX-Target": "results"}
    for name in ["plans:list", "plans:assignments", "audit:list"]:
        html = client.get(reverse(name), headers=headers).content.decode()
        assert "<html" not in html and "result-count" in html, name
