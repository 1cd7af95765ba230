from __future__ import annotations

import datetime as dt

from django import forms

from attain.engine import EngineError
from attain.engine.periods import Period, parse_period, period_of
from attain.territories.models import Territory


class TerritoryFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or id"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Territory.Kind.choices])


class AssignmentFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Account name or id"}),
    )
    show = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("", "Every account"), ("uncaught", "Only accounts no rule catches")],
    )


MEASURE_CHOICES = [
    ("potential", "Potential"),
    ("accounts", "Account count"),
    ("pipeline", "Open pipeline"),
]


class DesignForm(forms.Form):
    name = forms.CharField(max_length=200, initial="New design")
    territories = forms.IntegerField(min_value=1, max_value=500, initial=6)
    primary = forms.ChoiceField(choices=MEASURE_CHOICES, label="Balance on")
    tolerance = forms.DecimalField(
        min_value=0, max_value=50, decimal_places=2, initial=2, label="Tolerance (%)"
    )
    seed = forms.IntegerField(min_value=0, initial=0, help_text="Same seed, same plan.")


class RealignForm(forms.Form):
    name = forms.CharField(max_length=200, initial="Realignment")
    primary = forms.ChoiceField(choices=MEASURE_CHOICES, label="Balance on")
    tolerance = forms.DecimalField(
        min_value=0, max_value=50, decimal_places=2, initial=5, label="Tolerance (%)"
    )
    penalty = forms.DecimalField(
        min_value=0, max_value=100000, decimal_places=1, initial=100, label="Move penalty (km)"
    )
    allow_open_deals = forms.BooleanField(required=False, label="May move accounts with open deals")


class ApplyForm(forms.Form):
    valid_from = forms.DateField(
        label="Effective from", widget=forms.DateInput(attrs={"type": "date"})
    )


class PerformanceForm(forms.Form):
    period = forms.CharField(
        required=False,
        max_length=10,
        help_text="2026, 2026-H1, 2026-Q1 or 2026-03; empty for this quarter.",
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_period(self) -> str:
        text = self.cleaned_data["period"].strip()
        if text:
            try:
                parse_period(text)
            except (EngineError, ValueError):
                raise forms.ValidationError(
                    f"{text!r} is not a period: use 2026, 2026-H1, 2026-Q1 or 2026-03."
                ) from None
        return text

    def window(self) -> Period:
        text = self.cleaned_data.get("period") if self.is_valid() else ""
        return parse_period(text) if text else period_of(self.today, "quarter")
