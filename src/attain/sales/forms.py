from __future__ import annotations

from django import forms

from attain.people.forms import rep_filter_field
from attain.people.models import Rep
from attain.sales.models import Deal


def _search(placeholder: str) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


def _choices(values: list[str], everything: str) -> list[tuple[str, str]]:
    return [("", everything), *((v, v) for v in values)]


class AccountFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=_search("Name, id or postcode"))
    region = forms.ChoiceField(required=False)
    industry = forms.ChoiceField(required=False)
    state = forms.ChoiceField(required=False)

    def __init__(self, *args, regions=(), industries=(), states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _choices(list(regions), "All regions")
        self.fields["industry"].choices = _choices(list(industries), "All industries")
        self.fields["state"].choices = _choices(list(states), "All states")


class DealFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=_search("Deal, id or account"))
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Deal.Status.choices])
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *Deal.Type.choices])
    owner = forms.ModelChoiceField(queryset=Rep.objects.none(), required=False)
    closed_from = forms.DateField(
        required=False, label="Closed from", widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_to = forms.DateField(
        required=False, label="Closed to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"] = rep_filter_field(owners, label="Owner", empty_label="Any owner")
