"""The audit log page: read only, for admins and finance."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from attain.audit import selectors
from attain.plans.diff import field_changes
from attain.reports.paging import page_of, render_list

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Object"}),
    )
    object_type = forms.ChoiceField(required=False, label="Object type")
    action = forms.ChoiceField(required=False)
    actor = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone")
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="To", widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [
            ("", "Any type"),
            *((t, t) for t in selectors.object_types()),
        ]
        self.fields["action"].choices = [
            ("", "Any action"),
            *((a, a) for a in selectors.actions()),
        ]
        actor_ids = selectors.entries().exclude(actor=None).values("actor_id")
        users = get_user_model().objects.filter(pk__in=actor_ids).order_by("username")
        self.fields["actor"].queryset = users


@require_safe
@login_required
def audit_list(request):
    selectors.require_view(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    everything = selectors.entries()
    actor = filters.get("actor")
    found = selectors.search(
        everything,
        q=filters.get("q", ""),
        object_type=filters.get("object_type", ""),
        action=filters.get("action", ""),
        actor_id=actor.pk if actor else None,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = page_of(request, found)
    rows = [(entry, field_changes(entry.before, entry.after)) for entry in page]
    context = {"form": form, "page": page, "rows": rows, "any": everything.exists()}
    return render_list(request, "audit/list.html", "audit/_results.html", context)
