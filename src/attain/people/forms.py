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


def too_many_to_list(reps: QuerySet[Rep]) -> bool:
    """Whether a form offers ``reps`` through a search box rather than a list."""
    return reps.count() > REP_PICKER_LIMIT


def rep_filter_field(reps: QuerySet[Rep], *, label: str, empty_label: str) -> forms.Field:
    """A list filter's rep: picked from ``reps``, or searched for when they are many. The
    cleaned value is a ``Rep`` or the search text (``people.selectors.rep_text_q``)."""
    if too_many_to_list(reps):
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
        return find_rep(self.queryset, text) if text else None


def find_rep(reps: QuerySet[Rep], text: str, *, allow_pk: bool = True) -> Rep:
    """The one rep of ``reps`` that ``text`` names: a picked suggestion "Name (rep id)", a
    whole rep id, a unique full name, or (``allow_pk``: for links to filtered lists) a pk in
    digits when no rep id is those digits. ValidationError when none or several match."""
    labelled = LABELLED.match(text)
    if labelled:
        rep = reps.filter(external_id=labelled["external_id"].strip()).first()
        if rep is not None:
            return rep
    by_id = list(reps.filter(external_id__iexact=text)[:2])
    if len(by_id) == 1:
        return by_id[0]
    named = list(reps.filter(name__iexact=text)[:2])
    if len(named) == 1:
        return named[0]
    if allow_pk and not named and text.isdigit() and not by_id:
        rep = reps.filter(pk=int(text)).first()
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
    return RepPickField(reps, search=too_many_to_list(reps), **kwargs)


class RepsSearchInput(forms.Textarea):
    """Many reps, one per line, and a search box that adds the suggestion picked in it as
    a line (static/attain/rep-picker.js). Without JavaScript, rep ids or full names typed
    one per line still pick the reps."""

    def __init__(self, attrs=None):
        defaults = {"rows": 4, "placeholder": "One rep per line: a rep id or a full name"}
        super().__init__({**defaults, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = attrs.get("id") or f"id_{name}"
        attrs["id"] = list_id
        lines = super().render(name, value, attrs, renderer)
        adder = format_html(
            '<input type="search" id="{0}-add" list="{0}-suggestions" autocomplete="off" '
            'data-rep-suggest="{1}" data-rep-add-to="{0}" aria-label="Add a rep" '
            'placeholder="Add a rep: type a name or a rep id"><datalist id="{0}-suggestions">'
            "</datalist>",
            list_id,
            reverse("people:rep_suggest"),
        )
        return format_html('<span class="rep-list">{}{}</span>', lines, adder)


class RepsPickField(forms.ModelMultipleChoiceField):
    """Reps of ``queryset``: a multiple list when there are few, one rep per line with a
    search box that adds suggestions when there are many (above ``REP_PICKER_LIMIT``).
    Each line is read as ``find_rep`` reads a search box; a line that names no rep, or
    several, is an error naming the line. The cleaned value is a queryset, in
    ``queryset``'s order, as a multiple list gives."""

    def __init__(self, queryset, *, search: bool, **kwargs):
        self.search = search
        if search:
            kwargs["widget"] = RepsSearchInput()
        super().__init__(queryset, **kwargs)

    def prepare_value(self, value):
        if not self.search:
            return super().prepare_value(value)
        if value is None or isinstance(value, str):
            return value or ""  # empty, or the lines as typed
        labels = []
        for item in value:  # reps, or the pks of an initial value
            rep = item if isinstance(item, Rep) else self.queryset.filter(pk=item).first()
            labels.append(rep_label(rep) if rep is not None else str(item))
        return "\n".join(labels)

    def has_changed(self, initial, data) -> bool:
        if not self.search:
            return super().has_changed(initial, data)
        return self.prepare_value(initial or []).strip() != (data or "").strip()

    def clean(self, value):
        if not self.search:
            return super().clean(value)
        picked: list[int] = []
        errors: list[str] = []
        for number, line in enumerate((value or "").splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            try:
                rep = find_rep(self.queryset, text, allow_pk=False)  # typed, not linked
            except ValidationError as error:
                errors.append(f"Line {number}: {error.messages[0]}")
                continue
            if rep.pk not in picked:
                picked.append(rep.pk)
        if errors:
            raise ValidationError(errors, code="invalid_choice")
        if not picked and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return self.queryset.filter(pk__in=picked)


def reps_pick_field(reps: QuerySet[Rep], **kwargs) -> RepsPickField:
    """A form's reps, among ``reps``: a multiple list, or one per line with a search box
    when they are many. ``widget`` applies to the list only."""
    search = too_many_to_list(reps)
    if search:
        kwargs.pop("widget", None)
    return RepsPickField(reps, search=search, **kwargs)


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
