"""The estimator: the real engine with and without one open deal closing in a period.

Hand check: wendy has $12,000 won in 2026-02 (pays 1,000 + 300 = 1,300). Her open $30,000
deal closing in February too makes 42,000: 10% of 10,000 + 15% of 32,000 = 1,000 + 4,800 =
5,800, so the deal adds 4,500 (all of it at 15%, since her first deal filled tier 1).
In March (nothing else won) it would pay 10% × 10,000 + 15% × 20,000 = 4,000.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from attain.payouts import estimator
from attain.payouts.models import CalcRun, LedgerLine
from attain.sales.models import Credit
from tests.web.conftest import TODAY, set_today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    set_today(monkeypatch, TODAY)


def _credit(org, rep="wendy"):
    return Credit.objects.get(deal=org.deals[rep][1], rep=org.reps[rep])


def test_open_deal_in_february_pays_4500_more(pay_org):
    result = estimator.estimate(_credit(pay_org), "2026-02")
    assert result.before == Decimal("1300.00")
    assert result.after == Decimal("5800.00")
    assert result.difference == Decimal("4500.00")
    [component] = result.components
    assert (component.component_id, component.difference) == ("commission", Decimal("4500.00"))
    assert [(x["tier"], x["amount"]) for x in result.deal_lines] == [(2, Decimal("4500.00"))]
    assert "15%" in result.deal_lines[0]["explanation"]
    assert result.close_date == TODAY
    assert result.changed_lines == []
    # Nothing is written.
    assert not CalcRun.objects.exists() and not LedgerLine.objects.exists()


def test_open_deal_in_march_pays_4000(pay_org):
    result = estimator.estimate(_credit(pay_org), "2026-03")
    assert result.before == Decimal("0")
    assert result.difference == Decimal("4000.00")
    assert [(x["tier"], x["amount"]) for x in result.deal_lines] == [
        (1, Decimal("1000.00")),
        (2, Decimal("3000.00")),
    ]
    assert str(result.close_date) == "2026-03-31"


def test_share_is_applied(pay_org):
    credit = _credit(pay_org)
    credit.share = Decimal("0.5")
    credit.save()
    # 15,000 on top of 12,000 in February: all at 15%.
    assert estimator.estimate(credit, "2026-02").difference == Decimal("2250.00")


def test_page_for_the_rep(client, pay_org):
    pay_org.login(client, "wendy")
    deal = pay_org.deals["wendy"][1]
    response = client.get(reverse("payouts:estimator"), {"deal": deal.pk, "period": "2026-02"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "USD 4,500.00" in html
    assert "would pay" in html
    # Another rep's deal is not among her choices.
    other = pay_org.deals["will"][1]
    response = client.get(reverse("payouts:estimator"), {"deal": other.pk, "period": "2026-02"})
    assert response.context["result"] is None
    # Nor may she pick another rep.
    response = client.get(reverse("payouts:estimator"), {"rep": pay_org.reps["will"].pk})
    assert response.status_code == 404


def test_manager_estimates_for_a_team_rep(client, pay_org):
    pay_org.login(client, "walt")
    will = pay_org.reps["will"]
    deal = pay_org.deals["will"][1]
    params = {"rep": will.pk, "deal": deal.pk, "period": "2026-02"}
    response = client.get(reverse("payouts:estimator"), params)
    assert response.context["result"].difference == Decimal("4500.00")
    params["rep"] = pay_org.reps["eddie"].pk
    assert client.get(reverse("payouts:estimator"), params).status_code == 404


def test_bad_period_is_a_form_error(client, pay_org):
    pay_org.login(client, "wendy")
    deal = pay_org.deals["wendy"][1]
    response = client.get(reverse("payouts:estimator"), {"deal": deal.pk, "period": "Feb"})
    assert response.status_code == 200
    assert response.context["result"] is None
    assert "2026-03" in response.content.decode()


def test_api_estimate(client, pay_org):
    pay_org.login(client, "wendy")
    deal = pay_org.deals["wendy"][1]
    data = client.get("/api/estimate", {"deal_id": deal.pk, "period": "2026-02"}).json()
    assert (data["before"], data["after"], data["difference"]) == ("1300.00", "5800.00", "4500.00")
    assert data["deal_lines"][0]["amount"] == "4500.00"
    other = pay_org.deals["will"][1]
    response = client.get("/api/estimate", {"deal_id": other.pk, "period": "2026-02"})
    assert response.status_code == 404
    won = pay_org.deals["wendy"][0]
    assert client.get("/api/estimate", {"deal_id": won.pk}).status_code == 404
    bad = client.get("/api/estimate", {"deal_id": deal.pk, "period": "soon"})
    assert bad.status_code == 422


def test_a_plan_paying_on_collection_says_what_the_deal_earns_and_holds(client, pay_org):
    """The deal adds 4,500 of earnings, all held until collected: nothing more is paid in
    February, and the page and the API say so rather than showing a bare zero."""
    from tests.payouts.conftest import MONTHLY_PLAN, add_plan

    add_plan(MONTHLY_PLAN.replace("period: month\n", "period: month\npay_on: collection\n"))
    result = estimator.estimate(_credit(pay_org), "2026-02")
    assert result.difference == Decimal("0.00")
    assert result.held_on_cash == Decimal("4500.00")
    assert [x["line_kind"] for x in result.deal_lines] == ["earning", "hold"]
    pay_org.login(client, "wendy")
    deal = pay_org.deals["wendy"][1]
    response = client.get(reverse("payouts:estimator"), {"deal": deal.pk, "period": "2026-02"})
    assert "It also earns USD 4,500.00 that the plan pays on cash" in response.content.decode()
    data = client.get("/api/estimate", {"deal_id": deal.pk, "period": "2026-02"}).json()
    assert (data["difference"], data["held_on_cash"]) == ("0.00", "4500.00")


def test_a_plan_paying_at_booking_holds_nothing(pay_org):
    assert estimator.estimate(_credit(pay_org), "2026-02").held_on_cash == Decimal("0.00")
