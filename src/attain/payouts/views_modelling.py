"""The plan modelling page: admins and finance only (everyone else 403). Nothing is saved."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from attain.payouts import modelling
from attain.payouts.forms_modelling import ModellingForm
from attain.people import selectors


def last_complete_month(day: dt.date | None = None) -> str:
    """The month before ``day``'s (today's) month: the last one whose deals are all in."""
    last = (day or selectors.today()).replace(day=1) - dt.timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


@login_required
def modelling_page(request):
    if not modelling.can_model(request.user):
        raise PermissionDenied("Plan modelling is for admins and finance.")
    data = request.POST if request.method == "POST" else (request.GET or None)
    initial = {"period": last_complete_month()}
    busiest = modelling.busiest_plan_id(selectors.today())
    if busiest:
        initial["current_plan"] = busiest
    form = ModellingForm(data, initial=initial)
    result = None
    figures = None
    if data is not None and form.is_valid():
        try:
            result = modelling.model_plans(
                request.user,
                form.cleaned_data["period"],
                form.cleaned_data["current_plan"],
                form.cleaned_data["candidate_list"],
            )
            figures = modelling.charts(result)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "payouts/modelling/page.html",
        {"form": form, "result": result, "figures": figures},
    )
