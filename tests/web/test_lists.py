"""Search, filters and pagination on the list pages, and the detail pages' contents."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from attain.sales.models import Account, Deal

pytestmark = pytest.mark.django_db


def rows(response) -> int:
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return body.count("<tr>")


@pytest.fixture
def many_deals(web_org):
    """30 extra deals for Will: 20 won closing 2026-01-01..20, 10 lost closing in March."""
    will = web_org.reps["will"]
    account = web_org.accounts["will"]
    for i in range(30):
        won = i < 20
        Deal.objects.create(
            external_id=f"BULK-{i:02d}",
            name=f"Bulk deal {i:02d}",
            account=account,
            owner=will,
            status="won" if won else "lost",
            deal_type="renewal" if i % 2 else "new",
            amount=Decimal(1000 + i),
            created_date=dt.date(2025, 12, 1),
            close_date=dt.date(2026, 1, 1 + i) if won else dt.date(2026, 3, i - 19),
        )
    return web_org


def test_deal_list_paginates_25_and_keeps_filters(client, many_deals):
    many_deals.login(client, "will")
    url = reverse("sales:deal_list")
    first = client.get(url, {"status": "won"})
    assert first.context["page"].paginator.count == 21  # 20 bulk + factory won deal
    assert rows(first) == 21
    everything = client.get(url)
    assert everything.context["page"].paginator.count == 32
    assert rows(everything) == 25
    lost_new = client.get(url, {"status": "lost", "type": "new"}).context["page"]
    assert {d.external_id for d in lost_new} == {f"BULK-{i}" for i in (20, 22, 24, 26, 28)}
    page_two = client.get(url, {"q": "bulk"})
    assert page_two.context["page"].paginator.num_pages == 2
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', page_two.content.decode()).group(1)
    assert "q=bulk" in link
    second = client.get(url + link.replace("&amp;", "&"))
    assert second.context["page"].number == 2
    assert rows(second) == 5


def test_deal_list_date_range_and_owner_filter(client, many_deals):
    many_deals.login(client, "walt")
    url = reverse("sales:deal_list")
    jan = client.get(url, {"closed_from": "2026-01-05", "closed_to": "2026-01-09"})
    assert {d.external_id for d in jan.context["page"]} == {f"BULK-{i:02d}" for i in range(4, 9)}
    wendy = many_deals.reps["wendy"].pk
    mine = client.get(url, {"owner": wendy})
    assert {d.external_id for d in mine.context["page"]} == {"D-WENDY-1", "D-WENDY-2"}
    # An owner outside Walt's subtree is not a valid choice: the filter is ignored, and
    # the list still shows only his subtree's deals.
    eddie = many_deals.reps["eddie"].pk
    response = client.get(url, {"owner": eddie})
    assert response.context["form"].errors
    assert all(d.owner_id != eddie for d in response.context["page"].object_list)
    bad_date = client.get(url, {"closed_from": "not-a-date"})
    assert bad_date.status_code == 200
    assert "Enter a valid date" in bad_date.content.decode()


def test_a_manager_of_many_searches_owners_by_name_or_rep_id(client, many_deals, monkeypatch):
    """Above REP_PICKER_LIMIT visible owners the owner filter is a search box: part of
    a name, or a whole rep id; it narrows the visible deals only."""
    from attain.people import forms

    monkeypatch.setattr(forms, "REP_PICKER_LIMIT", 1)
    many_deals.login(client, "walt")
    url = reverse("sales:deal_list")
    page = client.get(url).content.decode()
    assert 'placeholder="Name or rep id"' in page and "Any owner" not in page
    by_name = client.get(url, {"owner": "wendy ex"})
    assert {d.external_id for d in by_name.context["page"]} == {"D-WENDY-1", "D-WENDY-2"}
    by_id = client.get(url, {"owner": "r-wendy"})
    assert {d.external_id for d in by_id.context["page"]} == {"D-WENDY-1", "D-WENDY-2"}
    assert not client.get(url, {"owner": "eddie"}).context["page"].object_list  # not his
    assert not client.get(url, {"owner": "R-WEN"}).context["page"].object_list  # ids whole


def test_deal_list_search_is_scoped(client, many_deals):
    many_deals.login(client, "will")
    response = client.get(reverse("sales:deal_list"), {"q": "eddie"})
    assert response.context["page"].paginator.count == 0
    assert "No deals match these filters." in response.content.decode()


def test_htmx_live_search_returns_only_the_results(client, many_deals):
    many_deals.login(client, "will")
    url = reverse("sales:deal_list")
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
    response = client.get(url, {"q": "BULK-07"}, **htmx)
    html = response.content.decode()
    assert "<html" not in html and "Bulk deal 07" in html
    assert "HX-Request" in response["Vary"]
    restore = client.get(url, {"q": "BULK-07"}, **htmx, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()
    full = client.get(url, {"q": "BULK-07"}).content.decode()
    assert "<html" in full and 'hx-get="/sales/deals/"' in full and 'hx-push-url="true"' in full


def test_account_list_filters(client, web_org):
    Account.objects.create(
        external_id="A-NY", name="New York Bank", industry="Finance", region="East", state="NY"
    )
    web_org.login(client, "admin")
    url = reverse("sales:account_list")
    assert client.get(url).context["page"].paginator.count == 7
    east = client.get(url, {"region": "East"})
    assert {a.external_id for a in east.context["page"]} == {"A-002", "A-005", "A-NY"}
    assert {a.external_id for a in client.get(url, {"state": "NY"}).context["page"]} == {"A-NY"}
    finance = client.get(url, {"industry": "Finance", "q": "york"}).context["page"]
    assert [a.name for a in finance] == ["New York Bank"]
    assert client.get(url, {"region": "Mars"}).context["form"].errors


def test_account_list_for_rep_only_shows_own_accounts(client, web_org):
    web_org.login(client, "will")
    page = client.get(reverse("sales:account_list")).context["page"]
    assert [a.name for a in page] == ["Will Customer Inc"]


def test_rep_list_team_today_and_filter(client, web_org):
    web_org.login(client, "admin")
    url = reverse("people:rep_list")
    response = client.get(url)
    teams = {row["rep"].name: row["rep"].team_name for row in response.context["rows"]}
    assert teams["Wendy Example"] == "West"
    assert teams["Vera Example"] == "Sales"
    assert all(str(row["won_quarter"]) == "USD 12,000.00" for row in response.context["rows"])
    east = client.get(url, {"team": web_org.teams["east"].pk}).context["page"]
    assert {r.name for r in east} == {"Erin Example", "Eddie Example"}
    assert [r.name for r in client.get(url, {"q": "wend"}).context["page"]] == ["Wendy Example"]


def test_rep_list_after_move(client, web_org, monkeypatch):
    from tests.web.conftest import AFTER_MOVE, set_today

    set_today(monkeypatch, AFTER_MOVE)
    web_org.login(client, "admin")
    east = client.get(reverse("people:rep_list"), {"team": web_org.teams["east"].pk})
    assert {r.name for r in east.context["page"]} == {
        "Erin Example",
        "Eddie Example",
        "Wendy Example",
    }


def test_rep_detail_shows_team_history_deals_and_activities(client, web_org):
    web_org.login(client, "walt")
    response = client.get(reverse("people:rep_detail", args=[web_org.reps["wendy"].pk]))
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "<td>West</td><td>Member</td><td>2025-01-01</td><td>2026-07-01</td>" in html
    assert "<td>East</td><td>Member</td><td>2026-07-01</td>" in html
    assert "Wendy won deal" in html and "wendy discovery call" in html


def test_deal_detail_lines_credits_activities(client, web_org):
    from attain.sales.models import Credit, DealLine, Product

    deal = web_org.deals["will"][0]
    product = Product.objects.create(external_id="SKU-1", name="Widget", list_price=Decimal("100"))
    DealLine.objects.create(
        external_id="L-1", deal=deal, product=product, quantity=Decimal("3"),
        unit_price=Decimal("1000.50"), unit_cost=Decimal("400"),
    )  # fmt: skip
    Credit.objects.create(
        deal=deal, rep=web_org.reps["walt"], role="overlay", share=Decimal("0.3333")
    )
    web_org.login(client, "will")
    html = re.sub(
        r"\s+", " ", client.get(reverse("sales:deal_detail", args=[deal.pk])).content.decode()
    )
    assert "USD 12,000.00" in html and "USD 4,800.00" in html
    assert "Widget" in html and "USD 3,001.50" in html and "USD 1,801.50" in html
    assert "33.33%" in html and "USD 3,999.60" in html  # 12,000 × 0.3333
    assert "100%" in html
    assert "Will Example" in html


def test_deal_detail_lists_invoices_and_payments(client, web_org):
    from attain.sales.models import Payment

    deal = web_org.deals["will"][0]
    web_org.login(client, "will")
    url = reverse("sales:deal_detail", args=[deal.pk])
    assert "No invoices or payments imported for this deal" in client.get(url).content.decode()
    for ref, kind, day, amount in [
        ("PAY-9", "payment", dt.date(2026, 3, 1), "4000.00"),
        ("INV-9", "invoice", dt.date(2026, 2, 10), "12000.00"),
    ]:
        Payment.objects.create(
            external_id=ref, deal=deal, kind=kind, date=day, amount=Decimal(amount)
        )
    html = re.sub(r"\s+", " ", client.get(url).content.decode())
    assert (
        '<tr><td>2026-02-10</td><td>Invoice</td><td>INV-9</td><td class="num">USD 12,000.00' in html
    )
    assert html.index("INV-9") < html.index("PAY-9")  # by date
    assert "<td>Payment</td><td>PAY-9</td>" in html


def test_account_detail_shows_territory(client, web_org):
    web_org.login(client, "finance")
    will = client.get(reverse("sales:account_detail", args=[web_org.accounts["will"].pk]))
    assert will.context["territory"] == web_org.territories["west"]
    eddie = client.get(reverse("sales:account_detail", args=[web_org.accounts["eddie"].pk]))
    assert eddie.context["territory"] == web_org.territories["east"]  # listed, priority 5


def test_territory_pages(client, web_org):
    web_org.login(client, "walt")
    listing = client.get(reverse("territories:territory_list")).context["page"]
    assert [t.name for t in listing] == ["West California"]  # owned by will, walt's rep
    detail = client.get(
        reverse("territories:territory_detail", args=[web_org.territories["west"].pk])
    )
    names = {a.name for a in detail.context["accounts"]}
    # Rule region=West, state=CA; walt sees only accounts of his subtree.
    assert names == {"Walt Customer Inc", "Wendy Customer Inc", "Will Customer Inc"}
    client.logout()
    web_org.login(client, "admin")
    detail = client.get(
        reverse("territories:territory_detail", args=[web_org.territories["west"].pk])
    )
    assert {a.name for a in detail.context["accounts"]} == {
        "Vera Customer Inc", "Walt Customer Inc", "Wendy Customer Inc", "Will Customer Inc"
    }  # fmt: skip
    assert [o.current for o in detail.context["owners"]] == [True]
    assert (
        client.get(reverse("territories:territory_list"), {"kind": "list"})
        .context["page"]
        .paginator.count
        == 1
    )


def test_empty_states(client, db):
    from attain.people.models import User
    from tests.factories import PASSWORD

    User.objects.create_user(username="root", password=PASSWORD, role="admin", is_staff=True)
    client.login(username="root", password=PASSWORD)
    html = client.get(reverse("sales:deal_list")).content.decode()
    assert "No deals yet — import them on the Imports page." in html
