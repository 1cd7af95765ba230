from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html

from attain.people.models import Rep, Team
from attain.people.selectors import rep_label

# Above this many reps to choose from, a rep filter is a search box (part of a name, or a
# whole rep id) instead of a list: a vice president's list ran to thousands of options.
REP_PICKER_LIMIT = 200


def rep_filter_field(reps: QuerySet[Rep], *, label: str, empty_label: str) -> forms.Field:
    """A list filter's rep: picked from ``reps``, or searched for when they are many. The
    cleaned value is a ``Rep`` or the search text (``people.selectors.rep_text_q``)."""
    if reps.count() > REP_PICKER_LIMIT:
        widget = forms.TextInput(attrs={"type": "search", "placeholder": "Name or rep id"})
        return forms.CharField(required=False, label=label, widget=widget)
    return forms.ModelChoiceField(
        queryset=reps, required=False, label=label, empty_label=empty_label
    )


class RepFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, title, email or id"}),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All teams"
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


# A picked suggestion reads "Name (rep id)" (people.selectors.rep_label).
LABELLED = re.compile(r"^.*\((?P<external_id>[^()]+)\)$")


class RepSearchInput(forms.TextInput):
    """A search box whose suggestions (a ``<datalist>``) are fetched as the user types, from
    ``people:rep_suggest`` (static/attain/rep-picker.js). Without JavaScript, a whole rep id
    or a full name typed in still picks the rep."""

    input_type = "search"

    def __init__(self, attrs=None):
        defaults = {"autocomplete": "off", "placeholder": "Type a name or a rep id"}
        super().__init__({**defaults, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        options = f"{attrs.get('id') or 'id_' + name}-suggestions"
        attrs.update({"list": options, "data-rep-suggest": reverse("people:rep_suggest")})
        box = super().render(name, value, attrs, renderer)
        return box + format_html('<datalist id="{}"></datalist>', options)


class RepPickField(forms.ModelChoiceField):
    """One rep of ``queryset``: a list when there are few, a search box with suggestions
    when there are many (above ``REP_PICKER_LIMIT``; a list of thousands of names weighed
    hundreds of kilobytes on every page that offered it). The cleaned value is a ``Rep``."""

    def __init__(self, queryset, *, search: bool, **kwargs):
        self.search = search
        if search:
            kwargs["widget"] = RepSearchInput()
        super().__init__(queryset, **kwargs)

    def prepare_value(self, value):
        if not self.search:
            return super().prepare_value(value)
        if isinstance(value, Rep):
            return rep_label(value)
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            rep = self._by_pk(value)  # an initial rep, or a link's ?rep=<pk>
            if rep is not None:
                return rep_label(rep)
        return value  # the text as typed

    def _by_pk(self, value) -> Rep | None:
        text = str(value).strip()
        if self.queryset.filter(external_id__iexact=text).exists():
            return None  # a rep id made of digits is read as the rep id
        return self.queryset.filter(pk=int(text)).first()

    def to_python(self, value):
        if not self.search:
            return super().to_python(value)
        text = (value or "").strip()
        if not text:
            return None
        labelled = LABELLED.match(text)
        if labelled:
            rep = self.queryset.filter(external_id=labelled["external_id"].strip()).first()
            if rep is not None:
                return rep
        by_id = list(self.queryset.filter(external_id__iexact=text)[:2])
        if len(by_id) == 1:
            return by_id[0]
        named = list(self.queryset.filter(name__iexact=text)[:2])
        if len(named) == 1:
            return named[0]
        if not named and text.isdigit():  # links to a filtered list carry ?rep=<pk>
            rep = self._by_pk(text)
            if rep is not None:
                return rep
        if named:
            raise ValidationError(
                f"More than one rep is named “{text}”: pick one from the suggestions, "
                "which show each rep's id.",
                code="ambiguous",
            )
        raise ValidationError(
            f"No rep you can choose matches “{text}”: type part of a name or a rep id, "
            "then pick a suggestion.",
            code="invalid_choice",
        )


def rep_pick_field(reps: QuerySet[Rep], **kwargs) -> RepPickField:
    """A form's rep, one of ``reps``: picked from a list, or searched for when they are many."""
    return RepPickField(reps, search=reps.count() > REP_PICKER_LIMIT, **kwargs)


class RepPickForm(forms.Form):
    """A page's one-rep picker (``?rep=…``), among ``reps``."""

    def __init__(
        self,
        *args,
        reps: QuerySet[Rep],
        empty_label: str | None = None,
        submit_on_pick: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        field = rep_pick_field(
            reps.order_by("name"),
            label="Rep",
            empty_label=empty_label,
            error_messages={"required": "Type a name or a rep id, then pick a rep."},
        )
        if submit_on_pick:  # the page shows the picked rep's data at once
            attrs = {"data-submit-on-pick": "1"} if field.search else {}
            field.widget.attrs.update(attrs or {"onchange": "this.form.submit()"})
        self.fields["rep"] = field
