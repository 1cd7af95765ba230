from __future__ import annotations

from django import forms

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


# Above this many visible owners the owner filter is a search box instead of a list.
OWNER_PICKER_LIMIT = 200


class DealFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=_search("Deal, id or account"))
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Deal.Status.choices])
    type = forms.ChoiceField(required=False, choices=[("", "Any type"), *Deal.Type.choices])
    owner = forms.ModelChoiceField(
        queryset=Rep.objects.none(), required=False, empty_label="Any owner"
    )
    closed_from = forms.DateField(
        required=False, label="Closed from", widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_to = forms.DateField(
        required=False, label="Closed to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            return
        if owners.count() > OWNER_PICKER_LIMIT:
            # A list of thousands is no way to pick: search the owners by name or rep id.
            self.fields["owner"] = forms.CharField(
                required=False, label="Owner", widget=_search("Owner's name or rep id")
            )
        else:
            self.fields["owner"].queryset = owners
