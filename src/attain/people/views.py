from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from attain.people import selectors
from attain.people.forms import RepFilterForm
from attain.reports.paging import page_of, render_list
from attain.reports.selectors import periods_for, won_in_quarter_by_rep
from attain.sales.selectors import activities_visible_to, deals_of_rep

RECENT_ACTIVITIES = 20


@login_required
def rep_list(request):
    day = selectors.today()
    reps = selectors.reps_visible_to(request.user, day)
    form = RepFilterForm(request.GET or None, teams=selectors.teams_of_reps(reps, day))
    filters = form.cleaned_data if form.is_valid() else {}
    team = filters.get("team")
    found = selectors.search_reps(
        reps, as_of=day, q=filters.get("q", ""), team_id=team.id if team else None
    )
    page = page_of(request, found)
    won = won_in_quarter_by_rep([rep.id for rep in page], day)
    rows = [{"rep": rep, "won_quarter": won[rep.id]} for rep in page]
    periods = periods_for(day)
    context = {"form": form, "page": page, "rows": rows, "periods": periods, "any": reps.exists()}
    return render_list(request, "people/rep_list.html", "people/_rep_results.html", context)


@login_required
def rep_detail(request, pk: int):
    day = selectors.today()
    rep = get_object_or_404(selectors.reps_visible_to(request.user, day), pk=pk)
    deals = deals_of_rep(rep)  # the rep is visible, and so are their deals
    context = {
        "rep": rep,
        "team": selectors.team_of(rep, day),
        "history": selectors.team_history(rep),
        "deals": page_of(request, deals),
        "activities": activities_visible_to(request.user, day).filter(rep=rep)[:RECENT_ACTIVITIES],
        "today": day,
    }
    return render(request, "people/rep_detail.html", context)


@login_required
@require_GET
def rep_suggest(request):
    """``?q=<text>`` → the reps the user may see that match it, for a rep search box
    (``people.forms.RepSearchInput``): ``{"results": [{"id", "name", "external_id",
    "label"}]}``, at most ``selectors.SUGGESTIONS``, names starting with the text first."""
    reps = selectors.reps_visible_to(request.user, selectors.today())
    found = selectors.suggest_reps(reps, request.GET.get("q", "")[:200])
    results = [
        {"id": r.id, "name": r.name, "external_id": r.external_id, "label": selectors.rep_label(r)}
        for r in found
    ]
    return JsonResponse({"results": results})
