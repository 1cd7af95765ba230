from __future__ import annotations

import re

from django import forms

from attain.coaching.models import CoachingSession, RolePlayScenario, Skill
from attain.people.models import Team

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _area(rows: int, placeholder: str = "") -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


class PeriodForm(forms.Form):
    period = forms.ChoiceField(required=False, label="Period")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = list(choices)


class SessionForm(forms.Form):
    kind = forms.ChoiceField(choices=CoachingSession.Kind.choices, initial="one_on_one")
    scheduled_at = forms.DateTimeField(
        label="When",
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    agenda = forms.CharField(required=False, widget=_area(10))


class NotesForm(forms.Form):
    agenda = forms.CharField(required=False, widget=_area(6))
    notes = forms.CharField(required=False, widget=_area(8, "What was discussed, what was agreed"))


class ActionItemForm(forms.Form):
    text = forms.CharField(label="Action item", max_length=500)
    owner = forms.ChoiceField(label="Owner")
    due_date = forms.DateField(
        required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, session: CoachingSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (str(session.rep_id), session.rep.name),
            (str(session.manager_id), session.manager.name),
        ]


class FollowUpForm(forms.Form):
    scheduled_at = SessionForm.base_fields["scheduled_at"]


# Recordings a call review accepts: extension → the content types a browser may send for
# it. Both must agree; the file is then served with the type it was uploaded with.
RECORDING_TYPES = {
    ".mp3": {"audio/mpeg", "audio/mp3"},
    ".m4a": {"audio/mp4", "audio/x-m4a", "audio/m4a", "audio/aac"},
    ".aac": {"audio/aac", "audio/x-aac"},
    ".wav": {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"},
    ".ogg": {"audio/ogg", "video/ogg", "application/ogg"},
    ".oga": {"audio/ogg"},
    ".opus": {"audio/ogg", "audio/opus"},
    ".webm": {"audio/webm", "video/webm"},
    ".mp4": {"video/mp4", "audio/mp4"},
    ".m4v": {"video/mp4", "video/x-m4v"},
    ".mov": {"video/quicktime"},
}
DEFAULT_MAX_RECORDING_BYTES = 200 * 1024 * 1024


def max_recording_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "ATTAIN_MAX_RECORDING_BYTES", DEFAULT_MAX_RECORDING_BYTES))


def check_recording(upload) -> str:
    """The content type to serve ``upload`` with, or ValidationError naming what is wrong."""
    from pathlib import PurePath

    name = upload.name or ""
    suffix = PurePath(name).suffix.lower()
    allowed = RECORDING_TYPES.get(suffix)
    if allowed is None:
        kinds = ", ".join(sorted(RECORDING_TYPES))
        raise forms.ValidationError(
            f"{name!r} is not an audio or video recording we accept ({kinds})."
        )
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in allowed:
        raise forms.ValidationError(
            f"{name!r} was sent as {content_type or 'an unknown type'}, which does not match "
            f"its {suffix} extension ({', '.join(sorted(allowed))})."
        )
    limit = max_recording_bytes()
    if upload.size > limit:
        from django.template.defaultfilters import filesizeformat

        raise forms.ValidationError(
            f"{name!r} is {filesizeformat(upload.size)}; recordings may be at most "
            f"{filesizeformat(limit)}."
        )
    if upload.size == 0:
        raise forms.ValidationError(f"{name!r} is empty.")
    return content_type


class CallReviewForm(forms.Form):
    title = forms.CharField(max_length=200, label="Call")
    link = forms.URLField(
        max_length=500, label="Recording link", assume_scheme="https", required=False
    )
    recording = forms.FileField(
        label="or upload audio or video",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join([*RECORDING_TYPES, "audio/*", "video/*"])}
        ),
    )

    def clean_recording(self):
        upload = self.cleaned_data.get("recording")
        if upload:
            self.recording_type = check_recording(upload)
        return upload

    def clean(self):
        data = super().clean()
        link, upload = data.get("link"), data.get("recording")
        if self.errors:
            return data
        if link and upload:
            raise forms.ValidationError("Give a link or upload a recording, not both.")
        if not link and not upload:
            raise forms.ValidationError("Give a link to the recording or upload it.")
        return data


TIMESTAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


class CallCommentForm(forms.Form):
    at = forms.CharField(label="At (m:ss)", max_length=12)
    text = forms.CharField(label="Comment", max_length=1000)

    def clean_at(self) -> int:
        found = TIMESTAMP.match(self.cleaned_data["at"].strip())
        if not found:
            raise forms.ValidationError("Write the time as m:ss or h:mm:ss, e.g. 4:35.")
        hours, minutes, seconds = (int(x or 0) for x in found.groups())
        if seconds >= 60:
            raise forms.ValidationError("Seconds go up to 59.")
        return hours * 3600 + minutes * 60 + seconds


class RolePlayForm(forms.Form):
    scenario = forms.ModelChoiceField(queryset=RolePlayScenario.objects.all())
    score = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not scored"), *((str(i), str(i)) for i in range(1, 6))],
    )
    notes = forms.CharField(required=False, widget=_area(2))


class SkillRatingForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=Skill.objects.filter(active=True))
    rating = forms.TypedChoiceField(coerce=int, choices=[(str(i), str(i)) for i in range(1, 6)])
    note = forms.CharField(required=False, max_length=300)


class SkillForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, max_length=300)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Skill.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("That skill is already on the list.")
        return name


class GoalForm(forms.Form):
    motivator = forms.CharField(
        required=False, label="What motivates them", widget=_area(2, "e.g. buying a first home")
    )
    goal = forms.CharField(max_length=300, label="Goal", help_text="e.g. House deposit")
    target_amount = forms.DecimalField(min_value=0, max_digits=18, decimal_places=2)
    target_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    saved_so_far = forms.DecimalField(
        min_value=0,
        max_digits=18,
        decimal_places=2,
        initial=0,
        label="Saved before pay counts",
        help_text="Already put aside when the goal was set.",
    )
    savings_rate = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=100,
        label="Share of commission toward the goal (%)",
    )
    counting_from = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Count pay from",
        help_text="Pay periods starting on or after this day count (default: this month).",
    )


class TrainingForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    topic = forms.CharField(max_length=200)
    scheduled_at = SessionForm.base_fields["scheduled_at"]

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(required=False, widget=_area(4))

    def __init__(self, *args, invited=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(a.rep_id), a.rep.name) for a in invited]


class AssignRolePlayForm(forms.Form):
    scenario = forms.ModelChoiceField(queryset=RolePlayScenario.objects.all())
    due_date = forms.DateField(
        required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"})
    )
