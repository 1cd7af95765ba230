from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from attain.people import selectors as people
from attain.reports.paging import page_of, render_list
from attain.sales.selectors import accounts_visible_to
from attain.territories import selectors
from attain.territories.forms import TerritoryFilterForm


def _require_territory_role(user) -> None:
    # Reps have no territory pages at all (a role rule, so 403 rather than 404).
    if not selectors.may_view_territories(user):
        raise PermissionDenied("Territory pages are for managers, finance and admins.")


@login_required
def territory_list(request):
    _require_territory_role(request.user)
    day = people.today()
    territories = selectors.territories_visible_to(request.user, day)
    form = TerritoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.search_territories(
        territories, q=filters.get("q", ""), kind=filters.get("kind", "")
    )
    context = {
        "form": form,
        "page": page_of(request, selectors.with_current_owners(found, day)),
        "any": territories.exists(),
        "today": day,
        "role": people.role_of(request.user),
    }
    return render_list(
        request, "territories/territory_list.html", "territories/_territory_results.html", context
    )


@login_required
def territory_detail(request, pk: int):
    _require_territory_role(request.user)
    day = people.today()
    territory = get_object_or_404(selectors.territories_visible_to(request.user, day), pk=pk)
    accounts = selectors.accounts_in(territory, accounts_visible_to(request.user, day))
    context = {
        "territory": territory,
        "owners": selectors.owner_history(territory, day),
        "accounts": page_of(request, accounts),
        "today": day,
    }
    return render(request, "territories/territory_detail.html", context)
