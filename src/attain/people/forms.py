from __future__ import annotations

from django import forms

from attain.people.models import Team


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
