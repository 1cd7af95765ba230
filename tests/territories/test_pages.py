"""Territory pages: every page × role, and what the pages show and do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from attain.territories import services
from attain.territories.models import Scenario
from tests.web.conftest import LOGIN_FOR_ROLE, TODAY

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "rep", "manager", "finance", "admin"]
NOT_REP = {"rep": 403, "manager": 200, "finance": 200, "admin": 200}
READERS = {"rep": 403, "manager": 403, "finance": 200, "admin": 200}
ADMIN_ONLY = {"rep": 403, "manager": 403, "finance": 403, "admin": 200}


def scenario_url(name):
    def build(org):
        scenario = services.create_design(name="S", user=None, as_of=TODAY, k=2)
        return reverse(name, args=[scenario.pk])

    return build


def fixed(name):
    return lambda org: reverse(name)


PAGES = [
    ("assignment", fixed("territories:assignment"), NOT_REP),
    ("scenario list", fixed("territories:scenario_list"), READERS),
    ("design form", fixed("territories:scenario_new"), ADMIN_ONLY),
    ("realign", fixed("territories:realign"), ADMIN_ONLY),
    ("scenario detail", scenario_url("territories:scenario_detail"), READERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "url_for", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_matrix(client, geo_org, page, url_for, expected, role):
    url = url_for(geo_org)
    if role != "anonymous":
        geo_org.login(client, LOGIN_FOR_ROLE[role])
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
        return
    assert response.status_code == expected[role], f"{page} as {role}"


@pytest.mark.parametrize("role", ["rep", "manager", "finance"])
def test_only_admins_design_and_apply(client, geo_org, role):
    scenario = services.create_design(name="S", user=None, as_of=TODAY, k=2)
    geo_org.login(client, LOGIN_FOR_ROLE[role])
    new = client.post(reverse("territories:scenario_new"), {"name": "x", "territories": 2,
                      "primary": "potential", "tolerance": "2", "seed": 0})  # fmt: skip
    assert new.status_code == 403
    apply = client.post(
        reverse("territories:scenario_apply", args=[scenario.pk]), {"valid_from": "2026-03-01"}
    )
    assert apply.status_code == 403
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.DRAFT and Scenario.objects.count() == 1


def test_assignment_page_shows_reasons_and_filters_uncaught(client, geo_org):
    geo_org.login(client, "admin")
    everything = client.get(reverse("territories:assignment"))
    html = everything.content.decode()
    assert "listed account → East key accounts" in html
    assert "region West, state CA → West California" in html
    assert everything.context["uncaught"] == 1
    only = client.get(reverse("territories:assignment"), {"show": "uncaught"})
    rows = only.context["page"].object_list
    assert [a.name for a, _ in rows] == ["Erin Customer Inc"]
    assert "no rule catches it" in only.content.decode()


def test_manager_sees_only_accounts_of_their_subtree_on_assignment(client, geo_org):
    geo_org.login(client, "walt")
    names = {a.name for a, _ in client.get(reverse("territories:assignment")).context["page"]}
    assert names == {"Walt Customer Inc", "Wendy Customer Inc", "Will Customer Inc"}


def test_admin_designs_compares_and_applies_through_the_pages(client, geo_org):
    geo_org.login(client, "admin")
    response = client.post(
        reverse("territories:scenario_new"),
        {"name": "Two halves", "territories": 2, "primary": "potential", "tolerance": "5",
         "seed": 0},
    )  # fmt: skip
    assert response.status_code == 302
    scenario = Scenario.objects.get(name="Two halves")
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert detail.status_code == 200 and html.count("<svg") == 2 and "<polygon" in html
    assert "East New York" in html and "Apply the plan" in html
    applied = client.post(
        reverse("territories:scenario_apply", args=[scenario.pk]), {"valid_from": "2026-03-01"}
    )
    assert applied.status_code == 302
    scenario.refresh_from_db()
    assert scenario.applied_from == dt.date(2026, 3, 1)
    again = client.post(
        reverse("territories:scenario_apply", args=[scenario.pk]), {"valid_from": "2026-03-01"},
        follow=True,
    )  # fmt: skip
    assert "already applied" in again.content.decode()


def test_design_form_reports_a_clear_error(client, geo_org):
    geo_org.login(client, "admin")
    response = client.post(
        reverse("territories:scenario_new"),
        {"name": "Too many", "territories": 400, "primary": "potential", "tolerance": "2",
         "seed": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert "30 accounts cannot fill 400 territories." in response.content.decode()


def test_realign_page_shows_the_trade_off_and_makes_a_scenario(client, geo_org):
    geo_org.login(client, "admin")
    page = client.get(reverse("territories:realign"))
    assert [o.penalty_km for o in page.context["options"]] == list(services.REALIGN_PENALTIES_KM)
    made = client.post(reverse("territories:realign"), {"name": "Rebalance", "primary": "potential",
                       "tolerance": "5", "penalty": "100"})  # fmt: skip
    assert made.status_code == 302
    assert Scenario.objects.get(name="Rebalance").kind == Scenario.Kind.REALIGN


def test_territory_detail_shows_why_each_account_is_there(client, geo_org):
    geo_org.login(client, "admin")
    url = reverse("territories:territory_detail", args=[geo_org.territories["ny"].pk])
    html = client.get(url).content.decode()
    assert "region East, state NY → East New York" in html


def test_design_with_home_bases_and_locked_accounts(client, geo_org):
    from tests.territories.conftest import NY, SF

    eddie, will = geo_org.reps["eddie"], geo_org.reps["will"]
    (eddie.home_latitude, eddie.home_longitude) = NY
    (will.home_latitude, will.home_longitude) = SF
    eddie.save()
    will.save()
    geo_org.login(client, "admin")
    response = client.post(
        reverse("territories:scenario_new"),
        {"name": "Homes", "territories": 2, "primary": "potential", "tolerance": "50",
         "seed": 0, "home_bases": [eddie.pk, will.pk], "locked": "GEO-00 = R-EDDIE\nGEO-01 = 2"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    scenario = Scenario.objects.get(name="Homes")
    territories = {t.index: t for t in scenario.territories.all()}
    assert territories[0].owner == eddie and territories[1].owner == will  # by name order
    where = {a.account.external_id: a.territory.index for a in scenario.assignments.all()}
    assert where["GEO-00"] == 0  # a San Francisco account, locked into Eddie's territory
    assert where["GEO-01"] == 1  # a New York account, locked into territory 2
    assert where["GEO-03"] == 0 and where["GEO-02"] == 1  # the rest follow the homes
    assert scenario.parameters["home_bases"] == [eddie.pk, will.pk]


def test_design_form_explains_bad_locks(client, geo_org):
    geo_org.login(client, "admin")
    response = client.post(
        reverse("territories:scenario_new"),
        {"name": "Bad", "territories": 2, "primary": "potential", "tolerance": "5", "seed": 0,
         "locked": "GEO-00 = 7\nNOPE = 1\njunk"},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "line 1: &#x27;7&#x27; is neither a territory number 1…2" in page
    assert "line 2: no account with external id &#x27;NOPE&#x27;" in page
    assert "line 3: write &#x27;account id = territory number&#x27;" in page
    assert not Scenario.objects.filter(name="Bad").exists()


def _hire():
    from attain.people.models import Rep

    return Rep.objects.create(external_id="R-NINA", name="Nina New", home_latitude="41.88",
                              home_longitude="-87.63")  # fmt: skip


def test_admin_realigns_with_a_new_hire_through_the_page(client, geo_org):
    from attain.people.models import Rep

    nina = _hire()
    Rep.objects.create(external_id="R-GONE", name="Gone Rep", termination_date=TODAY)
    geo_org.login(client, "admin")
    page = client.get(reverse("territories:realign"))
    choices = [label for _, label in page.context["form"].fields["new_hires"].choices]
    # Reps without a territory today come first; each label says how it will be seeded.
    assert choices[0] == "Erin Example (R-ERIN) · no territory · no home"
    assert "Nina New (R-NINA) · no territory · home set" in choices
    assert choices[-1] == "Will Example (R-WILL) · owns a territory · no home"
    assert not any(c.startswith("Gone") for c in choices)  # reps who left are not offered
    form = {"name": "With Nina", "primary": "potential", "tolerance": "5", "penalty": "100",
            "new_hires": [nina.pk]}  # fmt: skip
    preview = client.post(reverse("territories:realign"), {**form, "action": "preview"})
    assert preview.status_code == 200 and not Scenario.objects.exists()
    html = preview.content.decode()
    assert "With 1 new territory: Nina New (seeded at their home)" in html
    assert len(preview.context["options"]) == len(services.REALIGN_PENALTIES_KM)
    assert all(o.assignment.max() == 3 for o in preview.context["options"])
    made = client.post(reverse("territories:realign"), {**form, "action": "make"})
    assert made.status_code == 302
    scenario = Scenario.objects.get(name="With Nina")
    assert scenario.territories.count() == 4
    assert scenario.territories.get(index=3).owner == nina
    assert "(Nina New)" in client.get(made["Location"]).content.decode()


def test_realign_with_many_reps_takes_new_hires_one_per_line(client, geo_org, monkeypatch):
    from attain.people import forms as people_forms

    monkeypatch.setattr(people_forms, "REP_PICKER_LIMIT", 1)
    _hire()
    geo_org.login(client, "admin")
    page = client.get(reverse("territories:realign")).content.decode()
    assert '<textarea name="new_hires"' in page and 'data-rep-add-to="id_new_hires"' in page
    form = {"name": "With Nina", "primary": "potential", "tolerance": "5", "penalty": "100",
            "new_hires": "Nina New (R-NINA)", "action": "preview"}  # fmt: skip
    preview = client.post(reverse("territories:realign"), form)
    assert "With 1 new territory: Nina New (seeded at their home)" in preview.content.decode()
    wrong = client.post(reverse("territories:realign"), {**form, "new_hires": "R-NINA\nR-NOPE"})
    assert "Line 2: No rep you can choose matches “R-NOPE”" in wrong.content.decode()


def test_realign_form_explains_bad_areas(client, geo_org):
    nina = _hire()
    geo_org.login(client, "admin")
    response = client.post(
        reverse("territories:realign"),
        {"name": "Bad", "primary": "potential", "tolerance": "5", "penalty": "100",
         "new_hires": [nina.pk], "areas": "R-NINA = Atlantis\nR-WILL = CA\njunk"},
    )  # fmt: skip
    page = response.content.decode()
    assert "line 2: &#x27;R-WILL&#x27; is not one of the chosen new hires" in page
    assert "line 3: write &#x27;rep id = territory, state or region&#x27;" in page
    response = client.post(
        reverse("territories:realign"),
        {"name": "Bad", "primary": "potential", "tolerance": "5", "penalty": "100",
         "new_hires": [nina.pk], "areas": "R-NINA = Atlantis"},
    )  # fmt: skip
    assert "No located account is in the area &#x27;Atlantis&#x27;" in response.content.decode()
    assert not Scenario.objects.exists()


@pytest.mark.parametrize("role", ["rep", "manager", "finance"])
def test_only_admins_realign_with_new_hires(client, geo_org, role):
    nina = _hire()
    geo_org.login(client, LOGIN_FOR_ROLE[role])
    for action in ("preview", "make"):
        response = client.post(
            reverse("territories:realign"),
            {"name": "x", "primary": "potential", "tolerance": "5", "penalty": "100",
             "new_hires": [nina.pk], "action": action},
        )  # fmt: skip
        assert response.status_code == 403
    assert not Scenario.objects.exists()


def test_design_with_a_band_on_the_account_count(client, geo_org):
    geo_org.login(client, "admin")
    form = {"name": "Banded", "territories": 2, "primary": "potential", "tolerance": "5",
            "seed": 0, "band_accounts": "10", "band_potential": "1"}  # fmt: skip
    response = client.post(reverse("territories:scenario_new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    scenario = Scenario.objects.get(name="Banded")
    # The band on the primary (potential) is ignored: its tolerance rules.
    assert scenario.parameters["bands"] == {"accounts": 0.1}
    counts = [t.assignments.count() for t in scenario.territories.order_by("index")]
    assert all(13.5 <= c <= 16.5 for c in counts), counts  # 15 ± 10%
    assert scenario.quality["bands"]["accounts"]["inside"]
    rows = client.get(response["Location"]).context["measures"]
    assert [(r["label"], r["role"], r["inside"]) for r in rows] == [
        ("Potential", "balanced on", True), ("Account count", "band", True),
        ("Open pipeline", "reported", None),
    ]  # fmt: skip


def test_realign_trade_off_reports_bands(client, geo_org):
    geo_org.login(client, "admin")
    response = client.post(
        reverse("territories:realign"),
        {"name": "R", "primary": "potential", "tolerance": "5", "penalty": "100",
         "band_pipeline": "0", "action": "preview"},
    )  # fmt: skip
    options = response.context["options"]
    assert all(set(o.bands) == {"pipeline"} for o in options)
    html = response.content.decode()
    assert "Open pipeline ±0.0%" in html and ">outside<" in html


def test_scenario_list_shows_scenarios_made_by_no_one(client, geo_org):
    # Scenarios made through the services (or whose author was deleted) have no author.
    services.create_design(name="Unsigned", user=None, as_of=TODAY, k=2)
    geo_org.login(client, "finance")
    response = client.get(reverse("territories:scenario_list"))
    assert response.status_code == 200 and "Unsigned" in response.content.decode()
