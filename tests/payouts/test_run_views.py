"""Run pages: every page and action × role, approving through the page, the detail page's
contents, the start form's errors, the expense report."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from attain.payouts import services
from attain.payouts.models import CalcRun, ManualAdjustment

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "admin", "finance", "fiona", "vera", "walt", "wendy"]


@pytest.fixture
def runs(pay_org):
    """February approved (started by admin, approved by finance); March a draft by admin."""
    february = services.start_run(pay_org.users["admin"], "2026-02")
    pay_org.february = services.approve_run(pay_org.users["finance"], february)
    pay_org.march = services.start_run(pay_org.users["admin"], "2026-03")
    return pay_org


def expect(admin, finance, fiona, vera, walt, wendy):
    return dict(zip(ROLES[1:], [admin, finance, fiona, vera, walt, wendy], strict=True))


def _url(name, run=None):
    def build(org):
        return reverse(f"payouts:{name}", args=[getattr(org, run).pk] if run else [])

    return build


ALL_READ = expect(200, 200, 200, 403, 403, 403)
# fmt: off
PAGES = [
    ("list", _url("run_list"), ALL_READ),
    ("new", _url("run_new"), ALL_READ),
    ("detail draft", _url("run_detail", "march"), ALL_READ),
    ("detail approved", _url("run_detail", "february"), ALL_READ),
    ("payroll approved", _url("run_payroll_csv", "february"), ALL_READ),
    ("payroll draft", _url("run_payroll_csv", "march"), expect(409, 409, 409, 403, 403, 403)),
    ("expense", _url("expense"), ALL_READ),
    ("exchange rates", _url("fx_rates"), ALL_READ),
]
POSTS = [
    ("approve draft", _url("run_approve", "march"), expect(403, 302, 302, 403, 403, 403)),
    ("pay approved", _url("run_pay", "february"), expect(403, 302, 302, 403, 403, 403)),
    ("discard draft", _url("run_discard", "march"), expect(302, 302, 302, 403, 403, 403)),
    ("replay", _url("run_replay", "february"), expect(200, 200, 200, 403, 403, 403)),
    ("start", _url("run_new"), expect(302, 302, 302, 403, 403, 403)),
]
# fmt: on


def check(client, org, url, expected, role, method):
    if role != "anonymous":
        org.login(client, role)
    response = client.post(url, {"period": "2026-04"}) if method == "post" else client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next="), role
        return
    assert response.status_code == expected[role], (role, response.content[:300])


def check_every_role(client, org, url, expected, method):
    """Each role in turn on one set of runs (building the runs, two engine calculations, is
    most of the time), each request rolled back so the next role finds the runs as they
    were."""
    for role in ROLES:
        client.logout()
        with transaction.atomic():
            check(client, org, url, expected, role, method)
            transaction.set_rollback(True)


@pytest.mark.parametrize(("page", "url_for", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_permissions(client, runs, page, url_for, expected):
    check_every_role(client, runs, url_for(runs), expected, "get")


@pytest.mark.parametrize(("action", "url_for", "expected"), POSTS, ids=[p[0] for p in POSTS])
def test_action_permissions(client, runs, action, url_for, expected):
    check_every_role(client, runs, url_for(runs), expected, "post")


def test_missing_run_is_404_and_actions_are_post_only(client, runs):
    runs.login(client, "finance")
    assert client.get(reverse("payouts:run_detail", args=[9999])).status_code == 404
    assert client.post(reverse("payouts:run_approve", args=[9999])).status_code == 404
    assert client.get(reverse("payouts:run_approve", args=[runs.march.pk])).status_code == 405


def test_the_starter_cannot_approve_on_the_page(client, pay_org):
    run = services.start_run(pay_org.users["finance"], "2026-02")
    pay_org.login(client, "finance")
    page = client.get(reverse("payouts:run_detail", args=[run.pk]))
    assert page.context["can_approve"] is False
    assert 'data-testid="approve"' not in page.content.decode()
    assert "someone else in finance must approve" in page.content.decode()
    response = client.post(reverse("payouts:run_approve", args=[run.pk]))
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == CalcRun.Status.DRAFT


def test_another_finance_user_approves_then_marks_paid_on_the_page(client, pay_org):
    run = services.start_run(pay_org.users["admin"], "2026-02")
    pay_org.login(client, "admin")
    assert (
        'data-testid="approve"'
        not in client.get(reverse("payouts:run_detail", args=[run.pk])).content.decode()
    )
    client.logout()
    pay_org.login(client, "fiona")
    page = client.get(reverse("payouts:run_detail", args=[run.pk]))
    assert 'data-testid="approve"' in page.content.decode()
    response = client.post(reverse("payouts:run_approve", args=[run.pk]), follow=True)
    assert "approved" in response.content.decode()
    run.refresh_from_db()
    assert run.status == CalcRun.Status.APPROVED and run.approved_by == pay_org.users["fiona"]
    assert response.context["can_pay"] and response.context["can_export"]
    client.post(reverse("payouts:run_pay", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == CalcRun.Status.PAID and run.paid_by == pay_org.users["fiona"]
    # approving again is refused with a message, not an error page
    response = client.post(reverse("payouts:run_approve", args=[run.pk]), follow=True)
    assert "already has an approved run" in response.content.decode()


def test_detail_shows_per_rep_totals_and_fingerprints(client, pay_org):
    ManualAdjustment.objects.create(
        rep=pay_org.reps["eddie"],
        amount=Decimal("-50.00"),
        reason="overpaid",
        created_by=pay_org.users["finance"],
        pay_period="2026-02",
    )
    run = services.start_run(pay_org.users["admin"], "2026-02")
    pay_org.login(client, "finance")
    response = client.get(reverse("payouts:run_detail", args=[run.pk]))
    rows = {r.external_id: r for r in response.context["rows"]}
    assert set(rows) == {"R-WENDY", "R-WILL", "R-EDDIE"}
    assert rows["R-WILL"].net == Decimal("1300.00")
    assert rows["R-EDDIE"].buckets == {
        "commission": Decimal("1300.00"),
        "adjustments": Decimal("-50.00"),
    }
    assert rows["R-EDDIE"].net == Decimal("1250.00")
    [total] = response.context["totals"]
    assert total.net == Decimal("3850.00") == run.total_amount
    html = response.content.decode()
    assert run.inputs_fingerprint in html and run.result_fingerprint in html
    assert reverse("plans:revision", args=["ae-monthly", 1, 1]) in html
    assert "USD 3,850.00" in html


def test_detail_lists_adjustments_with_the_line_they_correct(client, pay_org):
    february = services.approve_run(
        pay_org.users["finance"], services.start_run(pay_org.users["admin"], "2026-02")
    )
    deal = pay_org.deals["will"][0]
    deal.amount = Decimal("14000.00")
    deal.save()
    march = services.start_run(pay_org.users["admin"], "2026-03")
    pay_org.login(client, "finance")
    response = client.get(reverse("payouts:run_detail", args=[march.pk]))
    corrections = list(response.context["corrections"])
    assert [(x.kind, x.amount) for x in corrections] == [
        ("reversal", Decimal("-300.00")),
        ("rebook", Decimal("600.00")),
    ]
    assert all(x.corrects.run_id == february.pk for x in corrections)
    html = response.content.decode()
    assert reverse("payouts:run_detail", args=[february.pk]) in html
    [will] = response.context["rows"]
    assert will.buckets == {"adjustments": Decimal("300.00")}


def test_start_form_reports_errors_inline(client, pay_org):
    pay_org.login(client, "admin")
    response = client.post(reverse("payouts:run_new"), {"period": "2026-13"})
    assert response.status_code == 200
    assert "not a period" in str(response.context["form"].errors["period"])
    response = client.post(reverse("payouts:run_new"), {"period": "2026-02", "as_of": "2026-01-15"})
    assert "before the period" in str(response.context["form"].errors["as_of"])
    services.approve_run(
        pay_org.users["finance"], services.start_run(pay_org.users["admin"], "2026-02")
    )
    response = client.post(reverse("payouts:run_new"), {"period": "2026-02"})
    assert response.status_code == 200
    assert "is closed by run" in response.content.decode()


def test_start_form_runs_chosen_reps(client, pay_org):
    pay_org.login(client, "finance")
    wendy = pay_org.reps["wendy"]
    response = client.post(
        reverse("payouts:run_new"), {"period": "2026-02", "reps": [wendy.pk], "note": "just W"}
    )
    run = CalcRun.objects.get()
    assert response["Location"] == reverse("payouts:run_detail", args=[run.pk])
    assert run.rep_ids == [wendy.pk] and run.note == "just W"
    assert run.total_amount == Decimal("1300.00")
    assert run.started_by == pay_org.users["finance"]


def test_start_form_with_many_reps_takes_them_one_per_line(client, pay_org, monkeypatch):
    from attain.people import forms as people_forms

    monkeypatch.setattr(people_forms, "REP_PICKER_LIMIT", 1)
    pay_org.login(client, "finance")
    page = client.get(reverse("payouts:run_new")).content.decode()
    assert '<textarea name="reps"' in page and "<option" not in page.split('name="reps"')[1][:200]
    response = client.post(
        reverse("payouts:run_new"), {"period": "2026-02", "reps": "Nobody\nR-WENDY"}
    )
    assert "Line 1: No rep you can choose matches “Nobody”" in response.content.decode()
    assert not CalcRun.objects.exists()
    wendy = pay_org.reps["wendy"]
    response = client.post(
        reverse("payouts:run_new"), {"period": "2026-02", "reps": "Wendy Example (R-WENDY)"}
    )
    run = CalcRun.objects.get()
    assert response["Location"] == reverse("payouts:run_detail", args=[run.pk])
    assert run.rep_ids == [wendy.pk] and run.total_amount == Decimal("1300.00")


def test_failed_run_shows_its_error(client, pay_org):
    import datetime as dt

    from attain.plans.models import PlanAssignment

    PlanAssignment.objects.create(
        rep=pay_org.reps["will"], plan_id="no-such-plan", valid_from=dt.date(2026, 1, 1)
    )
    pay_org.login(client, "admin")
    response = client.post(reverse("payouts:run_new"), {"period": "2026-02"}, follow=True)
    run = CalcRun.objects.get()
    assert run.status == CalcRun.Status.FAILED
    assert 'data-testid="run-error"' in response.content.decode()
    assert "no-such-plan" in response.content.decode()


def test_replay_shows_both_fingerprints(client, runs):
    runs.login(client, "admin")
    response = client.post(reverse("payouts:run_replay", args=[runs.february.pk]))
    html = response.content.decode()
    assert "the result matches" in html
    assert html.count(runs.february.result_fingerprint) >= 3


def test_list_filters_and_shows_runs(client, runs):
    runs.login(client, "finance")
    response = client.get(reverse("payouts:run_list"))
    assert [r.pk for r in response.context["page"]] == [runs.march.pk, runs.february.pk]
    assert "USD 3,900.00" in response.content.decode()
    response = client.get(reverse("payouts:run_list"), {"status": "approved"})
    assert [r.pk for r in response.context["page"]] == [runs.february.pk]
    response = client.get(reverse("payouts:run_list"), {"period": "2026-03"})
    assert [r.pk for r in response.context["page"]] == [runs.march.pk]


def test_expense_per_team_region_and_period(client, runs):
    runs.login(client, "finance")
    response = client.get(reverse("payouts:expense"), {"year": "2026"})
    report = response.context["report"]
    assert report.periods == ["2026-02"]  # March is a draft: not an expense yet
    assert [(r.label, r.region, r.total) for r in report.teams] == [
        ("East", "East", Decimal("1300.00")),
        ("West", "West", Decimal("2600.00")),
    ]
    assert [(r.label, r.total) for r in report.regions] == [
        ("East", Decimal("1300.00")),
        ("West", Decimal("2600.00")),
    ]
    assert [r.total for r in report.totals] == [Decimal("3900.00")]
    html = response.content.decode()
    assert "plotly.min.js" in html and 'id="expense-chart-data"' in html


def test_expense_uses_the_team_on_the_period_end(client, pay_org):
    """Wendy moves West → East on 2026-07-01; her July pay counts for East."""
    import datetime as dt

    from attain.sales.models import Deal

    Deal.objects.filter(pk=pay_org.deals["wendy"][0].pk).update(close_date=dt.date(2026, 7, 3))
    run = services.start_run(pay_org.users["admin"], "2026-07")
    services.approve_run(pay_org.users["finance"], run)
    pay_org.login(client, "admin")
    report = client.get(reverse("payouts:expense"), {"year": "2026"}).context["report"]
    # on 2026-07-31 wendy is in East (she was in West until 2026-06-30)
    assert [(r.label, r.region, r.by_period) for r in report.teams] == [
        ("East", "East", {"2026-07": Decimal("1300.00")}),
    ]


def test_expense_empty_state(client, pay_org):
    pay_org.login(client, "finance")
    response = client.get(reverse("payouts:expense"), {"year": "2026"})
    assert response.context["report"].empty
    assert 'data-testid="expense-empty"' in response.content.decode()
