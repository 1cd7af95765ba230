"""Statements: which run they show, hand-checked numbers, PDF-free content, CSV, API.

pay_org's plan pays each rep 10% of the first $10,000 of monthly revenue and 15% above;
each rep's $12,000 deal closed on 2026-02-10, so every February statement is
$1,000.00 (tier 1) + $300.00 (tier 2) = $1,300.00 against a $10,000 quota (120%).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from attain.payouts import services
from attain.payouts.models import CalcRun, ManualAdjustment
from attain.payouts.statements import build_statement
from tests.web.conftest import TODAY, set_today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    set_today(monkeypatch, TODAY)


def approved(org, period="2026-02") -> CalcRun:
    run = services.start_run(org.users["admin"], period)
    return services.approve_run(org.users["finance"], run)


def statement_url(org, rep="wendy", period="2026-02", name="statement"):
    return reverse(f"payouts:{name}", args=[org.reps[rep].pk, period])


def test_statement_numbers_are_hand_checked(pay_org):
    run = approved(pay_org)
    s = build_statement(pay_org.reps["wendy"], "2026-02", run)
    assert [(x.tier, x.amount) for x in s.earning_lines] == [
        (1, Decimal("1000.00")),
        (2, Decimal("300.00")),
    ]
    assert s.net_pay == Decimal("1300.00")
    assert s.earnings == Decimal("1300.00")
    assert s.clawbacks == s.draws == s.adjustments == s.cap_reductions == Decimal("0")
    [component] = s.components
    assert (component.plan_id, component.component_id) == ("ae-monthly", "commission")
    assert component.measure == Decimal("12000")
    assert component.quota == Decimal("10000.00")
    assert component.attainment == Decimal("120.0")
    assert s.plans == ["ae-monthly v1"]


def test_statement_page_shows_lines_summary_and_explanations(client, pay_org):
    run = approved(pay_org)
    pay_org.login(client, "wendy")
    response = client.get(statement_url(pay_org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "USD 1,300.00" in html
    assert "120.0%" in html
    assert "Draft" not in html
    for line in run.lines.filter(rep=pay_org.reps["wendy"]):
        assert reverse("payouts:line_detail", args=[line.pk]) in html
        assert line.explanation.split(":")[0] in html
        assert reverse("payouts:inquiry_new", args=[line.pk]) in html


def test_reps_and_managers_never_see_drafts(client, pay_org):
    services.start_run(pay_org.users["admin"], "2026-02")
    for who in ("wendy", "walt", "vera"):
        client.logout()
        pay_org.login(client, who)
        assert client.get(statement_url(pay_org)).status_code == 404
        assert client.get(statement_url(pay_org, name="statement_pdf")).status_code == 404
    for who in ("admin", "finance"):
        client.logout()
        pay_org.login(client, who)
        response = client.get(statement_url(pay_org))
        assert response.status_code == 200
        assert "Draft — not approved" in response.content.decode()


def test_approved_run_wins_over_a_later_draft_for_admin(client, pay_org):
    run = approved(pay_org)
    pay_org.login(client, "admin")
    response = client.get(statement_url(pay_org))
    assert response.context["s"].run == run
    assert "Draft — not approved" not in response.content.decode()


def test_adjustment_lines_name_what_they_correct(client, pay_org):
    first = approved(pay_org)
    deal = pay_org.deals["wendy"][0]
    deal.amount = Decimal("14000.00")
    deal.save()
    ManualAdjustment.objects.create(
        rep=pay_org.reps["wendy"],
        amount=Decimal("50.00"),
        reason="Spiff for the webinar",
        created_by=pay_org.users["finance"],
    )
    approved(pay_org, "2026-03")
    pay_org.login(client, "wendy")
    response = client.get(statement_url(pay_org, period="2026-03"))
    s = response.context["s"]
    kinds = sorted(line.kind for line in s.lines)
    assert kinds == ["manual", "rebook", "reversal"]
    # 14,000: tier 1 stays 1,000; tier 2's 300 is reversed and 600 rebooked; plus 50 manual.
    assert s.adjustments == Decimal("350.00")
    assert s.net_pay == Decimal("350.00")
    html = response.content.decode()
    tier2 = first.lines.get(rep=pay_org.reps["wendy"], tier=2)
    assert f"Corrects line #{tier2.pk}" in html
    assert "Spiff for the webinar" in html


def test_csv_has_every_line_with_exact_decimals(client, pay_org):
    approved(pay_org)
    pay_org.login(client, "wendy")
    response = client.get(statement_url(pay_org, name="statement_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["kind"], r["tier"], r["base"], r["rate"], r["amount"]) for r in rows] == [
        ("earning", "1", "10000.00000000", "10.000000", "1000.00"),
        ("earning", "2", "2000.00000000", "15.000000", "300.00"),
        ("net_pay", "", "", "", "1300.00"),
    ]
    assert rows[0]["deal"] == "D-WENDY-1"
    assert "10%" in rows[0]["explanation"]


def test_line_detail_links_the_deal_and_shows_tier_rate_base(client, pay_org):
    run = approved(pay_org)
    line = run.lines.get(rep=pay_org.reps["wendy"], tier=2)
    pay_org.login(client, "wendy")
    response = client.get(reverse("payouts:line_detail", args=[line.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("sales:deal_detail", args=[pay_org.deals["wendy"][0].pk]) in html
    assert line.explanation in html
    assert "15" in html and "2000" in html


def test_home_lists_own_team_and_picker(client, pay_org):
    approved(pay_org)
    pay_org.login(client, "wendy")
    html = client.get(reverse("payouts:home")).content.decode()
    assert statement_url(pay_org) in html
    assert statement_url(pay_org, rep="will") not in html
    client.logout()
    pay_org.login(client, "walt")
    html = client.get(reverse("payouts:home")).content.decode()
    assert statement_url(pay_org) in html and statement_url(pay_org, rep="will") in html
    assert statement_url(pay_org, rep="eddie") not in html
    client.logout()
    pay_org.login(client, "finance")
    response = client.get(reverse("payouts:home"), {"rep": pay_org.reps["eddie"].pk})
    html = response.content.decode()
    assert statement_url(pay_org, rep="eddie") in html


def test_finance_picks_a_rep_by_search_among_many(client, pay_org, monkeypatch):
    from attain.people import forms as people_forms

    monkeypatch.setattr(people_forms, "REP_PICKER_LIMIT", 1)
    approved(pay_org)
    pay_org.login(client, "finance")
    page = client.get(reverse("payouts:home")).content.decode()
    assert (
        'type="search" name="rep"' in page and "<select" not in page.split('name="rep"')[0][-300:]
    )
    html = client.get(reverse("payouts:home"), {"rep": "Eddie Example (R-EDDIE)"}).content.decode()
    assert statement_url(pay_org, rep="eddie") in html
    html = client.get(reverse("payouts:home"), {"rep": "Nobody"}).content.decode()
    assert "No rep you can choose matches “Nobody”" in html


def test_api_statement_lines_and_totals(client, pay_org):
    approved(pay_org)
    pay_org.login(client, "wendy")
    data = client.get(f"/api/statements/{pay_org.reps['wendy'].pk}/2026-02").json()
    assert data["totals"]["net_pay"] == "1300.00"
    assert data["draft"] is False
    assert [line["amount"] for line in data["lines"]] == ["1000.00", "300.00"]
    assert data["components"][0]["attainment_percent"] == "120.0"
    assert client.get(f"/api/statements/{pay_org.reps['will'].pk}/2026-02").status_code == 404


def test_team_home_does_not_query_per_rep_and_period(
    client, pay_org, django_assert_max_num_queries
):
    approved(pay_org)
    approved(pay_org, "2026-03")
    pay_org.login(client, "vera")
    with django_assert_max_num_queries(25):
        response = client.get(reverse("payouts:home"))
    team = dict(response.context["team"])
    rows = team[pay_org.reps["eddie"]]
    assert [(r["period"], r["net"], r["lines"]) for r in rows] == [
        ("2026-03", Decimal("0"), 0),
        ("2026-02", Decimal("1300.00"), 2),
    ]


def test_team_statements_come_a_page_at_a_time(client, pay_org, monkeypatch):
    from attain.payouts import views_statements

    approved(pay_org)
    monkeypatch.setattr(views_statements, "TEAM_STATEMENT_ROWS", 2)
    pay_org.login(client, "vera")
    first = client.get(reverse("payouts:home"))
    reps = first.context["team_page"].paginator.count
    assert reps > 2 and len(first.context["team"]) == 2
    html = first.content.decode()
    assert f"1–2 of {reps} reps" in html and 'aria-label="Pages of team statements"' in html
    seen = {rep for rep, _ in first.context["team"]}
    second = client.get(reverse("payouts:home") + "?page=2")
    assert not seen & {rep for rep, _ in second.context["team"]}
