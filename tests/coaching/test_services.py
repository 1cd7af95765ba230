"""Sessions, action items carried forward, role-play feeding skills, goals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from attain.coaching import goals, selectors, services
from attain.coaching.models import ActionItem, RolePlayScenario, Skill
from attain.people.models import Team, TeamMembership
from tests.coaching.conftest import TODAY, at

pytestmark = pytest.mark.django_db


def test_open_items_carry_forward_as_the_same_items(coaching_org):
    org = coaching_org
    first = org.session
    done = services.add_action_item(first, owner=org.reps["walt"], text="Share the deck")
    services.set_item_done(done, True)
    assert done.done_at is not None
    before = ActionItem.objects.count()

    second = services.follow_up(first, manager=org.reps["walt"], scheduled_at=at(TODAY))
    assert second.follow_up_of == first
    assert ActionItem.objects.count() == before  # linked, not copied
    assert [i.pk for i in selectors.agenda_items(second)] == [org.item.pk]
    assert "Send the mutual action plan" in second.agenda

    # Ticked in the second session, it is done everywhere and not carried again.
    services.set_item_done(ActionItem.objects.get(pk=org.item.pk), True)
    third = services.schedule_session(
        manager=org.reps["vera"], rep=org.reps["wendy"], scheduled_at=at(TODAY)
    )
    assert selectors.agenda_items(third) == []
    first_items = selectors.agenda_items(first)
    assert {i.pk for i in first_items} == {org.item.pk, done.pk}
    assert all(i.done for i in first_items)


def test_items_of_other_reps_are_not_carried(coaching_org):
    org = coaching_org
    session = services.schedule_session(
        manager=org.reps["walt"], rep=org.reps["will"], scheduled_at=at(TODAY)
    )
    assert selectors.agenda_items(session) == []


def test_action_item_owner_and_text_are_checked(coaching_org):
    org = coaching_org
    with pytest.raises(ValidationError):
        services.add_action_item(org.session, owner=org.reps["eddie"], text="Not theirs")
    with pytest.raises(ValidationError):
        services.add_action_item(org.session, owner=org.reps["wendy"], text="   ")
    with pytest.raises(ValidationError):
        services.schedule_session(
            manager=org.reps["walt"], rep=org.reps["walt"], scheduled_at=at(TODAY)
        )


def test_role_play_score_rates_the_skills_it_trains(coaching_org):
    org = coaching_org
    scenario = RolePlayScenario.objects.get(title="Agency sells cybersecurity consulting")
    trained = set(scenario.skills.values_list("name", flat=True))
    assert "Objection handling" in trained
    services.record_role_play(
        org.session,
        scenario=scenario,
        score=2,
        notes="Rushed",
        rated_by=org.users["walt"],
        date=TODAY,
    )
    ratings = org.reps["wendy"].skill_ratings.all()
    assert {r.skill.name for r in ratings} == trained
    assert {r.rating for r in ratings} == {2}
    trend = selectors.skill_trend(org.reps["wendy"])
    assert len(trend) == len(trained)
    skill_list, rows = selectors.heat_map([org.reps["wendy"], org.reps["will"]])
    assert [c.rating if c else None for c in rows[0].cells] == [
        2 if s.name in trained else None for s in skill_list
    ]
    assert all(c is None for c in rows[1].cells)


def test_unscored_role_play_rates_nothing(coaching_org):
    org = coaching_org
    services.record_role_play(
        org.session,
        scenario=RolePlayScenario.objects.first(),
        score=None,
        notes="",
        rated_by=org.users["walt"],
        date=TODAY,
    )
    assert not org.reps["wendy"].skill_ratings.exists()


def test_latest_rating_wins_in_the_heat_map(coaching_org):
    org = coaching_org
    skill = Skill.objects.get(name="Closing")
    for day, rating in [(dt.date(2026, 1, 5), 2), (dt.date(2026, 2, 5), 4)]:
        services.rate_skill(
            rep=org.reps["will"], skill=skill, rating=rating, rated_by=org.users["walt"], date=day
        )
    with pytest.raises(ValidationError):
        services.rate_skill(
            rep=org.reps["will"], skill=skill, rating=6, rated_by=org.users["walt"], date=TODAY
        )
    latest = selectors.latest_ratings([org.reps["will"].id])
    assert latest[(org.reps["will"].id, skill.id)].rating == 4


def test_seeded_library():
    titles = set(RolePlayScenario.objects.values_list("title", flat=True))
    assert "Agency sells cybersecurity consulting" in titles
    assert len(titles) >= 4
    assert Skill.objects.filter(name="Pain-point amplification").exists()


def test_goal_saved_in_place_with_progress(coaching_org):
    org = coaching_org
    goal = selectors.current_goal(org.reps["wendy"])
    assert (
        goals.progress(goal, dt.date(2026, 11, 1), with_quota=False).percent == 25
    )  # 5,000 of 20,000
    services.save_goal(
        rep=org.reps["wendy"],
        by=org.users["walt"],
        goal="House deposit",
        target_amount=Decimal("20000.00"),
        saved_so_far=Decimal("25000.00"),
    )
    assert org.reps["wendy"].personal_goals.count() == 1
    goal = selectors.current_goal(org.reps["wendy"])
    assert goals.progress(goal, dt.date(2026, 11, 1), with_quota=False).percent == 100
    with pytest.raises(ValidationError):
        services.save_goal(
            rep=org.reps["wendy"],
            by=org.users["walt"],
            goal="",
            target_amount=Decimal("1"),
        )


def test_direct_managers(org):
    assert selectors.direct_manager_ids(org.reps["wendy"], TODAY) == {org.reps["walt"].id}
    assert selectors.direct_manager_ids(org.reps["walt"], TODAY) == {org.reps["vera"].id}
    assert selectors.direct_manager_ids(org.reps["vera"], TODAY) == set()


def test_prefilled_agenda_lists_open_items(coaching_org):
    text = services.prefilled_agenda(coaching_org.reps["wendy"], [], won_quarter="USD 1.00")
    assert "Won this quarter: USD 1.00" in text
    assert "Send the mutual action plan — Wendy Example (due 2026-02-20)" in text


def test_direct_manager_of_a_team_without_its_own_manager(org):
    pod = Team.objects.create(external_id="T-POD", name="West pod", parent=org.teams["west"])
    TeamMembership.objects.filter(rep=org.reps["will"]).update(team=pod)
    assert selectors.direct_manager_ids(org.reps["will"], TODAY) == {org.reps["walt"].id}


def test_training_invites_the_team_on_its_date(coaching_org):
    org = coaching_org
    invited = set(org.training.attendance.values_list("rep_id", flat=True))
    assert invited == {org.reps["wendy"].id, org.reps["will"].id}
    later = services.schedule_training(
        team=org.teams["west"],
        led_by=org.reps["walt"],
        scheduled_at=at(dt.date(2026, 7, 2)),
        topic="After the move",
    )
    assert set(later.attendance.values_list("rep_id", flat=True)) == {org.reps["will"].id}
    services.record_attendance(org.training, attended={org.reps["will"].id}, notes="ok")
    services.record_attendance(org.training, attended={org.reps["wendy"].id}, notes="fixed")
    came = org.training.attendance.filter(attended=True).values_list("rep_id", flat=True)
    assert list(came) == [org.reps["wendy"].id]


def test_trainings_visible_to_invited_reps_and_team_managers(coaching_org, client):
    org = coaching_org
    expected = {"wendy": True, "will": True, "eddie": False, "walt": True, "vera": True}
    expected.update(erin=False, admin=True, finance=False)
    for name, sees in expected.items():
        visible = selectors.trainings_visible_to(org.users[name], TODAY)
        assert visible.filter(pk=org.training.pk).exists() is sees, name


def test_assigned_role_play_is_done_when_played(coaching_org):
    org = coaching_org
    scenario = RolePlayScenario.objects.get(title="Price objection at renewal")
    first = services.assign_role_play(
        scenario=scenario, rep=org.reps["wendy"], assigned_by=org.reps["walt"], due_date=TODAY
    )
    second = services.assign_role_play(
        scenario=scenario, rep=org.reps["wendy"], assigned_by=org.reps["walt"]
    )
    with pytest.raises(ValidationError):
        services.assign_role_play(
            scenario=scenario, rep=org.reps["walt"], assigned_by=org.reps["walt"]
        )
    exercise = services.record_role_play(
        org.session, scenario=scenario, score=4, notes="", rated_by=org.users["walt"], date=TODAY
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.exercise == exercise and second.exercise is None
    assert list(selectors.assignments_for(org.reps["wendy"]).filter(exercise__isnull=True)) == [
        second
    ]
