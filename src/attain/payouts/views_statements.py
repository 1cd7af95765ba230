"""Pay pages everyone uses: the pay home, statements (HTML, PDF, CSV), line details,
inquiries and the estimator.

A rep outside the viewer's scope, a run the viewer may not see (drafts, for reps and
managers) or a line or inquiry of either answers 404; a visible thing the viewer may not
change answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from attain.payouts import estimator, inquiries
from attain.payouts import selectors_statements as selectors
from attain.payouts.forms_statements import (
    EstimatorForm,
    InquiryFilterForm,
    InquiryForm,
    MessageForm,
    ResolveForm,
)
from attain.payouts.models import Inquiry
from attain.payouts.pdf import statement_pdf
from attain.payouts.statements import build_statement, describe_correction, statement_csv
from attain.people import selectors as people
from attain.people.forms import RepPickForm
from attain.people.models import Rep
from attain.reports.paging import page_of
from attain.sales.models import Deal

TEAM_STATEMENT_ROWS = 50  # reps per page of a manager's team statements


def _safe_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def home(request):
    user = request.user
    own = people.rep_for_user(user)
    context = {
        "own": own,
        "own_periods": selectors.statement_periods(user, own.pk) if own else [],
        "run_list_url": _safe_url("payouts:run_list") if user.sees_everything else None,
        "open_inquiries": selectors.inquiries_visible_to(user)
        .filter(status=Inquiry.Status.OPEN)
        .count(),
    }
    if user.sees_everything:
        reps = Rep.objects.order_by("name")
        picker = RepPickForm(request.GET or None, reps=reps, empty_label="Choose a rep")
        context["picker"] = picker
        if picker.is_valid() and picker.cleaned_data["rep"]:
            picked = picker.cleaned_data["rep"]
            context["picked"] = picked
            context["picked_periods"] = selectors.statement_periods(user, picked.pk)
    elif own is not None:
        visible = people.visible_rep_ids(user) or set()
        team = Rep.objects.filter(pk__in=visible - {own.pk}).order_by("name", "pk")
        # A page of the team at a time: a vice president's runs to thousands of reps.
        page = page_of(request, team, TEAM_STATEMENT_ROWS)
        index = selectors.statement_index(user, [rep.pk for rep in page])
        context["team"] = [(rep, index[rep.pk]) for rep in page]
        context["team_page"] = page
    return render(request, "payouts/home.html", context)


def _statement(request, rep_id: int, period: str):
    rep = selectors.visible_rep(request.user, rep_id)
    if rep is None:
        raise Http404("No such statement.")
    run = selectors.statement_run(request.user, rep.pk, period)
    if run is None:
        raise Http404("No statement for that period.")
    return build_statement(rep, period, run)


@login_required
def statement(request, rep_id: int, period: str):
    statement = _statement(request, rep_id, period)
    own = people.rep_for_user(request.user)
    rows = [
        {
            "line": line,
            "correction": describe_correction(line),
            "can_inquire": (own is not None and own.pk == line.rep_id and not statement.is_draft),
        }
        for line in statement.lines
    ]
    context = {
        "s": statement,
        "rows": rows,
        "run_url": _safe_url("payouts:run_detail", statement.run.pk)
        if request.user.sees_everything
        else None,
    }
    return render(request, "payouts/statements/statement.html", context)


@login_required
def statement_pdf_view(request, rep_id: int, period: str):
    statement = _statement(request, rep_id, period)
    response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
    name = f"statement-{statement.rep.external_id}-{period}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def statement_csv_view(request, rep_id: int, period: str):
    statement = _statement(request, rep_id, period)
    response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
    name = f"statement-{statement.rep.external_id}-{period}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def line_detail(request, pk: int):
    line = selectors.visible_line(request.user, pk)
    if line is None:
        raise Http404("No such line.")
    deal_url = None
    if line.deal_id is not None:
        from attain.sales.selectors import deals_visible_to

        if deals_visible_to(request.user).filter(pk=line.deal_id).exists():
            deal_url = _safe_url("sales:deal_detail", line.deal_id)
    context = {
        "line": line,
        "deal_url": deal_url,
        "correction": describe_correction(line),
        "corrections": line.corrections.filter(run__status__in=["approved", "paid"]),
        "can_inquire": inquiries.can_raise(request.user, line),
        "inquiries": selectors.inquiries_visible_to(request.user).filter(line=line),
        "statement_url": reverse("payouts:statement", args=[line.rep_id, line.pay_period]),
    }
    return render(request, "payouts/statements/line_detail.html", context)


@login_required
def inquiry_list(request):
    visible = selectors.inquiries_visible_to(request.user)
    form = InquiryFilterForm(request.GET or None)
    shown = visible
    if form.is_valid() and form.cleaned_data["status"]:
        shown = visible.filter(status=form.cleaned_data["status"])
    counts = selectors.inquiry_counts(visible)
    page = page_of(request, shown.order_by("-updated_at", "-id"))
    context = {
        "form": form,
        "page": page,
        "inquiries": page.object_list,
        "counts": [(value, label, counts[value]) for value, label in Inquiry.Status.choices],
        "total": sum(counts.values()),
    }
    return render(request, "payouts/statements/inquiry_list.html", context)


@login_required
def inquiry_new(request, line_id: int):
    line = selectors.visible_line(request.user, line_id)
    if line is None:
        raise Http404("No such line.")
    if not inquiries.can_raise(request.user, line):
        raise PermissionDenied("Only the rep raises an inquiry on their approved statement.")
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = inquiries.raise_inquiry(
                request.user, line, form.cleaned_data["subject"], form.cleaned_data["body"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Inquiry sent to finance. You'll see replies here.")
            return redirect("payouts:inquiry_detail", inquiry.pk)
    return render(request, "payouts/statements/inquiry_new.html", {"form": form, "line": line})


def _visible_inquiry(request, pk: int) -> Inquiry:
    inquiry = selectors.visible_inquiry(request.user, pk)
    if inquiry is None:
        raise Http404("No such inquiry.")
    return inquiry


@login_required
def inquiry_detail(request, pk: int):
    inquiry = _visible_inquiry(request, pk)
    context = {
        "inquiry": inquiry,
        "thread": inquiry.messages.select_related("author"),
        "message_form": MessageForm(),
        "resolve_form": ResolveForm() if inquiries.can_resolve(request.user, inquiry) else None,
        "line_url": reverse("payouts:line_detail", args=[inquiry.line_id]),
    }
    return render(request, "payouts/statements/inquiry_detail.html", context)


@login_required
@require_POST
def inquiry_reply(request, pk: int):
    inquiry = _visible_inquiry(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            inquiries.add_message(request.user, inquiry, form.cleaned_data["body"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Reply added.")
    else:
        messages.error(request, "Write a reply first.")
    return redirect("payouts:inquiry_detail", pk)


@login_required
@require_POST
def inquiry_resolve(request, pk: int):
    inquiry = _visible_inquiry(request, pk)
    if not selectors.is_finance(request.user):
        raise PermissionDenied("Only finance resolves inquiries.")
    form = ResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            inquiries.resolve(
                request.user,
                inquiry,
                data["status"],
                message=data["message"],
                amount=data["amount"],
                reason=data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Inquiry marked {data['status']}.")
    else:
        messages.error(request, "Choose an outcome.")
    return redirect("payouts:inquiry_detail", pk)


@login_required
def estimator_view(request):
    user = request.user
    own = people.rep_for_user(user)
    visible = people.visible_rep_ids(user)
    reps = Rep.objects.order_by("name")
    if visible is not None:
        reps = reps.filter(pk__in=visible)
    rep = None
    rep_param = (request.GET.get("rep") or "").strip()
    picker = RepPickForm(
        {"rep": rep_param} if rep_param else None,
        reps=reps,
        empty_label="Choose a rep",
        submit_on_pick=True,
    )
    if rep_param:
        if picker.is_valid():
            rep = picker.cleaned_data["rep"]
        elif rep_param.isdigit():
            raise Http404("No such rep.")  # a link to a rep the user may not see
    elif own is not None and (visible is None or own.pk in visible):
        rep = own
        picker = RepPickForm(
            initial={"rep": own}, reps=reps, empty_label="Choose a rep", submit_on_pick=True
        )
    credits = list(estimator.open_credits(rep)) if rep is not None else []
    data = request.GET.copy()
    data.setdefault("period", estimator.default_period())
    form = EstimatorForm(data, credits=credits)
    result = None
    if rep is not None and form.is_valid() and form.cleaned_data["deal"]:
        credit = next((c for c in credits if str(c.deal_id) == form.cleaned_data["deal"]), None)
        if credit is None:
            raise Http404("No such open deal.")
        try:
            result = estimator.estimate(credit, form.cleaned_data["period"] or data["period"])
        except ValidationError as error:
            form.add_error(None, error)
    context = {
        "form": form,
        "rep": rep,
        "picker": picker if (visible is None or len(visible) > 1) else None,
        "credits": credits,
        "result": result,
        "open_status": Deal.Status.OPEN,
    }
    return render(request, "payouts/statements/estimator.html", context)
