"""Announcement pages. Anything the user may not see answers 404 (ids do not leak); a
visible announcement the user may not change answers 403 to the change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from attain.announcements import selectors, services
from attain.announcements.forms import AnnouncementForm, AnswerForm, QuestionForm
from attain.announcements.models import Announcement, Question


def _visible(request, pk: int) -> Announcement:
    day = selectors.today()
    return get_object_or_404(
        selectors.visible_to(request.user, day).select_related(
            "author", "audience_team", "audience_territory"
        ),
        pk=pk,
    )


def _fail(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def announcement_list(request):
    day = selectors.today()
    user = request.user
    received = selectors.received_by(user, day).select_related("author")
    receipts = {r.announcement_id: r for r in user.announcement_receipts.all()}
    context = {
        "received": [(a, receipts.get(a.id)) for a in received],
        "mine": Announcement.objects.filter(author=user),
        "can_publish": selectors.can_publish(user, day),
    }
    if user.is_admin_role:
        context["others"] = Announcement.objects.exclude(author=user).select_related("author")
    return render(request, "announcements/list.html", context)


def _form_page(request, announcement: Announcement | None):
    day = selectors.today()
    targets = selectors.targetable(request.user, day)
    initial = AnnouncementForm.initial_for(announcement) if announcement else {}
    form = AnnouncementForm(request.POST or None, initial=initial, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            if announcement is None:
                announcement = services.create_draft(
                    author=request.user, draft=form.to_draft(), day=day
                )
            else:
                services.update_draft(announcement, by=request.user, draft=form.to_draft(), day=day)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Draft saved. Publish it when it is ready.")
            return redirect("announcements:detail", announcement.pk)
    context = {"form": form, "announcement": announcement, "sections": Announcement.SECTIONS}
    return render(request, "announcements/form.html", context)


@login_required
def announcement_new(request):
    if not selectors.can_publish(request.user, selectors.today()):
        raise PermissionDenied("Only managers and admins write announcements.")
    return _form_page(request, None)


@login_required
def announcement_edit(request, pk: int):
    announcement = _visible(request, pk)
    if not selectors.is_author(request.user, announcement):
        raise PermissionDenied("Only the author edits an announcement.")
    if announcement.is_published:
        messages.error(request, "A published announcement can no longer be edited.")
        return redirect("announcements:detail", pk)
    return _form_page(request, announcement)


@login_required
def announcement_detail(request, pk: int):
    announcement = _visible(request, pk)
    user, day = request.user, selectors.today()
    is_recipient = services.mark_opened(announcement, user=user, day=day)
    is_author = selectors.is_author(user, announcement)
    context = {
        "a": announcement,
        "is_author": is_author,
        "is_recipient": is_recipient,
        "receipt": selectors.receipt_of(user, announcement) if is_recipient else None,
        "can_track": selectors.can_track(user, announcement),
        "questions": selectors.questions_visible_to(user, announcement),
        "faq": selectors.faq(announcement),
        "question_form": QuestionForm() if is_recipient else None,
        "answer_form": AnswerForm() if is_author else None,
        "explains": selectors.explains(announcement, user),
    }
    if is_author and announcement.is_published:
        context["tracking"] = selectors.tracking(announcement, day)
    return render(request, "announcements/detail.html", context)


@login_required
@require_POST
def announcement_publish(request, pk: int):
    announcement = _visible(request, pk)
    try:
        services.publish(announcement, by=request.user)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, f"Published to {announcement.audience_label}.")
    return redirect("announcements:detail", pk)


@login_required
@require_POST
def announcement_acknowledge(request, pk: int):
    announcement = _visible(request, pk)
    services.acknowledge(announcement, user=request.user)
    messages.success(request, "Thank you: your acknowledgement is recorded.")
    return redirect("announcements:detail", pk)


@login_required
def announcement_readers(request, pk: int):
    announcement = _visible(request, pk)
    if not selectors.can_track(request.user, announcement):
        raise PermissionDenied("Only the author sees who has read it.")
    context = {
        "a": announcement,
        "is_author": selectors.is_author(request.user, announcement),
        "tracking": selectors.tracking(announcement, selectors.today()),
        "reminders": selectors.reminders_of(announcement),
    }
    return render(request, "announcements/readers.html", context)


@login_required
@require_POST
def announcement_remind(request, pk: int):
    announcement = _visible(request, pk)
    try:
        reminder = services.send_reminder(announcement, by=request.user)
    except ValidationError as error:
        _fail(request, error)
    else:
        count = reminder.recipients.count()
        messages.success(
            request,
            f"Reminder recorded for {count} {'person' if count == 1 else 'people'}; they see it"
            " at the top of every page (no email is sent).",
        )
    return redirect("announcements:readers", pk)


@login_required
@require_POST
def question_ask(request, pk: int):
    announcement = _visible(request, pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your question and choose who sees it.")
        return redirect("announcements:detail", pk)
    try:
        question = services.ask_question(
            announcement,
            user=request.user,
            body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"],
        )
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            "Question sent privately to the author."
            if question.is_private
            else "Question posted; everyone who received this can see it and the answer.",
        )
    return redirect(f"{announcement.get_absolute_url()}#questions")


@login_required
@require_POST
def question_answer(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("announcement"), pk=pk)
    announcement = _visible(request, question.announcement_id)
    if not selectors.questions_visible_to(request.user, announcement).filter(pk=pk).exists():
        raise Http404("No such question.")  # a private question of someone else: not there
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Write an answer first.")
        services.answer_question(question, by=request.user, answer=form.cleaned_data["answer"])
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, "Answer posted.")
    return redirect(f"{announcement.get_absolute_url()}#question-{question.pk}")
