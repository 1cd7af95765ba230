from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from attain.people import selectors as people
from attain.reports.paging import PAGE_SIZE, page_of, render_list
from attain.sales.models import Account
from attain.sales.selectors import accounts_visible_to
from attain.territories import selectors, services
from attain.territories.design import svgmap
from attain.territories.forms import (
    ApplyForm,
    AssignmentFilterForm,
    DesignForm,
    PerformanceForm,
    RealignForm,
    TerritoryFilterForm,
)
from attain.territories.models import Scenario
from attain.territories.performance import territory_performance


def _require_territory_role(user) -> None:
    # Reps have no territory pages at all (a role rule, so 403 rather than 404).
    if not selectors.may_view_territories(user):
        raise PermissionDenied("Territory pages are for managers, finance and admins.")


def _require_scenario_reader(user) -> None:
    if not selectors.may_view_scenarios(user):
        raise PermissionDenied("Territory scenarios are for admins and finance.")


def _require_designer(user) -> None:
    if not selectors.may_design(user):
        raise PermissionDenied("Only admins design and apply territory plans.")


@login_required
def territory_list(request):
    _require_territory_role(request.user)
    day = people.today()
    territories = selectors.territories_visible_to(request.user, day)
    form = TerritoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.search_territories(
        territories, q=filters.get("q", ""), kind=filters.get("kind", "")
    )
    context = {
        "form": form,
        "page": page_of(request, selectors.with_current_owners(found, day)),
        "any": territories.exists(),
        "today": day,
        "role": people.role_of(request.user),
    }
    return render_list(
        request, "territories/territory_list.html", "territories/_territory_results.html", context
    )


@login_required
def territory_detail(request, pk: int):
    _require_territory_role(request.user)
    day = people.today()
    territory = get_object_or_404(selectors.territories_visible_to(request.user, day), pk=pk)
    assigned, elsewhere = selectors.accounts_of_territory(
        territory, accounts_visible_to(request.user, day), day
    )
    context = {
        "territory": territory,
        "owners": selectors.owner_history(territory, day),
        "accounts": Paginator(assigned, PAGE_SIZE).get_page(request.GET.get("page")),
        "elsewhere": elsewhere,
        "today": day,
    }
    return render(request, "territories/territory_detail.html", context)


@login_required
def performance(request):
    """Won revenue, attainment, pipeline and potential per territory and region."""
    _require_territory_role(request.user)
    day = people.today()
    form = PerformanceForm(request.GET or None, today=day)
    window = form.window()
    report = territory_performance(selectors.territories_visible_to(request.user, day), window, day)
    return render(
        request, "territories/performance.html", {"form": form, "report": report, "today": day}
    )


