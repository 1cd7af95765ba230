"""Coaching records: 1:1 and coaching sessions, action items, call reviews, role-play,
skills and personal goals. Who may see them is decided in selectors.py.

They go with the rep they are about (CASCADE) and outlive the login that wrote them
(SET_NULL), so that resetting the demo organisation is never blocked by coaching rows."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from attain.common import CurrencyField, MoneyField
from attain.people.models import Rep, Team


class CoachingSession(models.Model):
    class Kind(models.TextChoices):
        ONE_ON_ONE = "one_on_one", "1:1"
        COACHING = "coaching", "Coaching session"

    manager = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="sessions_led")
    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="coaching_sessions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ONE_ON_ONE)
    scheduled_at = models.DateTimeField()
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["rep", "scheduled_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.manager} ↔ {self.rep} {self.scheduled_at:%Y-%m-%d}"


class ActionItem(models.Model):
    """Raised in one session (``session``) and on the agenda of every later session with
    the same rep until done (``sessions``): carried forward by link, never copied."""

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="raised_items"
    )
    sessions = models.ManyToManyField(CoachingSession, related_name="agenda_items", blank=True)
    owner = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(max_length=500)
    due_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "due_date", "id"]

    def __str__(self) -> str:
        return self.text


def recording_path(review: CallReview, filename: str) -> str:
    """A random name under MEDIA_ROOT/coaching/recordings/: never the uploader's file name
    (which is kept in ``recording_name``), and never served as a static file."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"coaching/recordings/{uuid.uuid4().hex}{suffix}"


class CallReview(models.Model):
    """A recorded call reviewed in a session: a link to the recording, or an uploaded
    audio or video file (served only through a permission-checked view, see views.py)."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="reviews")
    title = models.CharField(max_length=200)
    link = models.URLField(max_length=500, blank=True)
    recording = models.FileField(upload_to=recording_path, max_length=255, blank=True)
    recording_name = models.CharField(max_length=255, blank=True)
    recording_type = models.CharField(max_length=100, blank=True)
    recording_size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(link="") | ~Q(recording=""), name="call_review_link_or_recording"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_video(self) -> bool:
        return self.recording_type.startswith("video/")


class CallComment(models.Model):
    review = models.ForeignKey(CallReview, on_delete=models.CASCADE, related_name="comments")
    at_seconds = models.PositiveIntegerField(help_text="Offset into the recording.")
    text = models.CharField(max_length=1000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at_seconds", "id"]

    def __str__(self) -> str:
        return f"{self.timestamp} {self.text}"

    @property
    def timestamp(self) -> str:
        minutes, seconds = divmod(self.at_seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Skill(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SkillRating(models.Model):
    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="skill_ratings")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="ratings")
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    date = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="skill_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.skill_id}={self.rating} for rep {self.rep_id} on {self.date}"


class RolePlayScenario(models.Model):
    title = models.CharField(max_length=200, unique=True)
    seller = models.CharField(max_length=200, help_text="Who the rep plays.")
    selling = models.CharField(max_length=200, help_text="What is being sold.")
    brief = models.TextField(help_text="The rep's brief.")
    rubric = models.TextField(help_text="What a good run does, one point per line.")
    skills = models.ManyToManyField(Skill, related_name="scenarios", blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class RolePlayExercise(models.Model):
    """A scenario played in a session, with the manager's score (which feeds the skills)."""

    session = models.ForeignKey(
        CoachingSession, on_delete=models.CASCADE, related_name="role_plays"
    )
    scenario = models.ForeignKey(RolePlayScenario, on_delete=models.PROTECT)
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.scenario_id} in session {self.session_id}"


class PersonalGoal(models.Model):
    """What motivates a rep and the personal goal they work toward. Progress is what was
    saved before (``saved_so_far``) plus ``savings_rate`` % of the net pay of approved runs
    for pay periods from ``counting_from`` (see ``coaching/goals.py``)."""

    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="personal_goals")
    motivator = models.TextField(blank=True)
    goal = models.CharField(max_length=300)
    target_amount = MoneyField()
    currency = CurrencyField()
    target_date = models.DateField(null=True, blank=True)
    saved_so_far = MoneyField(help_text="Saved before earnings started counting.")
    savings_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        help_text="Percent of net commission pay that goes toward the goal.",
    )
    counting_from = models.DateField(
        null=True, blank=True, help_text="Pay for periods starting on or after this day counts."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_amount__gte=0) & Q(saved_so_far__gte=0),
                name="goal_amounts_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.goal


class TrainingSession(models.Model):
    """A group training for a team (and the teams below it), with attendance."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="trainings")
    led_by = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="trainings_led")
    scheduled_at = models.DateTimeField()
    topic = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    invited = models.ManyToManyField(Rep, through="Attendance", related_name="trainings")

    class Meta:
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.team}, {self.scheduled_at:%Y-%m-%d})"


class Attendance(models.Model):
    training = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance"
    )
    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField(default=False)

    class Meta:
        ordering = ["rep__name"]
        constraints = [
            models.UniqueConstraint(fields=["training", "rep"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rep} {'attended' if self.attended else 'invited to'} {self.training_id}"


class RolePlayAssignment(models.Model):
    """A scenario a manager asks a rep to prepare; done when played in a session."""

    scenario = models.ForeignKey(RolePlayScenario, on_delete=models.PROTECT)
    rep = models.ForeignKey(Rep, on_delete=models.CASCADE, related_name="role_play_assignments")
    assigned_by = models.ForeignKey(
        Rep, on_delete=models.CASCADE, related_name="role_plays_assigned"
    )
    due_date = models.DateField(null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    exercise = models.OneToOneField(
        RolePlayExercise,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignment",
    )

    class Meta:
        ordering = ["exercise", "due_date", "id"]

    def __str__(self) -> str:
        return f"{self.scenario} for {self.rep}"
