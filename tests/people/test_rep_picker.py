"""Picking one rep among thousands: suggestions scoped to whom the user may see, and a
search box that reads a picked suggestion, a rep id or a full name back into a rep."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attain.leaderboards.models import Competition
from attain.people import forms, selectors
from attain.people.forms import RepPickForm, rep_pick_field
from attain.people.models import Rep
from tests.web.conftest import TODAY, set_today

pytestmark = pytest.mark.django_db

SUGGEST = "/people/reps/suggest/"


@pytest.fixture
def searching(monkeypatch):
    """Every rep picker of the test org is a search box (the org has 6 reps)."""
    monkeypatch.setattr(forms, "REP_PICKER_LIMIT", 1)


@pytest.fixture
def today(monkeypatch):
    set_today(monkeypatch, TODAY)


def suggestions(client, text):
    response = client.get(SUGGEST, {"q": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["results"]


# -- selectors ------------------------------------------------------------------------------


def test_suggestions_put_names_starting_with_the_text_first(org):
    Rep.objects.create(external_id="R-X1", name="Mary Walton")
    found = selectors.suggest_reps(Rep.objects.all(), "wal")
    # "Walt Example" starts with it; "Mary Walton" only contains it.
    assert [r.name for r in found] == ["Walt Example", "Mary Walton"]
    assert [r.name for r in selectors.suggest_reps(Rep.objects.all(), "r-ed")] == ["Eddie Example"]
    assert selectors.suggest_reps(Rep.objects.all(), "  ") == []
    assert len(selectors.suggest_reps(Rep.objects.all(), "example", limit=4)) == 4


def test_a_label_names_the_rep_and_their_id(org):
    assert selectors.rep_label(org.reps["eddie"]) == "Eddie Example (R-EDDIE)"


# -- the suggestions endpoint ------------------------------------------------------------------


def test_suggestions_are_only_reps_the_user_may_see(client, org, today):
    org.login(client, "admin")
    assert [r["label"] for r in suggestions(client, "e")][:2] == [
        "Eddie Example (R-EDDIE)",
        "Erin Example (R-ERIN)",
    ]
    first = suggestions(client, "eddie")[0]
    assert first == {
        "id": org.reps["eddie"].pk,
        "name": "Eddie Example",
        "external_id": "R-EDDIE",
        "label": "Eddie Example (R-EDDIE)",
    }
    client.logout()
    org.login(client, "walt")  # West's manager: West only
    names = {r["name"] for r in suggestions(client, "example")}
    assert names == {"Walt Example", "Wendy Example", "Will Example"}
    assert suggestions(client, "eddie") == []
    client.logout()
    org.login(client, "will")  # a rep: themself
    assert [r["name"] for r in suggestions(client, "example")] == ["Will Example"]


def test_suggestions_need_a_login_and_text(client, org):
    response = client.get(SUGGEST, {"q": "e"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    org.login(client, "admin")
    assert suggestions(client, "") == []
    assert client.post(SUGGEST, {"q": "e"}).status_code == 405


# -- the field ----------------------------------------------------------------------------------


def pick(text, reps=None):
    form = RepPickForm({"rep": text}, reps=reps if reps is not None else Rep.objects.all())
    return form.cleaned_data["rep"] if form.is_valid() else form.errors["rep"][0]


def test_few_reps_are_a_list_and_many_a_search_box(org, monkeypatch):
    few = str(RepPickForm(reps=Rep.objects.all())["rep"])
    assert few.startswith("<select") and few.count("<option") == 6
    monkeypatch.setattr(forms, "REP_PICKER_LIMIT", 5)
    box = str(RepPickForm(reps=Rep.objects.all(), initial={"rep": org.reps["will"]})["rep"])
    assert "<option" not in box
    assert 'type="search"' in box
    assert f'data-rep-suggest="{SUGGEST}"' in box
    assert 'list="id_rep-suggestions"' in box and '<datalist id="id_rep-suggestions">' in box
    assert 'value="Will Example (R-WILL)"' in box


def test_the_search_box_reads_a_suggestion_a_rep_id_or_a_full_name(org, searching):
    eddie = org.reps["eddie"]
    assert pick("Eddie Example (R-EDDIE)") == eddie
    assert pick("r-eddie") == eddie
    assert pick("  eddie example ") == eddie
    assert pick(str(eddie.pk)) == eddie  # links carry ?rep=<pk>
    assert pick("Ed") == (
        "No rep you can choose matches “Ed”: type part of a name or a rep id, "
        "then pick a suggestion."
    )
    assert pick("") == "Type a name or a rep id, then pick a rep."


def test_two_reps_of_one_name_must_be_told_apart_by_their_id(org, searching):
    twin = Rep.objects.create(external_id="R-EDDIE-2", name="Eddie Example")
    assert "More than one rep is named “Eddie Example”" in pick("Eddie Example")
    assert pick("Eddie Example (R-EDDIE-2)") == twin
    assert pick("Eddie Example (R-EDDIE)") == org.reps["eddie"]


def test_a_rep_id_made_of_digits_wins_over_an_internal_id(org, searching):
    eddie = org.reps["eddie"]
    numbered = Rep.objects.create(external_id=str(eddie.pk), name="Numbered Rep")
    assert pick(str(eddie.pk)) == numbered
    # Shown as typed (that rep id), not as Eddie
    box = str(RepPickForm(reps=Rep.objects.all(), initial={"rep": str(eddie.pk)})["rep"])
    assert f'value="{eddie.pk}"' in box and "Eddie" not in box


def test_only_reps_of_the_pickers_own_list_are_picked(org, searching):
    west = Rep.objects.filter(external_id__in=["R-WALT", "R-WENDY", "R-WILL"])
    assert pick("R-EDDIE", west).startswith("No rep you can choose matches")
    assert pick(str(org.reps["eddie"].pk), west).startswith("No rep you can choose matches")
    assert pick("R-WILL", west) == org.reps["will"]


def test_a_list_keeps_choosing_by_id(org):
    field = rep_pick_field(Rep.objects.all())
    assert not field.search
    assert field.clean(str(org.reps["will"].pk)) == org.reps["will"]


# -- the pages that pick a rep -----------------------------------------------------------------


def test_quota_form_with_many_reps_takes_a_picked_suggestion(client, org, searching):
    org.login(client, "admin")
    page = client.get(reverse("quotas:new")).content.decode()
    assert re.search(r'<input type="search" name="rep"[^>]*data-rep-suggest', page)
    data = {
        "rep": "Will Example (R-WILL)",
        "quota": "revenue",
        "period": "2026-Q3",
        "amount": "90000",
        "currency": "USD",
    }
    response = client.post(reverse("quotas:new"), data)
    assert response.status_code == 302
    assert org.reps["will"].quotas.get(period="2026-Q3").amount == 90000
    response = client.post(reverse("quotas:new"), {**data, "rep": "Nobody"})
    assert "No rep you can choose matches “Nobody”" in response.content.decode()


def test_coaching_lookup_with_many_reps_opens_the_picked_rep(client, org, searching):
    org.login(client, "admin")
    page = client.get(reverse("coaching:home")).content.decode()
    assert "<select" not in page.split("Open coaching profile")[0].split('aria-label="Open')[1]
    response = client.get(reverse("coaching:rep_lookup"), {"rep": "R-EDDIE"})
    assert response["Location"] == reverse("coaching:rep_profile", args=[org.reps["eddie"].pk])
    response = client.get(reverse("coaching:rep_lookup"), {"rep": "Example"}, follow=True)
    assert "No rep you can choose matches “Example”" in response.content.decode()


def test_estimator_with_many_reps_picks_by_name_and_says_when_none_matches(
    client, org, searching, today
):
    org.login(client, "finance")
    response = client.get(reverse("payouts:estimator"), {"rep": "Eddie Example (R-EDDIE)"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Eddie Example (R-EDDIE)"' in page and "data-submit-on-pick" in page
    assert "D-EDDIE-2" in page  # eddie's open deal is offered
    page = client.get(reverse("payouts:estimator"), {"rep": "Zed"}).content.decode()
    assert "No rep you can choose matches “Zed”" in page
    client.logout()
    org.login(client, "walt")
    assert (
        client.get(reverse("payouts:estimator"), {"rep": org.reps["eddie"].pk}).status_code == 404
    )


# -- many reps: one per line -------------------------------------------------------------------


def pick_many(text, reps=None, **kwargs):
    field = forms.reps_pick_field(reps if reps is not None else Rep.objects.all(), **kwargs)
    try:
        return list(field.clean(text))
    except ValidationError as error:
        return error.messages


def test_few_reps_are_a_multiple_list_and_many_lines_with_a_search_box(org, monkeypatch):
    listed = forms.reps_pick_field(Rep.objects.all(), required=False)
    assert not listed.search
    assert listed.clean([str(org.reps["will"].pk)]).get() == org.reps["will"]
    monkeypatch.setattr(forms, "REP_PICKER_LIMIT", 5)
    field = forms.reps_pick_field(Rep.objects.order_by("name"), required=False)
    html = field.widget.render("reps", field.prepare_value([org.reps["will"], org.reps["eddie"]]))
    assert "<option" not in html
    assert re.search(r'<textarea name="reps"[^>]*id="id_reps"[^>]*>\nWill Example \(R-WILL\)\n'
                     r"Eddie Example \(R-EDDIE\)</textarea>", html)  # fmt: skip
    assert 'data-rep-add-to="id_reps"' in html and f'data-rep-suggest="{SUGGEST}"' in html
    assert 'list="id_reps-suggestions"' in html and '<datalist id="id_reps-suggestions">' in html
    # An initial value of pks (a saved object's) shows as labels too.
    assert field.prepare_value([org.reps["walt"].pk]) == "Walt Example (R-WALT)"


def test_each_line_is_read_like_a_search_box(org, searching):
    will, eddie, walt = org.reps["will"], org.reps["eddie"], org.reps["walt"]
    text = "Will Example (R-WILL)\n\n  r-eddie \nwalt example\nR-WILL"
    # In the list's order (here by name), each rep once, blank lines skipped.
    assert pick_many(text, Rep.objects.order_by("name"), required=False) == [eddie, walt, will]
    assert pick_many("", required=False) == []
    assert pick_many("  \n", required=True) == ["This field is required."]


def test_lines_that_name_no_rep_or_several_are_errors_naming_the_line(org, searching):
    Rep.objects.create(external_id="R-EDDIE-2", name="Eddie Example")
    west = Rep.objects.exclude(external_id="R-ERIN")
    assert pick_many("R-WILL\nNobody\n\nEddie Example\nR-ERIN", west, required=False) == [
        "Line 2: No rep you can choose matches “Nobody”: type part of a name or a rep id, "
        "then pick a suggestion.",
        "Line 4: More than one rep is named “Eddie Example”: pick one from the suggestions, "
        "which show each rep's id.",
        "Line 5: No rep you can choose matches “R-ERIN”: type part of a name or a rep id, "
        "then pick a suggestion.",
    ]


def test_a_competition_with_many_reps_takes_them_one_per_line(client, org, searching, today):
    org.login(client, "admin")
    page = client.get(reverse("leaderboards:competition_create")).content.decode()
    assert re.search(r'<textarea name="reps"', page) and 'data-rep-add-to="id_reps"' in page
    data = {
        "name": "December sprint",
        "subject": "individuals",
        "measure": "won_revenue",
        "start_date": "2026-02-01",
        "end_date": "2026-02-28",
        "reps": "Will Example (R-WILL)\nR-EDDIE",
        "privacy": "ranks_and_percent_only",
    }
    response = client.post(reverse("leaderboards:competition_create"), data)
    assert response.status_code == 302
    competition = Competition.objects.get(name="December sprint")
    assert set(competition.reps.all()) == {org.reps["will"], org.reps["eddie"]}
    edit = client.get(reverse("leaderboards:competition_edit", args=[competition.pk]))
    assert "Eddie Example (R-EDDIE)\nWill Example (R-WILL)</textarea>" in edit.content.decode()
    response = client.post(reverse("leaderboards:competition_create"), {**data, "reps": "Zed"})
    assert "Line 1: No rep you can choose matches “Zed”" in response.content.decode()
    # A manager's lines are read among the reps he sees.
    client.logout()
    org.login(client, "walt")
    response = client.post(
        reverse("leaderboards:competition_create"), {**data, "reps": "R-WILL\nR-EDDIE"}
    )
    assert "Line 2: No rep you can choose matches “R-EDDIE”" in response.content.decode()
