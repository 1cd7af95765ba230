"""Plan pages: admins write, finance reads, managers and reps get 403 everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from attain.plans import selectors, services
from attain.plans.diff import code_lines, diff_texts
from attain.plans.forms import (
    AssignmentFilterForm,
    AssignmentForm,
    EndAssignmentForm,
    PlanFilterForm,
    PlanTextForm,
)
from attain.plans.models import PlanAssignment, PlanDocument
from attain.reports.paging import page_of, render_list


def _viewer(request) -> None:
    selectors.require_view(request.user)


def _editor(request) -> None:
    selectors.require_view(request.user)
    if not selectors.can_edit(request.user):
        raise PermissionDenied("Only admins change plans and plan assignments.")


def _document(plan_id: str, version: int) -> PlanDocument:
    return get_object_or_404(PlanDocument, plan_id=plan_id, version=version)


def _plan_errors(form: PlanTextForm, error: ValidationError) -> list[dict]:
    """The engine's problems for the template (with the offending line's text when the line
    is known); other errors go on the form."""
    if not isinstance(error, services.PlanYamlError):
        form.add_error(None, error)
        return []
    problem = error.as_dict()
    lines = services.normalize_text(form.cleaned_data.get("yaml") or "").splitlines()
    if problem["line"] and 0 < problem["line"] <= len(lines):
        problem["excerpt"] = lines[problem["line"] - 1]
    return [problem]


@login_required
def plan_list(request):
    _viewer(request)
    form = PlanFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    everything = selectors.documents()
    found = selectors.search_documents(
        everything, q=filters.get("q", ""), status=filters.get("status", "")
    )
    context = {
        "form": form,
        "page": page_of(request, found),
        "any": everything.exists(),
        "can_edit": selectors.can_edit(request.user),
    }
    return render_list(request, "plans/list.html", "plans/_results.html", context)


@login_required
def plan_new(request):
    _editor(request)
    form = PlanTextForm(request.POST or None, request.FILES or None)
    problems: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.save_plan(
                request.user, form.cleaned_data["yaml"], form.cleaned_data["comment"]
            )
        except ValidationError as error:
            problems = _plan_errors(form, error)
            if form.cleaned_data.get("upload"):
                form.data = form.data.copy()
                form.data["yaml"] = form.cleaned_data["yaml"]
        else:
            messages.success(request, result.message)
            return redirect("plans:detail", result.document.plan_id, result.document.version)
    return render(
        request, "plans/editor.html", {"form": form, "document": None, "problems": problems}
    )


@login_required
def plan_detail(request, plan_id: str, version: int):
    _viewer(request)
    document = _document(plan_id, version)
    revisions = list(selectors.revisions_of(document))
    context = {
        "document": document,
        "current": revisions[0] if revisions else None,
        "lines": code_lines(revisions[0].yaml) if revisions else [],
        "revisions": revisions,
        "assignments": selectors.assignments_of_plan(document.plan_id)[:50],
        "can_edit": selectors.can_edit(request.user),
    }
    return render(request, "plans/detail.html", context)


@login_required
def plan_edit(request, plan_id: str, version: int):
    _editor(request)
    document = _document(plan_id, version)
    current = document.current
    initial = {"yaml": current.yaml if current else ""}
    form = PlanTextForm(request.POST or None, initial=initial, allow_upload=False)
    problems: list[dict] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.save_plan(
                request.user,
                form.cleaned_data["yaml"],
                form.cleaned_data["comment"],
                document=document,
            )
        except ValidationError as error:
            problems = _plan_errors(form, error)
        else:
            if not result.changed:
                messages.info(request, result.message)
                return redirect("plans:detail", plan_id, version)
            messages.success(request, result.message)
            return redirect("plans:revision", plan_id, version, result.revision.number)
    context = {"form": form, "document": document, "current": current, "problems": problems}
    return render(request, "plans/editor.html", context)


@login_required
@require_POST
def plan_archive(request, plan_id: str, version: int):
    _editor(request)
    document = _document(plan_id, version)
    archived = request.POST.get("archived", "1") == "1"
    services.set_archived(request.user, document, archived)
    messages.success(request, f"{document} {'archived' if archived else 'is active again'}.")
    return redirect("plans:detail", plan_id, version)


@login_required
def revision_detail(request, plan_id: str, version: int, number: int):
    _viewer(request)
    document = _document(plan_id, version)
    rev = selectors.revision(document, number)
    if rev is None:
        raise Http404("No such revision.")
    previous = selectors.previous_revision(rev)
    context = {
        "document": document,
        "rev": rev,
        "lines": code_lines(rev.yaml),
        "previous": previous,
        "diff": diff_texts(previous.yaml, rev.yaml) if previous else None,
        "is_current": document.current == rev,
    }
    return render(request, "plans/revision.html", context)


def _number(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
def revision_diff(request, plan_id: str, version: int):
    """``?from=<n>&to=<m>``; ``to`` defaults to the latest, ``from`` to the one before ``to``."""
    _viewer(request)
    document = _document(plan_id, version)
    revisions = list(selectors.revisions_of(document))
    if not revisions:
        raise Http404("This plan has no revisions.")
    by_number = {r.number: r for r in revisions}
    to_number = _number(request.GET.get("to")) or revisions[0].number
    new = by_number.get(to_number)
    if new is None:
        raise Http404("No such revision.")
    from_number = _number(request.GET.get("from"))
    if from_number is None:
        older = [r for r in revisions if r.number < new.number]
        old = older[0] if older else None
    else:
        old = by_number.get(from_number)
        if old is None:
            raise Http404("No such revision.")
    context = {
        "document": document,
        "old": old,
        "new": new,
        "revisions": revisions,
        "diff": diff_texts(old.yaml if old else "", new.yaml),
    }
    return render(request, "plans/diff.html", context)


# Assignments ------------------------------------------------------------------------------


@login_required
def assignment_list(request):
    _viewer(request)
    plan_ids = selectors.plan_ids()
    form = AssignmentFilterForm(request.GET or None, plan_ids=plan_ids)
    filters = form.cleaned_data if form.is_valid() else {}
    everything = selectors.assignments()
    rep = filters.get("rep")
    found = selectors.search_assignments(
        everything,
        rep_id=rep.pk if rep else None,
        plan_id=filters.get("plan", ""),
        in_force_day=filters.get("on"),
    )
    context = {
        "form": form,
        "page": page_of(request, found),
        "any": everything.exists(),
        "can_edit": selectors.can_edit(request.user),
    }
    return render_list(
        request, "plans/assignment_list.html", "plans/_assignment_results.html", context
    )


def _assignment_form_page(request, assignment: PlanAssignment | None):
    plan_ids = selectors.plan_ids()
    initial = AssignmentForm.initial_for(assignment) if assignment else {}
    if assignment is None and request.GET.get("rep"):
        initial["rep"] = _number(request.GET.get("rep"))
    form = AssignmentForm(request.POST or None, initial=initial, plan_ids=plan_ids)
    if request.method == "POST" and form.is_valid():
        try:
            if assignment is None:
                assignment = services.create_assignment(request.user, form.to_data())
                messages.success(request, f"Assigned: {assignment}.")
            else:
                services.update_assignment(request.user, assignment, form.to_data())
                messages.success(request, "Assignment saved.")
        except ValidationError as error:
            _add(form, error)
        else:
            return redirect(f"{_assignments_url()}?rep={assignment.rep_id}")
    context = {"form": form, "assignment": assignment, "no_plans": not plan_ids}
    return render(request, "plans/assignment_form.html", context)


def _add(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages_ in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages_)


def _assignments_url() -> str:
    return reverse("plans:assignments")


@login_required
def assignment_new(request):
    _editor(request)
    return _assignment_form_page(request, None)


@login_required
def assignment_edit(request, pk: int):
    _editor(request)
    assignment = get_object_or_404(PlanAssignment.objects.select_related("rep"), pk=pk)
    return _assignment_form_page(request, assignment)


@login_required
def assignment_end(request, pk: int):
    _editor(request)
    assignment = get_object_or_404(PlanAssignment.objects.select_related("rep"), pk=pk)
    form = EndAssignmentForm(request.POST or None, initial={"valid_to": assignment.valid_to})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_assignment(request.user, assignment, form.cleaned_data["valid_to"])
        except ValidationError as error:
            _add(form, error)
        else:
            messages.success(
                request,
                f"{assignment.rep} leaves {assignment.plan_id} on {form.cleaned_data['valid_to']}.",
            )
            return redirect(f"{_assignments_url()}?rep={assignment.rep_id}")
    return render(request, "plans/assignment_end.html", {"form": form, "a": assignment})
