from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from attain.people.forms import rep_filter_field, rep_pick_field
from attain.people.models import Rep, Team
from attain.quotas import distribution as dist
from attain.quotas.services import DistributionRequest, QuotaData, parse_weights


class QuotaFilterForm(forms.Form):
    period = forms.CharField(
        required=False, label="Period", widget=forms.TextInput(attrs={"placeholder": "2026-Q1"})
    )
    quota = forms.ChoiceField(required=False, label="Quota")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team")
    rep = forms.ModelChoiceField(queryset=Rep.objects.none(), required=False, label="Rep")

    def __init__(self, *args, names=(), teams=None, reps=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quota"].choices = [("", "All quotas")] + [(n, n) for n in names]
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["team"].empty_label = "All teams"
        reps = reps if reps is not None else Rep.objects.none()
        self.fields["rep"] = rep_filter_field(reps, label="Rep", empty_label="All reps")


class QuotaForm(forms.Form):
    """Checks only the shape of the input; the rules live in services.clean."""

    rep = forms.ModelChoiceField(queryset=Rep.objects.order_by("name"))
    quota = forms.CharField(
        max_length=64, initial="revenue", help_text="The name a plan component refers to."
    )
    period = forms.CharField(max_length=10, help_text="2026, 2026-H1, 2026-Q1 or 2026-03")
    amount = forms.DecimalField(decimal_places=2, max_digits=18)
    currency = forms.CharField(max_length=3, initial="USD")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"] = rep_pick_field(Rep.objects.order_by("name"))

    def to_data(self) -> QuotaData:
        c = self.cleaned_data
        return QuotaData(c["rep"], c["quota"], c["period"], c["amount"], c["currency"])

    @staticmethod
    def initial_for(quota) -> dict:
        return {
            "rep": quota.rep_id,
            "quota": quota.quota,
            "period": quota.period,
            "amount": quota.amount,
            "currency": quota.currency,
        }


class DistributeForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text="The team's members and those of every team below it.",
    )
    region = forms.ChoiceField(required=False, help_text="Or every team of a region.")
    total = forms.DecimalField(
        decimal_places=2, max_digits=18, min_value=Decimal(0), label="Team number"
    )
    currency = forms.CharField(max_length=3, initial="USD")
    quota = forms.CharField(max_length=64, initial="revenue", label="Quota name")
    period = forms.CharField(max_length=10, initial="2026", help_text="e.g. 2026 or 2026-H1")
    split = forms.ChoiceField(
        choices=[
            ("same", "One quota for the whole period"),
            ("half", "By half"),
            ("quarter", "By quarter"),
            ("month", "By month"),
        ],
        initial="quarter",
        label="Split into",
    )
    seasonality = forms.CharField(
        required=False,
        help_text="One weight per period, e.g. 20/20/20/40; blank = equal.",
    )
    method = forms.ChoiceField(choices=list(dist.METHODS.items()), initial=dist.EVEN)
    ramp = forms.CharField(
        required=False,
        label="Ramp for new hires (%)",
        help_text="Share of a full quota in the hire month, the next, … e.g. 25,50,75,100.",
    )
    prorate = forms.BooleanField(
        required=False,
        widget=forms.CheckboxInput(
            attrs={"style": "width:auto;min-width:0;height:auto;margin:0;padding:0"}
        ),
        initial=True,
        label="Prorate joiners and leavers",
        help_text="By the days in the team and employed within each period.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Team.objects.exclude(region="").order_by("region")
        names = regions.values_list("region", flat=True).distinct()
        self.fields["region"].choices = [("", "—")] + [(r, r) for r in names]

    def clean(self):
        data = super().clean()
        for name in ("seasonality", "ramp"):
            try:
                data[name] = parse_weights(data.get(name, ""), name=name)
            except ValidationError as error:
                self.add_error(name, error.message_dict[name])
        if not data.get("team") and not data.get("region"):
            self.add_error("team", "Choose a team or a region.")
        return data

    def to_request(self) -> DistributionRequest:
        c = self.cleaned_data
        return DistributionRequest(
            total=c["total"],
            window=c["period"],
            split=c["split"],
            team=c.get("team"),
            region=c.get("region") or "",
            method=c["method"],
            quota=c["quota"],
            currency=c["currency"].upper(),
            seasonality=c["seasonality"],
            ramp=c["ramp"],
            prorate=c["prorate"],
        )
