from __future__ import annotations

from django import forms

from attain.forecasts.services import NOTE_LENGTH


class CallForm(forms.Form):
    """The shape of a call; the rules (period open, best case ≥ commit, who may call) live in
    services.submit_call."""

    period = forms.ChoiceField(label="Period")
    commit = forms.DecimalField(
        label="Commit",
        min_value=0,
        max_digits=18,
        decimal_places=2,
        help_text="What you will stand behind.",
    )
    best_case = forms.DecimalField(
        label="Best case",
        min_value=0,
        max_digits=18,
        decimal_places=2,
        help_text="If the deals that could go your way do.",
    )
    note = forms.CharField(
        label="Why",
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What the call rests on"}),
    )

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.label, p.title) for p in periods]
