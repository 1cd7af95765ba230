from __future__ import annotations

from django import forms

from attain.leaderboards.models import Board, Competition, Measure, Privacy, Subject, Window
from attain.leaderboards.selectors import boards_visible_to, manageable_team_ids
from attain.people.forms import reps_pick_field
from attain.people.models import Rep, Team, User
from attain.people.selectors import reps_visible_to
from attain.territories.models import Territory

DATE = forms.DateInput(attrs={"type": "date"})
NO_TERRITORY_QUOTAS = (
    "Territories have no quotas, so they cannot be ranked on attainment: choose another "
    "measure, or rank individuals or teams."
)


def _check_attainment(form: forms.Form, data: dict) -> None:
    if data.get("subject") == Subject.TERRITORIES and data.get("measure") == Measure.ATTAINMENT:
        form.add_error("measure", NO_TERRITORY_QUOTAS)


class BoardForm(forms.ModelForm):
    class Meta:
        model = Board
        fields = [
            "name",
            "subject",
            "measure",
            "window",
            "start_date",
            "end_date",
            "scope_team",
            "privacy",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        allowed = manageable_team_ids(user)
        if allowed is not None:
            self.fields["scope_team"].queryset = Team.objects.filter(id__in=allowed)
            self.fields["scope_team"].required = True
            # Only an admin decides that peers may see each other's amounts.
            self.fields["privacy"].choices = [(Privacy.RANKS_ONLY, Privacy.RANKS_ONLY.label)]
        self.fields["scope_team"].empty_label = "Whole organisation"

    def clean(self):
        data = super().clean()
        window, start, end = data.get("window"), data.get("start_date"), data.get("end_date")
        if window == Window.CUSTOM:
            if not start:
                self.add_error("start_date", "A custom window needs a start date.")
            if not end:
                self.add_error("end_date", "A custom window needs an end date.")
            if start and end and end < start:
                self.add_error("end_date", "The end date must not be before the start date.")
        else:
            data["start_date"] = data["end_date"] = None
        if data.get("subject") == Subject.TERRITORIES and data.get("scope_team"):
            self.add_error("scope_team", "Territory boards cover the whole organisation.")
        _check_attainment(self, data)
        return data


class CompetitionForm(forms.ModelForm):
    class Meta:
        model = Competition
        fields = [
            "name",
            "subject",
            "measure",
            "start_date",
            "end_date",
            "reps",
            "teams",
            "territories",
            "prizes",
            "rules",
            "privacy",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "prizes": forms.Textarea(attrs={"rows": 3}),
            "rules": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        reps = self.fields["reps"]
        self.fields["reps"] = reps_pick_field(
            reps_visible_to(user).order_by("name", "id"),
            required=False,
            label=reps.label,
            help_text=reps.help_text,
        )
        allowed = manageable_team_ids(user)
        teams = Team.objects.all() if allowed is None else Team.objects.filter(id__in=allowed)
        self.fields["teams"].queryset = teams
        self.fields["territories"].queryset = Territory.objects.all()
        if not user.is_admin_role:
            self.fields["privacy"].choices = [(Privacy.RANKS_ONLY, Privacy.RANKS_ONLY.label)]
            self.fields["territories"].queryset = Territory.objects.none()

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must not be before the start date.")
        subject = data.get("subject")
        field = {
            Subject.INDIVIDUALS: "reps",
            Subject.TEAMS: "teams",
            Subject.TERRITORIES: "territories",
        }.get(subject)
        if field and len(data.get(field) or []) < 2:
            self.add_error(field, f"Choose at least two {field} to compete.")
        _check_attainment(self, data)
        return data


class DisplayForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where the screen hangs, e.g. 'Sales floor'.")
    boards = forms.ModelMultipleChoiceField(queryset=Board.objects.none())
    rotate_seconds = forms.IntegerField(min_value=5, max_value=600, initial=20)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["boards"].queryset = boards_visible_to(user)


__all__ = ["BoardForm", "CompetitionForm", "DisplayForm", "Rep"]
