from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from attain.people.models import Rep, Team

# Above this many reps to choose from, a rep filter is a search box (part of a name, or a
# whole rep id) instead of a list: a vice president's list ran to thousands of options.
REP_PICKER_LIMIT = 200


def rep_filter_field(reps: QuerySet[Rep], *, label: str, empty_label: str) -> forms.Field:
    """A list filter's rep: picked from ``reps``, or searched for when they are many. The
    cleaned value is a ``Rep`` or the search text (``people.selectors.rep_text_q``)."""
    if reps.count() > REP_PICKER_LIMIT:
        widget = forms.TextInput(attrs={"type": "search", "placeholder": "Name or rep id"})
        return forms.CharField(required=False, label=label, widget=widget)
    return forms.ModelChoiceField(
        queryset=reps, required=False, label=label, empty_label=empty_label
    )


class RepFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, title, email or id"}),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All teams"
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
