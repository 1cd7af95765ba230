"""Quota pages. Everyone signed in sees the quotas in their scope (reps their own, managers
their subtree, admin and finance all); only admins enter, change, delete and distribute.
A quota outside the user's scope answers 404; a visible one they may not change, 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from attain.people import selectors as people
from attain.quotas import selectors, services
from attain.quotas.forms import DistributeForm, QuotaFilterForm, QuotaForm
from attain.quotas.models import Quota
from attain.reports.paging import page_of, render_list


def _require_admin(user) -> None:
    if not selectors.may_change_quotas(user):
        raise PermissionDenied("Only an admin changes quotas.")


@login_required
def quota_list(request):
    day = people.today()
    user = request.user
    quotas = selectors.quotas_visible_to(user, day)
    reps = people.reps_visible_to(user, day).filter(id__in=quotas.values("rep_id"))
    form = QuotaFilterForm(
        request.GET or None,
        names=selectors.quota_names(quotas),
        teams=people.teams_of_reps(reps, day),
        reps=reps.order_by("name"),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    team = filters.get("team")
    found = selectors.search_quotas(
        quotas,
        period=filters.get("period", ""),
        quota=filters.get("quota", ""),
        team_id=team.pk if team else None,
        rep=filters.get("rep"),
        as_of=day,
    )
    context = {
        "form": form,
        "page": page_of(request, found),
        "any": quotas.exists(),
        "can_change": selectors.may_change_quotas(user),
        "role": people.role_of(user),
    }
    return render_list(request, "quotas/list.html", "quotas/_results.html", context)


def _form_page(request, quota: Quota | None):
    initial = QuotaForm.initial_for(quota) if quota else {}
    form = QuotaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if quota is None:
                quota = services.create_quota(by=request.user, data=form.to_data())
                messages.success(request, f"Quota saved: {quota}.")
            else:
                services.update_quota(quota, by=request.user, data=form.to_data())
                messages.success(request, "Quota updated.")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("quotas:list")
    return render(request, "quotas/form.html", {"form": form, "quota": quota})


@login_required
def quota_new(request):
    _require_admin(request.user)
    return _form_page(request, None)


@login_required
def quota_edit(request, pk: int):
    quota = get_object_or_404(selectors.quotas_visible_to(request.user, people.today()), pk=pk)
    _require_admin(request.user)
    return _form_page(request, quota)


@login_required
@require_POST
def quota_delete(request, pk: int):
    quota = get_object_or_404(selectors.quotas_visible_to(request.user, people.today()), pk=pk)
    _require_admin(request.user)
    label = str(quota)
    services.delete_quota(quota, by=request.user)
    messages.success(request, f"Quota deleted: {label}.")
    return redirect("quotas:list")


@login_required
def distribute(request):
    """GET: the form. POST: the preview (nothing saved); POST with action=save: recompute
    the same distribution from the same inputs and save it."""
    _require_admin(request.user)
    form = DistributeForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        dreq = form.to_request()
        try:
            result = services.plan_distribution(dreq, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.POST.get("action") == "save":
                outcome = services.save_distribution(dreq, result, by=request.user)
                messages.success(
                    request,
                    f"Distribution saved: {outcome.created} quotas created, {outcome.updated} "
                    f"updated, {outcome.unchanged} unchanged.",
                )
                query = urlencode({"quota": dreq.quota, "period": dreq.window})
                return redirect(f"{reverse('quotas:list')}?{query}")
            season = list(zip(result.periods, result.season_percents, strict=True))
            context.update({"result": result, "dreq": dreq, "season": season})
    return render(request, "quotas/distribute.html", context)
