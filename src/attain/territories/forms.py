from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When

from attain.common import in_force_on
from attain.engine import EngineError
from attain.engine.periods import Period, parse_period, period_of
from attain.people.forms import RepsPickField, too_many_to_list
from attain.people.models import Rep
from attain.sales.models import Account
from attain.territories.models import Territory, TerritoryOwner


class TerritoryFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or id"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Territory.Kind.choices])


class AssignmentFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Account name or id"}),
    )
    show = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("", "Every account"), ("uncaught", "Only accounts no rule catches")],
    )


MEASURE_CHOICES = [
    ("potential", "Potential"),
    ("accounts", "Account count"),
    ("pipeline", "Open pipeline"),
]


def _band_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        min_value=0, max_value=100, decimal_places=2, required=False,
        label=f"Band on {label.lower()} (%)",
    )  # fmt: skip


class BandsMixin(forms.Form):
    """Bands (±%) on the measures other than the one balanced on; blank = only reported."""

    band_potential = _band_field("Potential")
    band_accounts = _band_field("Account count")
    band_pipeline = _band_field("Open pipeline")

    def bands(self) -> dict[str, float]:
        """Measure → band as a fraction, for the measures given other than the primary."""
        data = self.cleaned_data
        return {
            measure: float(data[f"band_{measure}"]) / 100
            for measure, _ in MEASURE_CHOICES
            if data.get(f"band_{measure}") is not None and measure != data.get("primary")
        }


