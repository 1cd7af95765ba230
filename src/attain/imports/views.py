from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from attain.imports.forms import ImportForm
from attain.imports.report import OUTCOME_CAP
from attain.imports.selectors import recent_runs
from attain.imports.services import import_file

ERRORS_SHOWN = 1000


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin_role:
        raise PermissionDenied("Only admins import data.")
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            report = import_file(
                data["entity"],
                upload,
                file_name=upload.name,
                preset=data["preset"] or None,
                dry_run=data["dry_run"],
                source="upload",
                user=request.user,
                sheet=data["sheet"] or None,
            )
    else:
        form = ImportForm()
    context = {
        "form": form,
        "report": report,
        "errors": report.errors[:ERRORS_SHOWN] if report else [],
        "errors_hidden": max(0, len(report.errors) - ERRORS_SHOWN) if report else 0,
        "outcome_cap": OUTCOME_CAP,
        "runs": recent_runs(),
    }
    return render(request, "imports/upload.html", context)
