"""What the coaching pages show each role, and how they answer bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from attain.coaching import services
from attain.coaching.models import RolePlayScenario

pytestmark = pytest.mark.django_db
HOME = "/coaching/"


def text(response) -> str:
    return response.content.decode()


def test_rep_home_shows_items_goal_and_role_plays(client, coaching_org):
    org = coaching_org
    services.assign_role_play(
        scenario=RolePlayScenario.objects.get(title="Agency sells cybersecurity consulting"),
        rep=org.reps["wendy"],
        assigned_by=org.reps["walt"],
    )
    org.login(client, "wendy")
    page = text(client.get(HOME))
    assert "Send the mutual action plan" in page
    assert "USD 5,000.00 of USD 20,000.00 (25%)" in page
    assert "Agency sells cybersecurity consulting" in page
    assert "Discovery questions" in page  # the group training she is invited to
    assert "Coaching opportunities" not in page


def test_peer_home_shows_nothing_of_wendys(client, coaching_org):
    coaching_org.login(client, "will")
    page = text(client.get(HOME))
    assert "Send the mutual action plan" not in page
    assert "House deposit" not in page


def test_manager_home_lists_team_sessions_items_and_insights(client, coaching_org):
    coaching_org.login(client, "walt")
    page = text(client.get(HOME + "?period=2026Q1"))
    assert "Upcoming sessions" in page and "Wendy Example" in page
    assert "Team open action items" in page and "Send the mutual action plan" in page
    assert "2026 q1 (2026-01-01 to 2026-02-20)" in page
    assert 'data-testid="insights"' in page
    assert "House deposit" not in page  # goals are not on the team page


def test_other_manager_sees_none_of_it(client, coaching_org):
    coaching_org.login(client, "erin")
    page = text(client.get(HOME))
    assert "Wendy Example" not in page
    assert "Send the mutual action plan" not in page


def test_admin_home_lists_every_session_read_only(client, coaching_org):
    coaching_org.login(client, "admin")
    page = text(client.get(HOME))
    assert "Wendy Example" in page and "cannot change them" in page
    session = text(client.get(reverse("coaching:session_detail", args=[coaching_org.session.pk])))
    assert "Wendy&#x27;s private notes" in session
    assert "Save notes" not in session


def test_schedule_form_prefills_the_agenda(client, coaching_org):
    coaching_org.login(client, "walt")
    url = reverse("coaching:session_new") + f"?rep={coaching_org.reps['wendy'].pk}"
    page = text(client.get(url))
    assert "Open action items:" in page
    assert "- Send the mutual action plan — Wendy Example (due 2026-02-20)" in page
    assert "Won this quarter: USD 12,000.00 (2026 Q1)" in page
    from attain.quotas.models import Quota

    Quota.objects.create(
        rep=coaching_org.reps["wendy"], quota="revenue", period="2026-Q1", amount=48000
    )
    page = text(client.get(url))
    assert "Won this quarter: USD 12,000.00 (2026 Q1), 25% of the USD 48,000.00 quota" in page
    response = client.post(url, {"kind": "one_on_one", "scheduled_at": "not a date"})
    assert response.status_code == 200
    assert "Enter a valid date/time" in text(response)


def test_bad_comment_time_is_refused_with_the_reason(client, coaching_org):
    coaching_org.login(client, "walt")
    url = reverse("coaching:comment_add", args=[coaching_org.review.pk])
    response = client.post(url, {"at": "4:75", "text": "x"}, follow=True)
    assert "Seconds go up to 59" in text(response)
    response = client.post(url, {"at": "soon", "text": "x"}, follow=True)
    assert "Write the time as m:ss" in text(response)
    assert not coaching_org.review.comments.exists()


def test_junk_rep_id_is_404(client, coaching_org):
    coaching_org.login(client, "walt")
    assert client.get(reverse("coaching:session_new") + "?rep=abc").status_code == 404
    assert client.get(reverse("coaching:session_new")).status_code == 404
    assert client.get(reverse("coaching:rep_profile", args=[999999])).status_code == 404


def test_rep_lookup_opens_a_visible_profile_only(client, coaching_org):
    org = coaching_org
    org.login(client, "admin")
    assert "Open coaching profile" in text(client.get(HOME))
    response = client.get(reverse("coaching:rep_lookup") + f"?rep={org.reps['eddie'].pk}")
    assert response["Location"] == reverse("coaching:rep_profile", args=[org.reps["eddie"].pk])
    client.logout()
    org.login(client, "walt")
    assert (
        client.get(reverse("coaching:rep_lookup") + f"?rep={org.reps['eddie'].pk}").status_code
        == 404
    )
    # Text that names no rep goes back to the coaching page, which says why.
    response = client.get(reverse("coaching:rep_lookup") + "?rep=x", follow=True)
    assert response.redirect_chain == [(HOME, 302)]
    assert "Select a valid choice" in text(response)


def test_admin_edits_skills_in_django_admin(client, coaching_org):
    coaching_org.login(client, "admin")
    assert client.get(reverse("admin:coaching_skill_changelist")).status_code == 200
    assert client.get(reverse("admin:coaching_roleplayscenario_changelist")).status_code == 200
    client.logout()
    coaching_org.login(client, "walt")
    assert client.get(reverse("admin:coaching_skill_changelist")).status_code == 302


def test_small_team_medians_are_hidden_from_the_rep_not_the_coach(client, coaching_org):
    org = coaching_org
    url = reverse("coaching:rep_profile", args=[org.reps["wendy"].pk])
    org.login(client, "wendy")
    page = text(client.get(url))
    assert 'data-testid="medians-hidden"' in page
    assert "Team medians are hidden" in page
    client.logout()
    org.login(client, "walt")
    page = text(client.get(url))
    assert 'data-testid="medians-hidden"' not in page


def test_manager_home_pages_the_team_lists(client, coaching_org, monkeypatch):
    """A large team's insights and opportunities come a page at a time, each list with its
    own page parameter, the other list's page and the period kept in the links."""
    import re

    from attain.coaching import views

    coaching_org.login(client, "walt")
    whole = client.get(HOME + "?period=2026Q1")
    rows = whole.context["insight_rows"].paginator.count
    assert rows >= 2
    monkeypatch.setattr(views, "INSIGHT_ROWS", 1)
    first = client.get(HOME + "?period=2026Q1")
    page = text(first)
    table = page[page.index('data-testid="insights"') : page.index("</table>")]
    assert len(re.findall(r"<tr>\s*<td><a href=", table)) == 1
    assert f"{rows} reps" in page
    assert f"Page 1 of {rows}" in page
    assert 'aria-label="Pages of team insights"' in page
    assert "?period=2026Q1&amp;reps_page=2" in page
    second = client.get(HOME + "?period=2026Q1&reps_page=2&gaps_page=1")
    assert second.context["insight_rows"].number == 2
    shown = {first.context["insight_rows"][0].rep, second.context["insight_rows"][0].rep}
    assert len(shown) == 2  # a different rep on each page
    assert "?period=2026Q1&amp;reps_page=1&amp;gaps_page=1" in text(second)  # ‹ Previous
    # Out-of-range or junk page numbers give the nearest page.
    assert client.get(HOME + "?reps_page=999").context["insight_rows"].number == rows
    assert client.get(HOME + "?reps_page=x").context["insight_rows"].number == 1


def test_skills_matrix_pages_the_team(client, coaching_org, monkeypatch):
    from attain.coaching import views

    monkeypatch.setattr(views, "HEAT_MAP_ROWS", 1)
    coaching_org.login(client, "walt")
    url = reverse("coaching:skills")
    first = client.get(url)
    reps = first.context["page"].paginator.count
    assert reps >= 2 and len(first.context["rows"]) == 1
    assert f"Page 1 of {reps}" in text(first)
    last = client.get(url + f"?page={reps}")
    assert last.context["rows"][0].rep != first.context["rows"][0].rep
