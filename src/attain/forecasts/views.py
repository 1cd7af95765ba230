"""Forecast pages. Everyone signed in has one: a rep sees their own forecast and calls it; a
manager sees the team they lead, rep by rep, and calls for it; admin and finance see the
company and the managers' calls. A rep outside the user's scope answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from attain.forecasts import selectors, services
from attain.forecasts.forms import CallForm
from attain.forecasts.models import ForecastCall
from attain.people import selectors as people
from attain.people.models import Rep, TeamMembership, User
from attain.reports.paging import page_of

TEAM_PAGE = 50
SORTS = {"name": "Name", "risk": "Furthest from quota first"}


def _period(request, day) -> selectors.ForecastPeriod:
    """``?period=`` (a month or a quarter), this quarter by default; a bad label says why."""
    label = request.GET.get("period", "").strip()
    if label:
        try:
            return selectors.forecast_period(label)
        except ValueError as error:
            messages.error(request, f"{error}. Showing this quarter.")
    return selectors.current_period(day)


def _call_form(request, period, day):
    periods = selectors.period_choices(day)
    if request.method == "POST":
        return CallForm(request.POST, periods=periods)
    chosen = period.label if any(p.label == period.label for p in periods) else periods[0].label
    return CallForm(initial={"period": chosen}, periods=periods)


def _submitted(request, form, *, rep: Rep, scope: str) -> bool:
    """Submit a valid posted call; errors land on the form. True once saved."""
    if request.method != "POST" or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        call = services.submit_call(
            by=request.user,
            rep=rep,
            scope=scope,
            period=data["period"],
            commit=data["commit"],
            best_case=data["best_case"],
            note=data["note"],
        )
    except ValidationError as error:
        for name, reasons in error.message_dict.items():
            form.add_error(name if name in form.fields else None, reasons)
        return False
    title = selectors.forecast_period(call.period).title
    messages.success(request, f"Call for {title} saved: commit {call.commit:,.2f}.")
    return True


def _back(request, url: str, period_label: str):
    return redirect(f"{url}?period={period_label}")


@login_required
def home(request):
    day = people.today()
    user = request.user
    period = _period(request, day)
    role = people.role_of(user)
    if role in {User.Role.ADMIN, User.Role.FINANCE}:
        return _company_page(request, period, day)
    rep = people.rep_for_user(user)
    if rep is None:
        return render(request, "forecasts/unlinked.html", {"period": period})
    if role == User.Role.MANAGER and selectors.leads_a_team(rep, day):
        return _team_page(request, rep, period, day)
    return _rep_page(request, rep, period, day)


@login_required
def rep_forecast(request, pk: int):
    day = people.today()
    rep = get_object_or_404(Rep, pk=pk)
    if not selectors.can_view(request.user, rep, day):
        raise Http404("No such rep in your scope.")
    return _rep_page(request, rep, _period(request, day), day)


def _rep_page(request, rep: Rep, period, day):
    may_call = selectors.may_call(request.user, rep, ForecastCall.Scope.OWN, day)
    if request.method == "POST" and not may_call:
        raise PermissionDenied("A rep's call is theirs to make: only they submit it.")
    form = _call_form(request, period, day) if may_call else None
    if form is not None and _submitted(request, form, rep=rep, scope="own"):
        return _back(request, reverse("forecasts:rep", args=[rep.pk]), form.cleaned_data["period"])
    chances = selectors.win_chances([rep.id], day)
    (row,) = selectors.forecast_rows(Rep.objects.filter(pk=rep.pk), period, day, chances)
    deals = selectors.forecast_deals(rep, period, day, chances)
    context = {
        "rep": rep,
        "own": rep.user_id == request.user.id,
        "period": period,
        "periods": selectors.period_choices(day),
        "row": row,
        "deals": page_of(request, deals),
        "deal_count": len(deals),
        "chances": chances.table(rep.id),
        "hygiene": selectors.pipeline_hygiene(rep, period),
        "other_currency": row.unconverted_deals,
        "history": selectors.call_history(rep, period, "own"),
        "accuracy": selectors.accuracy(rep, "own", day),
        "form": form,
        "ended": period.has_ended(day),
        "days_left": period.days_left(day),
        "today": day,
        "history_days": selectors.HISTORY_DAYS,
        "prior_deals": selectors.PRIOR_DEALS,
    }
    return render(request, "forecasts/rep.html", context)


def _sorted(rows, sort: str):
    if sort == "risk":
        return sorted(
            rows,
            key=lambda r: (r.projected_attainment is None, r.projected_attainment or 0, r.rep.name),
        )
    return rows


def _table_context(request, forecast, day) -> dict:
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    return {
        "forecast": forecast,
        "period": forecast.period,
        "periods": selectors.period_choices(day),
        "page": page_of(request, _sorted(forecast.rows, sort), TEAM_PAGE),
        "sort": sort,
        "sorts": SORTS,
        "ended": forecast.period.has_ended(day),
        "days_left": forecast.period.days_left(day),
        "today": day,
    }


def _team_page(request, manager: Rep, period, day):
    form = _call_form(request, period, day)
    if _submitted(request, form, rep=manager, scope="team"):
        return _back(request, reverse("forecasts:home"), form.cleaned_data["period"])
    forecast = selectors.team_forecast(selectors.reps_in_scope(request.user, day), period, day)
    team_call = selectors.latest_calls([manager.id], period, "team").get(manager.id)
    context = _table_context(request, forecast, day)
    context.update(
        {
            "manager": manager,
            "team_call": team_call,
            "form": form,
            "history": selectors.call_history(manager, period, "team"),
            "accuracy": selectors.accuracy(manager, "team", day),
        }
    )
    return render(request, "forecasts/team.html", context)


def _company_page(request, period, day):
    if request.method == "POST":
        raise PermissionDenied("Calls are made by reps and by the managers of teams.")
    forecast = selectors.team_forecast(Rep.objects.all(), period, day)
    managers = TeamMembership.objects.filter(role=TeamMembership.Role.MANAGER).values("rep_id")
    forecast.calls = selectors.team_calls(period, managers.values_list("rep_id", flat=True))
    context = _table_context(request, forecast, day)
    context["company"] = True
    return render(request, "forecasts/team.html", context)
