"""Run pages for admins (RevOps) and finance: list and start runs, review a run, approve,
mark paid, discard, replay, export to payroll; the commission expense report.

Managers and reps get 403 on every page. The services decide who may approve (finance, not
the starter) and mark paid (finance); the pages only hide buttons the user cannot use.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from attain.payouts import exports, services
from attain.payouts import selectors_runs as selectors
from attain.payouts.forms_runs import ExpenseForm, RunFilterForm, RunForm
from attain.payouts.models import CalcRun
from attain.people import selectors as people
from attain.people.models import User
from attain.reports.paging import page_of, render_list
from attain.sales import selectors as fx_selectors


def _run(request, pk: int) -> CalcRun:
    selectors.require_run_access(request.user)
    return get_object_or_404(selectors.run_detail(pk))


def _fail(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def run_list(request):
    selectors.require_run_access(request.user)
    form = RunFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.runs(status=filters.get("status", ""), period=filters.get("period", ""))
    context = {
        "form": form,
        "page": page_of(request, found),
        "any": CalcRun.objects.exists(),
        "start_form": RunForm(),
    }
    return render_list(request, "payouts/runs/list.html", "payouts/runs/_results.html", context)


@login_required
def run_new(request):
    selectors.require_run_access(request.user)
    form = RunForm(request.POST or None, initial={"period": request.GET.get("period", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.start_run(
                request.user, data["period"], data["as_of"], form.rep_ids, data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if run.status == CalcRun.Status.FAILED:
                messages.error(request, f"Run {run.pk} for {run.period} failed: {run.error}")
            else:
                messages.success(
                    request,
                    f"Run {run.pk} calculated {run.period}: {run.line_count} lines. "
                    "Someone else in finance approves it.",
                )
            return redirect("payouts:run_detail", run.pk)
    return render(request, "payouts/runs/new.html", {"form": form})


def _detail_context(request, run: CalcRun, replay=None) -> dict:
    user = request.user
    rows, totals = selectors.rep_totals(run)
    for row in rows:
        row.statement_url = selectors.statement_url(row.rep_id, run.period)
    is_finance = user.role == User.Role.FINANCE
    corrections = list(selectors.corrections(run)[: selectors.CORRECTIONS_SHOWN + 1])
    return {
        "run": run,
        "rows": rows,
        "totals": totals,
        "buckets": selectors.BUCKETS,
        "corrections": corrections[: selectors.CORRECTIONS_SHOWN],
        "corrections_count": len(corrections),
        "late_rebooks": selectors.uncorrected_rebooks(run),
        "revisions": selectors.plan_revisions(run),
        "replay": replay,
        "can_approve": run.status == CalcRun.Status.DRAFT and services.can_approve(user, run),
        "starter_is_me": run.started_by_id == user.pk,
        "is_finance": is_finance,
        "can_pay": run.status == CalcRun.Status.APPROVED and is_finance,
        "can_discard": run.status in {CalcRun.Status.DRAFT, CalcRun.Status.FAILED},
        "can_replay": bool(run.inputs_fingerprint) and run.status != CalcRun.Status.FAILED,
        "can_export": run.is_closed,
    }


@login_required
def run_detail(request, pk: int):
    run = _run(request, pk)
    return render(request, "payouts/runs/detail.html", _detail_context(request, run))


def _step(request, pk: int, change, done: str):
    """Apply one lifecycle step (``change(user, run)``) and go back to the run's page."""
    run = _run(request, pk)
    try:
        change(request.user, run)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, done.format(run=run))
    return redirect("payouts:run_detail", pk)


@login_required
@require_POST
def run_approve(request, pk: int):
    return _step(
        request, pk, services.approve_run, "Run {run.pk} approved: {run.period} is closed."
    )


@login_required
@require_POST
def run_pay(request, pk: int):
    return _step(request, pk, services.mark_paid, "Run {run.pk} marked paid.")


@login_required
@require_POST
def run_discard(request, pk: int):
    return _step(
        request,
        pk,
        services.discard_run,
        "Run {run.pk} discarded; it stays in the list for history.",
    )


@login_required
@require_POST
def run_replay(request, pk: int):
    run = _run(request, pk)
    try:
        replay = services.replay_run(request.user, run)
    except ValidationError as error:
        _fail(request, error)
        return redirect("payouts:run_detail", pk)
    return render(request, "payouts/runs/detail.html", _detail_context(request, run, replay))


@login_required
def run_payroll_csv(request, pk: int):
    run = _run(request, pk)
    try:
        text = exports.payroll_csv(run)
    except ValidationError as error:
        return HttpResponse(
            " ".join(error.messages), status=409, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.payroll_filename(run)}"'
    return response


@login_required
def expense(request):
    selectors.require_run_access(request.user)
    form = ExpenseForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    report = selectors.expense(year)
    years = sorted(set(selectors.expense_years()) | {year, timezone.localdate().year})
    context = {"report": report, "year": year, "years": sorted(years, reverse=True)}
    return render(request, "payouts/runs/expense.html", context)


@login_required
def fx_rates(request):
    """The exchange rates runs convert credits with (imported as ``fx_rates``), each pair's
    latest first, the ones in force today marked."""
    selectors.require_run_access(request.user)
    today = people.today()
    context = {
        "page": page_of(request, fx_selectors.fx_rates()),
        "in_force": set(fx_selectors.fx_rates_in_force(today).values_list("pk", flat=True)),
        "today": today,
        "can_import": request.user.is_admin_role,
    }
    return render(request, "payouts/fx_rates.html", context)
