"""Forms of the run pages: start a run, filter the list, choose the expense year."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from attain.payouts import services
from attain.payouts.models import CalcRun
from attain.people.forms import reps_pick_field
from attain.people.models import Rep

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RunForm(forms.Form):
    period = forms.CharField(
        max_length=10,
        help_text="A month (2026-03), quarter (2026-Q1), half (2026-H1) or year (2026).",
        widget=forms.TextInput(attrs={"placeholder": "2026-03", "autocomplete": "off"}),
    )
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=DATE,
        help_text="Rules and data in force on this day; empty means the period's last day.",
    )
    reps = forms.ModelMultipleChoiceField(queryset=Rep.objects.none())  # see __init__
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reps"] = reps_pick_field(
            Rep.objects.order_by("name", "id"),
            required=False,
            label="Reps",
            help_text="Leave empty to calculate every rep.",
            widget=forms.SelectMultiple(attrs={"size": 6}),
        )

    def clean_period(self) -> str:
        return services.parse_run_period(self.cleaned_data["period"]).label

    def clean(self):
        data = super().clean()
        period, as_of = data.get("period"), data.get("as_of")
        if period and as_of:
            window = services.parse_run_period(period)
            if as_of < window.start:
                raise ValidationError(
                    {"as_of": f"The as-of date {as_of} is before the period {window.label}."}
                )
        return data

    @property
    def rep_ids(self) -> list[int] | None:
        reps = self.cleaned_data.get("reps")
        return sorted(r.pk for r in reps) if reps else None


class RunFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *CalcRun.Status.choices]
    )
    period = forms.CharField(
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "2026-03"}),
    )


class ExpenseForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
