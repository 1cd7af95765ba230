"""The modelling form: a period, the current plan and the candidates to compare with it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from attain.payouts import modelling
from attain.payouts.services import parse_run_period


class ModellingForm(forms.Form):
    period = forms.CharField(
        max_length=10, help_text="A past pay period: 2026-09, 2026-Q3, 2026-H1 or 2026."
    )
    current_plan = forms.ChoiceField(label="Current plan", help_text="Its reps are moved.")
    candidates = forms.TypedMultipleChoiceField(
        label="Candidate plans", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    yaml = forms.CharField(
        label="Or paste a plan (YAML)",
        required=False,
        max_length=modelling.MAX_YAML_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = modelling.plan_choices()
        self.fields["current_plan"].choices = [(p, p) for p in modelling.current_plan_ids()]
        self.fields["candidates"].choices = [(pk, label) for pk, _, label in choices]

    def clean_period(self) -> str:
        return parse_run_period(self.cleaned_data["period"]).label

    def clean(self):
        data = super().clean()
        found = []
        for pk in data.get("candidates") or []:
            found.append(modelling.document_candidate(pk))
        text = (data.get("yaml") or "").strip()
        if text:
            try:
                found.append(modelling.yaml_candidate(text + "\n"))
            except ValidationError as error:
                self.add_error("yaml", error)
        if not found and not self.errors:
            raise ValidationError("Choose at least one candidate plan, or paste one.")
        data["candidate_list"] = found
        return data
