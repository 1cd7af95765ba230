"""Writes: drafting, publishing, receipts, reminders and questions. Each checks who may do
it and raises PermissionDenied (not allowed) or ValidationError (bad input)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from attain.announcements import selectors
from attain.announcements.models import (
    Announcement,
    AnnouncementLink,
    Question,
    Receipt,
    Reminder,
)
from attain.people.models import Team, User
from attain.territories.models import Territory

MAX_QUESTION = 2000


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Draft:
    """What an author writes; the audience target that matches ``audience`` is required."""

    title: str
    audience: str
    why: str = ""
    priorities: str = ""
    adjustments: str = ""
    unchanged: str = ""
    region: str = ""
    team: Team | None = None
    territory: Territory | None = None
    links: tuple[Link, ...] = ()
    plans: tuple = ()  # PlanDocument instances it explains
    quota_period: str = ""
    quota_name: str = ""


def check_link_url(url: str) -> str:
    """Only http(s) links or paths on this site: no javascript:, data: or other schemes."""
    url = url.strip()
    parts = urlsplit(url)
    if url.startswith("/") and not url.startswith("//"):
        return url
    if parts.scheme in {"http", "https"} and parts.netloc:
        return url
    raise ValidationError(f"Link {url!r} must start with http://, https:// or / (a page here).")


def _apply(announcement: Announcement, draft: Draft) -> None:
    title = draft.title.strip()
    if not title:
        raise ValidationError("An announcement needs a title.")
    if draft.audience not in Announcement.Audience.values:
        raise ValidationError(f"Unknown audience {draft.audience!r}.")
    announcement.title = title
    announcement.audience = draft.audience
    announcement.audience_region = ""
    announcement.audience_team = None
    announcement.audience_territory = None
    if draft.audience == Announcement.Audience.REGION:
        if not draft.region.strip():
            raise ValidationError("Choose the region the announcement is for.")
        announcement.audience_region = draft.region.strip()
    elif draft.audience == Announcement.Audience.TEAM:
        if draft.team is None:
            raise ValidationError("Choose the team the announcement is for.")
        announcement.audience_team = draft.team
    elif draft.audience == Announcement.Audience.TERRITORY:
        if draft.territory is None:
            raise ValidationError("Choose the territory whose owners the announcement is for.")
        announcement.audience_territory = draft.territory
    for key, _label in Announcement.SECTIONS:
        setattr(announcement, key, getattr(draft, key).strip())
    announcement.quota_period = check_quota_period(draft.quota_period)
    announcement.quota_name = draft.quota_name.strip()
    if announcement.quota_name and not announcement.quota_period:
        raise ValidationError("Give the quota period as well as the quota name.")


def check_quota_period(period: str) -> str:
    """A quota period in the engine's notation (2026, 2026-H1, 2026-Q1, 2026-03), or ""."""
    from attain.engine.errors import EngineError
    from attain.engine.periods import parse_period

    period = (period or "").strip().upper()
    if not period:
        return ""
    try:
        return parse_period(period).label
    except EngineError as error:
        raise ValidationError(
            f"Quota period {period!r} is not a period like 2026, 2026-H1, 2026-Q1 or 2026-03."
        ) from error


def _check_audience(by: User, announcement: Announcement, day: dt.date) -> None:
    if not selectors.may_address(by, announcement, day):
        raise PermissionDenied(
            f"You may not address {announcement.audience_label}: managers write to the teams"
            " they lead; only an admin writes to everyone."
        )


def _save_links(announcement: Announcement, links: tuple[Link, ...]) -> None:
    announcement.links.all().delete()
    AnnouncementLink.objects.bulk_create(
        AnnouncementLink(
            announcement=announcement,
            title=link.title.strip() or link.url,
            url=check_link_url(link.url),
            position=i,
        )
        for i, link in enumerate(links)
    )


@transaction.atomic
def create_draft(*, author: User, draft: Draft, day: dt.date | None = None) -> Announcement:
    day = day or selectors.today()
    if not selectors.can_publish(author, day):
        raise PermissionDenied("Only managers and admins write announcements.")
    announcement = Announcement(author=author)
    _apply(announcement, draft)
    _check_audience(author, announcement, day)
    announcement.save()
    _save_links(announcement, draft.links)
    announcement.plans.set(draft.plans)
    return announcement