class DesignForm(BandsMixin, forms.Form):
    field_order = ["name", "territories", "primary", "tolerance", "band_potential",
                   "band_accounts", "band_pipeline"]  # fmt: skip
    name = forms.CharField(max_length=200, initial="New design")
    territories = forms.IntegerField(min_value=1, max_value=500, initial=6)
    primary = forms.ChoiceField(choices=MEASURE_CHOICES, label="Balance on")
    tolerance = forms.DecimalField(
        min_value=0, max_value=50, decimal_places=2, initial=2, label="Tolerance (%)"
    )
    seed = forms.IntegerField(min_value=0, initial=0, help_text="Same seed, same plan.")
    home_bases = forms.ModelMultipleChoiceField(
        queryset=Rep.objects.none(),
        required=False,
        label="Rep home bases",
        help_text="Each chosen rep's home seeds a territory, which they own in the proposal.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    locked = forms.CharField(
        required=False,
        label="Locked accounts",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "A-00012 = 3\nA-00420 = R-0007"}),
        help_text=(
            "One per line: account external id = territory number (1…N), or = the external "
            "id of a chosen home-base rep. Locked accounts stay where you put them."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        located = Rep.objects.filter(home_latitude__isnull=False, home_longitude__isnull=False)
        self.fields["home_bases"].queryset = located.order_by("name")

    def clean(self):
        data = super().clean()
        k = data.get("territories")
        bases = list(data.get("home_bases") or [])
        if k is not None and len(bases) > k:
            self.add_error("home_bases", f"Choose at most {k} home bases for {k} territories.")
            return data
        data["home_bases"] = sorted(bases, key=lambda rep: rep.name)
        if k is not None:
            data["locked"] = self._locks(data.get("locked", ""), k, data["home_bases"])
        return data

    def _locks(self, text: str, k: int, bases: list[Rep]) -> dict[int, int]:
        """Account id → 0-based territory index; errors name the line and the reason."""
        by_rep = {rep.external_id: index for index, rep in enumerate(bases)}
        wanted: dict[str, tuple[int, int]] = {}
        errors = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            account, sep, target = (part.strip() for part in line.partition("="))
            if not sep or not account or not target:
                errors.append(f"line {number}: write 'account id = territory number'")
            elif target in by_rep:
                wanted[account] = (number, by_rep[target])
            elif target.isdigit() and 1 <= int(target) <= k:
                wanted[account] = (number, int(target) - 1)
            else:
                errors.append(
                    f"line {number}: {target!r} is neither a territory number 1…{k} "
                    "nor a chosen home-base rep"
                )
        found = dict(
            Account.objects.filter(external_id__in=list(wanted)).values_list("external_id", "id")
        )
        for account, (number, _) in wanted.items():
            if account not in found:
                errors.append(f"line {number}: no account with external id {account!r}")
        if errors:
            self.add_error("locked", errors)
            return {}
        return {found[account]: territory for account, (_, territory) in wanted.items()}


class NewHireField(RepsPickField):
    """Reps for new territories; in a list, the label says whether they own a territory
    today and have a home base, which decide how their territory is seeded. Above
    ``REP_PICKER_LIMIT`` reps, one per line with a search box (people.forms)."""

    def __init__(self, *args, owning: set[int] = frozenset(), search: bool = False, **kwargs):
        super().__init__(*args, search=search, **kwargs)
        self.owning = owning

    def label_from_instance(self, rep: Rep) -> str:
        owns = "owns a territory" if rep.id in self.owning else "no territory"
        home = (
            "home set"
            if rep.home_latitude is not None and rep.home_longitude is not None
            else "no home"
        )
        return f"{rep.name} ({rep.external_id}) · {owns} · {home}"


class RealignForm(BandsMixin, forms.Form):
    field_order = ["name", "primary", "tolerance", "band_potential", "band_accounts",
                   "band_pipeline", "penalty"]  # fmt: skip
    name = forms.CharField(max_length=200, initial="Realignment")
    primary = forms.ChoiceField(choices=MEASURE_CHOICES, label="Balance on")
    tolerance = forms.DecimalField(
        min_value=0, max_value=50, decimal_places=2, initial=5, label="Tolerance (%)"
    )
    penalty = forms.DecimalField(
        min_value=0, max_value=100000, decimal_places=1, initial=100, label="Move penalty (km)"
    )
    allow_open_deals = forms.BooleanField(required=False, label="May move accounts with open deals")
    new_hires = NewHireField(
        queryset=Rep.objects.none(),
        required=False,
        label="New territories for new hires",
        help_text=(
            "Each chosen rep gets a new territory, which they own, filled from its neighbours. "
            "Reps without a territory today come first."
        ),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    areas = forms.CharField(
        required=False,
        label="Where new territories start",
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "R-0042 = West California\nR-0043 = TX"}
        ),
        help_text=(
            "Optional, one per line: rep external id = a territory of today, a state or a "
            "region. Otherwise a new territory starts at the rep's home, or in the busiest "
            "territory when the rep has no home coordinates."
        ),
    )

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        day = today or dt.date.today()
        owning = set(
            TerritoryOwner.objects.filter(
                in_force_on(day), in_force_on(day, "territory__")
            ).values_list("rep_id", flat=True)
        )
        active = Rep.objects.filter(
            Q(hire_date__isnull=True) | Q(hire_date__lte=day),
            Q(termination_date__isnull=True) | Q(termination_date__gt=day),
        ).annotate(
            owns=Case(When(id__in=list(owning), then=Value(1)), default=Value(0),
                      output_field=IntegerField())
        )  # fmt: skip
        field = self.fields["new_hires"]
        choices = active.order_by("owns", "name", "id")
        if too_many_to_list(choices):
            field = self.fields["new_hires"] = NewHireField(
                choices, search=True, required=False, label=field.label, help_text=field.help_text
            )
        field.queryset = choices
        field.owning = owning

    def clean(self):
        data = super().clean()
        hires = list(data.get("new_hires") or [])
        data["new_hires"] = hires
        by_id = {rep.external_id: rep for rep in hires}
        areas: dict[int, str] = {}
        errors = []
        for number, line in enumerate(data.get("areas", "").splitlines(), start=1):
            if not line.strip():
                continue
            rep, sep, area = (part.strip() for part in line.partition("="))
            if not sep or not rep or not area:
                errors.append(f"line {number}: write 'rep id = territory, state or region'")
            elif rep not in by_id:
                errors.append(f"line {number}: {rep!r} is not one of the chosen new hires")
            else:
                areas[by_id[rep].id] = area
        if errors:
            self.add_error("areas", errors)
        data["areas"] = areas
        return data


class ApplyForm(forms.Form):
    valid_from = forms.DateField(
        label="Effective from", widget=forms.DateInput(attrs={"type": "date"})
    )


class PerformanceForm(forms.Form):
    period = forms.CharField(
        required=False,
        max_length=10,
        help_text="2026, 2026-H1, 2026-Q1 or 2026-03; empty for this quarter.",
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_period(self) -> str:
        text = self.cleaned_data["period"].strip()
        if text:
            try:
                parse_period(text)
            except (EngineError, ValueError):
                raise forms.ValidationError(
                    f"{text!r} is not a period: use 2026, 2026-H1, 2026-Q1 or 2026-03."
                ) from None
        return text

    def window(self) -> Period:
        text = self.cleaned_data.get("period") if self.is_valid() else ""
        return parse_period(text) if text else period_of(self.today, "quarter")
