from __future__ import annotations

from django import forms

from attain.territories.models import Territory


class TerritoryFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or id"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Territory.Kind.choices])