@transaction.atomic
def update_draft(
    announcement: Announcement, *, by: User, draft: Draft, day: dt.date | None = None
) -> Announcement:
    day = day or selectors.today()
    if not selectors.is_author(by, announcement):
        raise PermissionDenied("Only the author edits an announcement.")
    if announcement.is_published:
        raise ValidationError("A published announcement can no longer be edited.")
    _apply(announcement, draft)
    _check_audience(by, announcement, day)
    announcement.save()
    _save_links(announcement, draft.links)
    announcement.plans.set(draft.plans)
    return announcement


@transaction.atomic
def publish(announcement: Announcement, *, by: User, day: dt.date | None = None) -> Announcement:
    """Draft → published. The audience check runs again: the author's teams may have changed
    since the draft was written."""
    day = day or selectors.today()
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if not selectors.is_author(by, announcement):
        raise PermissionDenied("Only the author publishes an announcement.")
    if announcement.is_published:
        raise ValidationError("This announcement is already published.")
    if not announcement.sections():
        raise ValidationError("Write at least one section before publishing.")
    _check_audience(by, announcement, day)
    announcement.status = Announcement.Status.PUBLISHED
    announcement.published_at = timezone.now()
    announcement.save(update_fields=["status", "published_at", "updated_at"])
    return announcement


def _require_recipient(user: User, announcement: Announcement, day: dt.date) -> None:
    if not selectors.is_recipient(user, announcement, day):
        raise PermissionDenied("This announcement isn't addressed to you.")


def mark_opened(announcement: Announcement, *, user: User, day: dt.date | None = None) -> bool:
    """Record the first time a recipient opens the announcement; others are ignored.
    Returns whether ``user`` is a recipient."""
    day = day or selectors.today()
    if not announcement.is_published or not selectors.is_recipient(user, announcement, day):
        return False
    receipt, _ = Receipt.objects.get_or_create(announcement=announcement, user=user)
    if receipt.opened_at is None:
        receipt.opened_at = timezone.now()
        receipt.save(update_fields=["opened_at"])
    return True


@transaction.atomic
def acknowledge(announcement: Announcement, *, user: User, day: dt.date | None = None) -> Receipt:
    """Record that a recipient read and understood it (idempotent: the first time stays)."""
    day = day or selectors.today()
    _require_recipient(user, announcement, day)
    receipt, _ = Receipt.objects.select_for_update().get_or_create(
        announcement=announcement, user=user
    )
    now = timezone.now()
    if receipt.acknowledged_at is None:
        receipt.opened_at = receipt.opened_at or now
        receipt.acknowledged_at = now
        receipt.save(update_fields=["opened_at", "acknowledged_at"])
    return receipt


@transaction.atomic
def send_reminder(announcement: Announcement, *, by: User, day: dt.date | None = None) -> Reminder:
    """Remind everyone in today's audience who has not acknowledged. Recorded and shown in
    their banner; no email goes out."""
    day = day or selectors.today()
    if not selectors.is_author(by, announcement):
        raise PermissionDenied("Only the author sends reminders.")
    if not announcement.is_published:
        raise ValidationError("Publish the announcement before reminding anyone.")
    pending = [row.user for row in selectors.tracking(announcement, day).not_acknowledged]
    if not pending:
        raise ValidationError("Everyone has acknowledged it; there is no one to remind.")
    reminder = Reminder.objects.create(
        announcement=announcement, sent_by=by, sent_at=timezone.now()
    )
    reminder.recipients.set(pending)
    return reminder


def ask_question(
    announcement: Announcement,
    *,
    user: User,
    body: str,
    visibility: str,
    day: dt.date | None = None,
) -> Question:
    day = day or selectors.today()
    _require_recipient(user, announcement, day)
    body = body.strip()
    if not body:
        raise ValidationError("Write your question first.")
    if len(body) > MAX_QUESTION:
        raise ValidationError(f"Keep a question under {MAX_QUESTION} characters.")
    if visibility not in Question.Visibility.values:
        raise ValidationError(f"Unknown visibility {visibility!r}.")
    return Question.objects.create(
        announcement=announcement,
        asked_by=user,
        body=body,
        visibility=visibility,
        asked_at=timezone.now(),
    )


def answer_question(question: Question, *, by: User, answer: str) -> Question:
    """The author answers (or corrects an answer). Public answered questions form the FAQ."""
    if not selectors.is_author(by, question.announcement):
        raise PermissionDenied("Only the author answers questions.")
    answer = answer.strip()
    if not answer:
        raise ValidationError("Write an answer first.")
    question.answer = answer
    question.answered_by = by
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    return question
