from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from attain.announcements.models import Announcement, Question
from attain.announcements.services import Draft, Link, check_link_url, check_quota_period
from attain.plans.models import PlanDocument

LINKS_HELP = (
    "One link a line, as “Title | URL”, to the plan or quota change this explains"
    " (http(s) or a page of this site)."
)


def _area(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class AnnouncementForm(forms.Form):
    title = forms.CharField(max_length=200)
    audience = forms.ChoiceField(choices=Announcement.Audience.choices)
    region = forms.ChoiceField(required=False)
    team = forms.ModelChoiceField(queryset=None, required=False)
    territory = forms.ModelChoiceField(queryset=None, required=False)
    why = forms.CharField(required=False, widget=_area(), label=Announcement.SECTIONS[0][1])
    priorities = forms.CharField(required=False, widget=_area(), label=Announcement.SECTIONS[1][1])
    adjustments = forms.CharField(required=False, widget=_area(), label=Announcement.SECTIONS[2][1])
    unchanged = forms.CharField(required=False, widget=_area(), label=Announcement.SECTIONS[3][1])
    links = forms.CharField(required=False, widget=_area(3), help_text=LINKS_HELP)
    plans = forms.ModelMultipleChoiceField(
        queryset=PlanDocument.objects.none(),
        required=False,
        label="Plans it explains",
        help_text="The plan versions this announcement explains (hold Ctrl/⌘ for several).",
    )
    quota_period = forms.CharField(
        required=False,
        max_length=10,
        label="Quota period it explains",
        help_text="e.g. 2026-Q1, 2026-H1, 2026-03 or 2026.",
    )
    quota_name = forms.CharField(
        required=False, max_length=64, label="Quota", help_text="e.g. revenue; empty: all quotas."
    )

    def __init__(self, *args, targets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Announcement.Audience.choices
        if not targets["everyone"]:
            kinds = [c for c in kinds if c[0] != Announcement.Audience.EVERYONE]
        self.fields["audience"].choices = kinds
        self.fields["region"].choices = [("", "—")] + [(r, r) for r in targets["regions"]]
        self.fields["team"].queryset = targets["teams"]
        self.fields["territory"].queryset = targets["territories"]
        self.fields["plans"].queryset = PlanDocument.objects.order_by("plan_id", "version")

    def clean_quota_period(self) -> str:
        return check_quota_period(self.cleaned_data["quota_period"])

    def clean(self):
        data = super().clean()
        if data.get("quota_name") and not data.get("quota_period"):
            self.add_error("quota_period", "Give the period of the quota as well.")
        return data

    def clean_links(self) -> tuple[Link, ...]:
        links = []
        for n, line in enumerate(self.cleaned_data["links"].splitlines(), start=1):
            if not line.strip():
                continue
            title, _, url = line.rpartition("|") if "|" in line else ("", "", line)
            try:
                url = check_link_url(url)
            except ValidationError as error:
                raise ValidationError(f"Line {n}: {error.messages[0]}") from error
            links.append(Link(title=title.strip(), url=url))
        return tuple(links)

    def to_draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            title=data["title"],
            audience=data["audience"],
            region=data.get("region") or "",
            team=data.get("team"),
            territory=data.get("territory"),
            why=data["why"],
            priorities=data["priorities"],
            adjustments=data["adjustments"],
            unchanged=data["unchanged"],
            links=data["links"],
            plans=tuple(data.get("plans") or ()),
            quota_period=data.get("quota_period") or "",
            quota_name=(data.get("quota_name") or "").strip(),
        )

    @staticmethod
    def initial_for(announcement: Announcement) -> dict:
        initial = {key: getattr(announcement, key) for key, _label in Announcement.SECTIONS}
        initial.update(
            title=announcement.title,
            audience=announcement.audience,
            region=announcement.audience_region,
            team=announcement.audience_team_id,
            territory=announcement.audience_territory_id,
            links="\n".join(f"{link.title} | {link.url}" for link in announcement.links.all()),
            plans=list(announcement.plans.values_list("pk", flat=True)),
            quota_period=announcement.quota_period,
            quota_name=announcement.quota_name,
        )
        return initial


class QuestionForm(forms.Form):
    body = forms.CharField(label="Your question", max_length=2000, widget=_area(3))
    visibility = forms.ChoiceField(
        choices=Question.Visibility.choices,
        initial=Question.Visibility.AUDIENCE,
        widget=forms.RadioSelect,
        label="Who sees it",
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=_area(3))
