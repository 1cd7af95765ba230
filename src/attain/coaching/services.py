"""Writes for coaching. Permission checks happen in views (through selectors); these
functions keep the records consistent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from attain.coaching import selectors
from attain.coaching.models import (
    ActionItem,
    Attendance,
    CallComment,
    CallReview,
    CoachingSession,
    PersonalGoal,
    RolePlayAssignment,
    RolePlayExercise,
    RolePlayScenario,
    Skill,
    SkillRating,
    TrainingSession,
)
from attain.people.models import Rep, Team, User
from attain.people.selectors import today as people_today


def prefilled_agenda(rep: Rep, opportunities: list[selectors.Opportunity], won_quarter=None) -> str:
    """The agenda a new session starts with: the rep's coaching opportunities, their won
    revenue this quarter (with attainment when they have a revenue quota) and open action
    items."""
    lines = []
    if opportunities:
        lines.append("Coaching opportunities:")
        for o in opportunities:
            worth = f" (worth about {o.worth:,.0f} a quarter)" if o.worth else ""
            lines.append(f"- {o.pattern}: {o.gap}{worth}")
    if won_quarter is not None:
        lines.append(f"Won this quarter: {won_quarter}")
    items = list(selectors.open_items_for(rep))
    if items:
        lines.append("Open action items:")
        for item in items:
            due = f" (due {item.due_date:%Y-%m-%d})" if item.due_date else ""
            lines.append(f"- {item.text} — {item.owner.name}{due}")
    return "\n".join(lines)


def agenda_for(manager: Rep, rep: Rep, day: dt.date) -> str:
    """The prefilled agenda of a new session of ``manager`` with ``rep``: the rep's coaching
    opportunities in the manager's team over the trailing 12 months, won revenue this
    quarter (with attainment against a revenue quota) and open action items."""
    from attain.common import DEFAULT_CURRENCY
    from attain.quotas.windows import quota_totals

    period = selectors.period_for("", day)
    insights = selectors.team_insights(selectors.subtree_reps(manager, day), period, day)
    theirs = [o for o in selectors.opportunities(insights) if o.rep.id == rep.id]
    quarter = selectors.period_for(selectors.quarter_key(day), day)
    won = selectors.rep_metrics([rep], quarter, day)[rep.id].won_amount
    won_text = f"{DEFAULT_CURRENCY} {won:,.2f} ({quarter.label})"
    quota = quota_totals([rep.id], "revenue", quarter.start, selectors.period_end(quarter))
    if quota.get(rep.id):
        share = won * 100 / quota[rep.id]
        won_text += f", {share:.0f}% of the {DEFAULT_CURRENCY} {quota[rep.id]:,.2f} quota"
    return prefilled_agenda(rep, theirs, won_quarter=won_text)


@transaction.atomic
def schedule_session(
    *,
    manager: Rep,
    rep: Rep,
    scheduled_at: dt.datetime,
    kind: str = CoachingSession.Kind.ONE_ON_ONE,
    agenda: str = "",
    follow_up_of: CoachingSession | None = None,
) -> CoachingSession:
    """Create the session and carry every open action item of the rep onto its agenda."""
    if manager.id == rep.id:
        raise ValidationError("A manager cannot hold a coaching session with themself.")
    if follow_up_of is not None and follow_up_of.rep_id != rep.id:
        raise ValidationError("A follow-up is with the same rep as the session it follows.")
    session = CoachingSession.objects.create(
        manager=manager,
        rep=rep,
        scheduled_at=scheduled_at,
        kind=kind,
        agenda=agenda,
        follow_up_of=follow_up_of,
    )
    session.agenda_items.add(*selectors.open_items_for(rep))
    return session


def follow_up(session: CoachingSession, *, manager: Rep, scheduled_at: dt.datetime):
    return schedule_session(
        manager=manager,
        rep=session.rep,
        scheduled_at=scheduled_at,
        kind=session.kind,
        agenda=prefilled_agenda(session.rep, []),
        follow_up_of=session,
    )


def update_session(session: CoachingSession, *, agenda: str, notes: str) -> CoachingSession:
    session.agenda = agenda
    session.notes = notes
    session.save(update_fields=["agenda", "notes"])
    return session


def add_action_item(
    session: CoachingSession, *, owner: Rep, text: str, due_date: dt.date | None = None
) -> ActionItem:
    if owner.id not in {session.rep_id, session.manager_id}:
        raise ValidationError("An action item belongs to the rep or the manager of the session.")
    text = text.strip()
    if not text:
        raise ValidationError("Say what the action is.")
    item = ActionItem.objects.create(session=session, owner=owner, text=text, due_date=due_date)
    item.sessions.add(session)
    return item


def set_item_done(item: ActionItem, done: bool) -> ActionItem:
    item.done = done
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done", "done_at"])
    return item


def add_call_review(
    session: CoachingSession,
    *,
    title: str,
    link: str = "",
    recording=None,
) -> CallReview:
    """A call to review: a link to the recording, or an uploaded file (checked by
    ``forms.check_recording``; stored under MEDIA_ROOT with a random name)."""
    from attain.coaching.forms import check_recording

    review = CallReview(session=session, title=title.strip(), link=(link or "").strip())
    if recording is not None:
        try:
            recording_type = check_recording(recording)
        except Exception as error:  # forms.ValidationError → the model layer's
            raise ValidationError(getattr(error, "messages", [str(error)])) from error
        review.recording_name = (recording.name or "")[-255:]
        review.recording_type = recording_type
        review.recording_size = recording.size
    if bool(review.link) == (recording is not None):
        raise ValidationError("A call review has a link or an uploaded recording (one of them).")
    review.full_clean(exclude=["recording"])
    with transaction.atomic():
        if recording is not None:
            review.recording.save(recording.name, recording, save=False)
        try:
            review.save()
        except Exception:
            if recording is not None:
                review.recording.delete(save=False)
            raise
    return review


def add_call_comment(review: CallReview, *, at_seconds: int, text: str, author: User):
    return CallComment.objects.create(
        review=review, at_seconds=at_seconds, text=text.strip(), author=author
    )


def rate_skill(
    *, rep: Rep, skill: Skill, rating: int, rated_by: User, date: dt.date, note: str = ""
) -> SkillRating:
    if not 1 <= rating <= 5:
        raise ValidationError("A rating is 1 to 5.")
    return SkillRating.objects.create(
        rep=rep, skill=skill, rating=rating, rated_by=rated_by, date=date, note=note
    )


@transaction.atomic
def record_role_play(
    session: CoachingSession,
    *,
    scenario: RolePlayScenario,
    score: int | None,
    notes: str,
    rated_by: User,
    date: dt.date,
) -> RolePlayExercise:
    """Record a role-play done in a session; a score rates every skill the scenario trains."""
    exercise = RolePlayExercise.objects.create(
        session=session, scenario=scenario, score=score, notes=notes.strip()
    )
    # The oldest open assignment of this scenario to the rep is now done.
    assignment = (
        RolePlayAssignment.objects.filter(
            rep_id=session.rep_id, scenario=scenario, exercise__isnull=True
        )
        .order_by("assigned_at", "id")
        .first()
    )
    if assignment is not None:
        assignment.exercise = exercise
        assignment.save(update_fields=["exercise"])
    if score is not None:
        for skill in scenario.skills.all():
            rate_skill(
                rep=session.rep,
                skill=skill,
                rating=score,
                rated_by=rated_by,
                date=date,
                note=f"Role-play: {scenario.title}",
            )
    return exercise


def save_goal(
    *,
    rep: Rep,
    by: User,
    goal: str,
    motivator: str = "",
    target_amount: Decimal = Decimal("0"),
    target_date: dt.date | None = None,
    saved_so_far: Decimal = Decimal("0"),
    savings_rate: Decimal | None = None,
    counting_from: dt.date | None = None,
) -> PersonalGoal:
    """Update the rep's current goal in place, or record their first one. Pay starts
    counting toward a new goal from the first day of the current month unless told."""
    current = selectors.current_goal(rep) or PersonalGoal(rep=rep)
    if savings_rate is not None:
        current.savings_rate = savings_rate
    if counting_from is not None:
        current.counting_from = counting_from
    elif current.counting_from is None:
        current.counting_from = people_today().replace(day=1)
    current.goal = goal.strip()
    current.motivator = motivator.strip()
    current.target_amount = target_amount
    current.target_date = target_date
    current.saved_so_far = saved_so_far
    current.updated_by = by
    current.full_clean()
    current.save()
    return current


def add_skill(*, name: str, description: str = "") -> Skill:
    last = Skill.objects.order_by("-position").values_list("position", flat=True).first() or 0
    return Skill.objects.create(
        name=name.strip(), description=description.strip(), position=last + 1
    )


@transaction.atomic
def schedule_training(
    *, team: Team, led_by: Rep, scheduled_at: dt.datetime, topic: str
) -> TrainingSession:
    """Invite everyone in the team and the teams below it on the training's date."""
    training = TrainingSession.objects.create(
        team=team, led_by=led_by, scheduled_at=scheduled_at, topic=topic.strip()
    )
    day = timezone.localtime(scheduled_at).date()
    invited = selectors.team_subtree_rep_ids(team, day) - {led_by.id}
    Attendance.objects.bulk_create(Attendance(training=training, rep_id=i) for i in invited)
    return training


@transaction.atomic
def record_attendance(training: TrainingSession, *, attended: set[int], notes: str) -> None:
    """Mark who came (among those invited) and keep the notes."""
    training.attendance.update(attended=False)
    training.attendance.filter(rep_id__in=attended).update(attended=True)
    training.notes = notes
    training.save(update_fields=["notes"])


def seed_library() -> None:
    """Put back any missing starter skill or scenario (idempotent)."""
    from attain.coaching.library import seed_library as seed

    seed(Skill, RolePlayScenario)


def assign_role_play(
    *, scenario: RolePlayScenario, rep: Rep, assigned_by: Rep, due_date: dt.date | None = None
) -> RolePlayAssignment:
    if rep.id == assigned_by.id:
        raise ValidationError("A manager assigns role-play to someone in their team.")
    return RolePlayAssignment.objects.create(
        scenario=scenario, rep=rep, assigned_by=assigned_by, due_date=due_date
    )
