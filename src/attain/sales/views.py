from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from attain.people import selectors as people
from attain.reports.paging import page_of, render_list
from attain.sales import selectors
from attain.sales.forms import AccountFilterForm, DealFilterForm
from attain.sales.models import Account
from attain.territories.selectors import territory_for_account


@login_required
def account_list(request):
    day = people.today()
    accounts = selectors.accounts_visible_to(request.user, day)
    # The filters offer every region, industry and state on record (a short list each,
    # and no one's data): drawn from the visible accounts, each list cost a manager of
    # thousands of reps as much as the page itself.
    every_account = Account.objects.all()
    form = AccountFilterForm(
        request.GET or None,
        regions=selectors.distinct_values(every_account, "region"),
        industries=selectors.distinct_values(every_account, "industry"),
        states=selectors.distinct_values(every_account, "state"),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.search_accounts(
        accounts,
        q=filters.get("q", ""),
        region=filters.get("region", ""),
        industry=filters.get("industry", ""),
        state=filters.get("state", ""),
    )
    context = {
        "form": form,
        "page": page_of(request, found),
        "any": accounts.exists(),
        "role": people.role_of(request.user),
    }
    return render_list(request, "sales/account_list.html", "sales/_account_results.html", context)


@login_required
def account_detail(request, pk: int):
    day = people.today()
    account = get_object_or_404(selectors.accounts_visible_to(request.user, day), pk=pk)
    deals = selectors.account_deals_visible_to(request.user, account, day)
    context = {
        "account": account,
        "territory": territory_for_account(account, day),
        "deals": page_of(request, deals),
        "today": day,
    }
    return render(request, "sales/account_detail.html", context)


@login_required
def deal_list(request):
    day = people.today()
    deals = selectors.deals_visible_to(request.user, day)
    form = DealFilterForm(request.GET or None, owners=people.reps_visible_to(request.user, day))
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.search_deals(
        deals,
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        deal_type=filters.get("type", ""),
        owner=filters.get("owner"),
        closed_from=filters.get("closed_from"),
        closed_to=filters.get("closed_to"),
    )
    context = {
        "form": form,
        "page": page_of(request, found),
        "any": deals.exists(),
        "role": people.role_of(request.user),
    }
    return render_list(request, "sales/deal_list.html", "sales/_deal_results.html", context)


@login_required
def deal_detail(request, pk: int):
    day = people.today()
    deal = get_object_or_404(selectors.deals_visible_to(request.user, day), pk=pk)
    context = {
        "deal": deal,
        "lines": deal.lines.select_related("product"),
        "payments": deal.payments.all(),
        "credits": selectors.credits_with_amounts(deal),
        "activities": selectors.activities_visible_to(request.user, day).filter(deal=deal),
    }
    return render(request, "sales/deal_detail.html", context)