@login_required
def assignment(request):
    """Every account the user can see, its territory today and why."""
    _require_territory_role(request.user)
    day = people.today()
    form = AssignmentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.assignment_rows(
        accounts_visible_to(request.user, day),
        day,
        uncaught_only=filters.get("show") == "uncaught",
        q=filters.get("q", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    accounts = Account.objects.in_bulk([i for i, _ in page.object_list])
    page.object_list = [(accounts[i], a) for i, a in page.object_list]
    uncaught = sum(1 for _, a in rows if a.territory_id is None)
    context = {"form": form, "page": page, "today": day, "uncaught": uncaught}
    return render_list(
        request, "territories/assignment.html", "territories/_assignment_results.html", context
    )


@login_required
def scenario_list(request):
    _require_scenario_reader(request.user)
    scenarios = selectors.scenarios_visible_to(request.user)
    context = {
        "page": page_of(request, scenarios),
        "may_design": selectors.may_design(request.user),
        "design_form": DesignForm(),
        "today": people.today(),
    }
    return render(request, "territories/scenario_list.html", context)


@login_required
def scenario_new(request):
    _require_designer(request.user)
    form = DesignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scenario = services.create_design(
                name=data["name"],
                user=request.user,
                as_of=people.today(),
                k=data["territories"],
                primary=data["primary"],
                tolerance=float(data["tolerance"]) / 100,
                seed=data["seed"],
                locked=data["locked"],
                home_bases=data["home_bases"],
                bands=form.bands(),
            )
        except services.TerritoryError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("territories:scenario_detail", pk=scenario.pk)
    return render(request, "territories/scenario_new.html", {"form": form})


@login_required
def realign(request):
    """The trade-off table for a few move penalties, and the form to keep one.

    *Show the trade-off* recomputes the table with the form's measure, tolerance, open-deal
    choice and new hires; *Make scenario* keeps the chosen penalty as a draft scenario.
    """
    _require_designer(request.user)
    day = people.today()
    form = RealignForm(request.POST or None, today=day)
    settings = {"primary": "potential", "tolerance": 0.05, "allow_open_deals": False, "bands": {}}
    hires: list = []
    areas: dict = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        settings = {
            "primary": data["primary"],
            "tolerance": float(data["tolerance"]) / 100,
            "allow_open_deals": data["allow_open_deals"],
            "bands": form.bands(),
        }
        hires, areas = data["new_hires"], data["areas"]
        if request.POST.get("action") != "preview":
            try:
                scenario = services.create_realignment(
                    name=data["name"], user=request.user, as_of=day,
                    penalty_km=float(data["penalty"]), new_hires=hires, areas=areas, **settings,
                )  # fmt: skip
            except services.TerritoryError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("territories:scenario_detail", pk=scenario.pk)
    options, error, placed = [], "", []
    try:
        book, _, options = services.realign_options(day, new_hires=hires, areas=areas, **settings)
        placed = book.new_hires
    except services.TerritoryError as exc:
        error = str(exc)
    context = {
        "form": form,
        "options": options,
        "error": error,
        "today": day,
        "measure": services.MEASURES[settings["primary"]],
        "measures": services.MEASURES,
        "settings": settings,
        "placed": placed,
        "notes": list(dict.fromkeys(note for o in options for note in o.notes)),
    }
    return render(request, "territories/realign.html", context)


def _maps(scenario: Scenario, comparison) -> tuple[str, str]:
    rows = scenario.assignments.filter(account__latitude__isnull=False).values_list(
        "account__longitude", "account__latitude", "territory__index", "current_territory_id"
    )
    index = {t: i for i, t in enumerate(scenario.quality.get("current_ids", []))}
    proposed, current = [], []
    for lon, lat, t, now in rows:
        proposed.append((float(lon), float(lat), t))
        current.append((float(lon), float(lat), index.get(now, -1)))
    return (
        svgmap.render(proposed, [c.name for c in comparison.proposed], label="Proposed plan"),
        svgmap.render(current, [c.name for c in comparison.current], label="Today's plan"),
    )


def _measure_rows(scenario: Scenario) -> list[dict]:
    """Each measure's max deviation in both plans and what the scenario asked of it: the
    primary within its tolerance, a band, or only reported."""
    params, quality = scenario.parameters, scenario.quality
    primary = params.get("primary", "potential")
    bands = quality.get("bands", {})
    rows = []
    for measure, label in services.MEASURES.items():
        proposed = quality["proposed"]["balance"][measure]["max_deviation"]
        if measure == primary:
            limit = params.get("tolerance")
            role = "balanced on"
        elif measure in bands:
            limit, role = bands[measure]["band"], "band"
        else:
            limit, role = None, "reported"
        rows.append({
            "label": label, "role": role, "limit": limit, "proposed": proposed,
            "current": quality["current"]["balance"][measure]["max_deviation"],
            "inside": None if limit is None else proposed <= limit + 1e-9,
        })  # fmt: skip
    return rows


@login_required
def scenario_detail(request, pk: int):
    _require_scenario_reader(request.user)
    scenario = get_object_or_404(selectors.scenarios_visible_to(request.user), pk=pk)
    comparison = selectors.comparison(scenario)
    proposed_map, current_map = _maps(scenario, comparison)
    for i, column in enumerate(comparison.proposed):
        column.colour = svgmap.colour(i)
    for i, column in enumerate(comparison.current):
        column.colour = svgmap.colour(i)
    context = {
        "scenario": scenario,
        "c": comparison,
        "measures": _measure_rows(scenario),
        "proposed_map": mark_safe(proposed_map),  # noqa: S308 - built by svgmap, text escaped
        "current_map": mark_safe(current_map),  # noqa: S308
        "apply_form": ApplyForm(initial={"valid_from": people.today()}),
        "may_design": selectors.may_design(request.user),
        "summary": {
            "proposed_dev": comparison.proposed_quality["balance"][comparison.primary][
                "max_deviation"
            ],
            "current_dev": comparison.current_quality["balance"][comparison.primary][
                "max_deviation"
            ],
        },
    }
    return render(request, "territories/scenario_detail.html", context)


@login_required
@require_POST
def scenario_apply(request, pk: int):
    _require_designer(request.user)
    scenario = get_object_or_404(Scenario, pk=pk)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date the new plan takes effect.")
        return redirect("territories:scenario_detail", pk=pk)
    day = form.cleaned_data["valid_from"]
    try:
        services.apply_scenario(scenario, day, by=request.user)
    except services.TerritoryError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"“{scenario.name}” is the territory plan from {day:%Y-%m-%d}.")
    return redirect("territories:scenario_detail", pk=pk)
