"""Forms for statements, inquiries and the estimator."""

from __future__ import annotations

from django import forms

from attain.payouts.models import Inquiry


class InquiryForm(forms.Form):
    subject = forms.CharField(max_length=200, label="Subject")
    body = forms.CharField(
        label="What looks wrong?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Say what you expected and why; finance sees this line with your message.",
    )


class MessageForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            (Inquiry.Status.ANSWERED, "Answered (no change to pay)"),
            (Inquiry.Status.REJECTED, "Rejected"),
            (Inquiry.Status.ADJUSTED, "Adjusted (pay an adjustment in the next run)"),
        ],
    )
    message = forms.CharField(
        label="Message to the rep",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount = forms.CharField(
        label="Adjustment amount", required=False, help_text="Only for 'adjusted', e.g. 250.00"
    )
    reason = forms.CharField(label="Adjustment reason", max_length=400, required=False)


class InquiryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Inquiry.Status.choices]
    )


class EstimatorForm(forms.Form):
    deal = forms.ChoiceField(label="Open deal", required=False)
    period = forms.RegexField(
        label="Closes in period",
        regex=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$",
        required=False,
        help_text="e.g. 2026-03 or 2026-Q2",
        error_messages={"invalid": "Use a period like 2026-03, 2026-Q2 or 2026."},
    )

    def __init__(self, *args, credits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].choices = [("", "Choose a deal")] + [
            (
                str(c.deal_id),
                f"{c.deal.external_id} · {c.deal.name or c.deal.account.name} · "
                f"{c.deal.currency} {c.deal.amount:,.2f}",
            )
            for c in credits
        ]
