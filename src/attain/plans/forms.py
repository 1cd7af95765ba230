from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from attain.common import DEFAULT_CURRENCY
from attain.people.forms import rep_pick_field
from attain.people.models import Rep
from attain.plans.services import AssignmentData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _search(placeholder: str) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


class PlanFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=_search("Plan id or name"))
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Active and archived"), ("active", "Active"), ("archived", "Archived")],
    )


class PlanTextForm(forms.Form):
    """The YAML editor: paste or edit the text, or (new plans) upload a .yaml file."""

    yaml = forms.CharField(
        label="Plan YAML",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 28, "spellcheck": "false", "class": "code-editor", "wrap": "off"}
        ),
    )
    upload = forms.FileField(
        label="…or upload a .yaml file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )
    comment = forms.CharField(label="What changed and why", max_length=300, required=False)

    def __init__(self, *args, allow_upload: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_upload:
            del self.fields["upload"]

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            if upload.size > 512 * 1024:
                raise ValidationError("The file is larger than 512 KB.")
            try:
                data["yaml"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError("The file is not UTF-8 text.") from None
        if not (data.get("yaml") or "").strip():
            raise ValidationError("Paste the plan's YAML or upload a file.")
        return data


class AssignmentFilterForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=Rep.objects.all(), required=False, empty_label="Any rep")
    plan = forms.ChoiceField(required=False)
    on = forms.DateField(required=False, label="In force on", widget=DATE)

    def __init__(self, *args, plan_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"] = rep_pick_field(
            Rep.objects.all(), required=False, empty_label="Any rep"
        )
        self.fields["plan"].choices = [("", "Any plan"), *((p, p) for p in plan_ids)]


class AssignmentForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=Rep.objects.all())
    plan_id = forms.ChoiceField(label="Plan")
    valid_from = forms.DateField(label="From", widget=DATE)
    valid_to = forms.DateField(
        label="Until (first day off the plan)",
        required=False,
        widget=DATE,
        help_text="Leave empty while the assignment has no planned end.",
    )
    target_incentive = forms.DecimalField(
        label="Target incentive per period", min_value=0, decimal_places=2, max_digits=18
    )
    currency = forms.CharField(max_length=3, initial=DEFAULT_CURRENCY)
    draw_per_period = forms.DecimalField(
        label="Draw per period", min_value=0, decimal_places=2, max_digits=18, initial=0
    )
    draw_recoverable = forms.BooleanField(label="Recoverable draw", required=False, initial=True)

    def __init__(self, *args, plan_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"] = rep_pick_field(Rep.objects.all())
        self.fields["plan_id"].choices = [("", "—"), *((p, p) for p in plan_ids)]

    def to_data(self) -> AssignmentData:
        d = self.cleaned_data
        return AssignmentData(
            rep=d["rep"],
            plan_id=d["plan_id"],
            valid_from=d["valid_from"],
            valid_to=d.get("valid_to"),
            target_incentive=d["target_incentive"],
            currency=d["currency"],
            draw_per_period=d["draw_per_period"],
            draw_recoverable=d["draw_recoverable"],
        )

    @staticmethod
    def initial_for(assignment) -> dict:
        return {
            "rep": assignment.rep_id,
            "plan_id": assignment.plan_id,
            "valid_from": assignment.valid_from,
            "valid_to": assignment.valid_to,
            "target_incentive": assignment.target_incentive,
            "currency": assignment.currency,
            "draw_per_period": assignment.draw_per_period,
            "draw_recoverable": assignment.draw_recoverable,
        }


class EndAssignmentForm(forms.Form):
    valid_to = forms.DateField(label="First day off the plan", widget=DATE)
