"""Coaching pages. Finance has no coaching pages (403); records of a rep outside what the
user may see answer 404, so ids do not leak; a visible record the user may not change
answers 403 to a write."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from attain.coaching import goals, selectors, services
from attain.coaching.forms import (
    ActionItemForm,
    AssignRolePlayForm,
    AttendanceForm,
    CallCommentForm,
    CallReviewForm,
    FollowUpForm,
    GoalForm,
    NotesForm,
    PeriodForm,
    RolePlayForm,
    SessionForm,
    SkillForm,
    SkillRatingForm,
    TrainingForm,
    max_recording_bytes,
)
from attain.coaching.models import CallReview, CoachingSession
from attain.common import DEFAULT_CURRENCY
from attain.people import selectors as people
from attain.people.forms import RepPickForm
from attain.people.models import Rep, User
from attain.reports.paging import page_of

# Rows per page of the home page's two team lists.
INSIGHT_ROWS = 50
OPPORTUNITIES = 10
HEAT_MAP_ROWS = 50  # reps per page of the skills matrix


def _guard(request) -> tuple[dt.date, str]:
    role = people.role_of(request.user)
    if role == User.Role.FINANCE:
        raise PermissionDenied("Coaching records are for reps, their managers and admins.")
    return people.today(), role


def _visible_rep(request, pk: int, day: dt.date) -> Rep:
    rep = get_object_or_404(Rep, pk=pk)
    if not selectors.can_see_coaching(request.user, rep, day):
        raise Http404("No such rep.")
    return rep


def _visible_session(request, pk: int, day: dt.date) -> CoachingSession:
    return get_object_or_404(selectors.sessions_visible_to(request.user, day), pk=pk)


def _require_coach(request, rep: Rep, day: dt.date) -> Rep:
    if not selectors.can_coach(request.user, rep, day):
        raise PermissionDenied("Only the rep's managers may do this.")
    return people.rep_for_user(request.user)


def _period(request, day: dt.date):
    choices = selectors.period_choices(day)
    form = PeriodForm(request.GET or None, choices=choices)
    key = form.cleaned_data.get("period", "") if form.is_valid() else ""
    return selectors.period_for(key, day), form


def _default_when(day: dt.date) -> dt.datetime:
    """10:00 on the next weekday, local time."""
    nxt = day + dt.timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(nxt, dt.time(10, 0)))


@login_required
def home(request):
    day, role = _guard(request)
    me = people.rep_for_user(request.user)
    sessions = selectors.sessions_visible_to(request.user, day)
    context = {"role": role, "me": me, "today": day, "currency": DEFAULT_CURRENCY}
    if role == User.Role.MANAGER and me is not None:
        period, form = _period(request, day)
        insights = selectors.team_insights(selectors.subtree_reps(me, day), period, day)
        found = selectors.opportunities(insights)
        # Paged: a vice president's team runs to thousands of reps and hundreds of gaps.
        context.update(
            period=period,
            period_form=form,
            insights=insights,
            insight_rows=page_of(request, insights.rows, INSIGHT_ROWS, param="reps_page"),
            opportunities=page_of(request, found, OPPORTUNITIES, param="gaps_page"),
        )
        sessions = sessions.exclude(rep=me)
    if me is not None:
        mine = selectors.items_visible_to(request.user, day).filter(session__rep=me)
        context.update(
            my_items=mine.filter(done=False),
            my_done=mine.filter(done=True).order_by("-done_at")[:5],
            my_sessions=selectors.sessions_visible_to(request.user, day).filter(rep=me)[:10],
            goal=selectors.current_goal(me),
            my_role_plays=selectors.assignments_for(me).filter(exercise__isnull=True),
        )
        if context["goal"] is not None:
            context["progress"] = goals.progress(context["goal"], day)
        if role == User.Role.MANAGER:
            context["team_items"] = (
                selectors.items_visible_to(request.user, day)
                .filter(done=False)
                .exclude(session__rep=me)
            )
    if role == User.Role.ADMIN:
        context["lookup"] = RepPickForm(reps=Rep.objects.all())
    trainings = selectors.trainings_visible_to(request.user, day)
    context.update(
        trainings=selectors.upcoming_sessions(trainings, day)[:10],
        can_train=selectors.trainable_teams(request.user, day).exists(),
        upcoming=selectors.upcoming_sessions(sessions, day)[:20],
        recent=selectors.recent_sessions(sessions, day)[:10],
    )
    return render(request, "coaching/home.html", context)


@login_required
def rep_profile(request, pk: int):
    day, role = _guard(request)
    rep = _visible_rep(request, pk, day)
    period, form = _period(request, day)
    group, group_label = selectors.comparison_reps(request.user, rep, day)
    insights = selectors.team_insights(group, period, day)
    row = insights.for_rep(rep.id)
    sessions = selectors.sessions_visible_to(request.user, day).filter(rep=rep)
    can_see_goal = selectors.can_see_goal(request.user, rep, day)
    goal = selectors.current_goal(rep) if can_see_goal else None
    can_coach = selectors.can_coach(request.user, rep, day)
    context = {
        "hide_medians": selectors.hide_medians_from(request.user, can_coach, insights),
        "min_peer_group": selectors.MIN_PEER_GROUP,
        "rep": rep,
        "today": day,
        "period": period,
        "period_form": form,
        "insights": insights,
        "row": row,
        "group_label": group_label,
        "team": people.team_of(rep, day),
        "opportunities": [o for o in selectors.opportunities(insights) if o.rep.id == rep.id],
        "sessions": sessions[:20],
        "open_items": selectors.open_items_for(rep),
        "can_coach": can_coach,
        "is_me": (me := people.rep_for_user(request.user)) is not None and me.id == rep.id,
        "can_see_goal": can_see_goal,
        "goal": goal,
        "progress": goals.progress(goal, day) if goal else None,
        "trend": selectors.skill_trend(rep),
        "rating_form": SkillRatingForm(),
        "assignments": selectors.assignments_for(rep),
        "assign_form": AssignRolePlayForm(),
        "currency": DEFAULT_CURRENCY,
    }
    return render(request, "coaching/rep_profile.html", context)


@login_required
def session_new(request):
    day, _ = _guard(request)
    try:
        rep_pk = int(request.GET.get("rep") or request.POST.get("rep") or 0)
    except ValueError:
        raise Http404("No such rep.") from None
    rep = _visible_rep(request, rep_pk, day)
    me = _require_coach(request, rep, day)
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            session = services.schedule_session(
                manager=me,
                rep=rep,
                scheduled_at=form.cleaned_data["scheduled_at"],
                kind=form.cleaned_data["kind"],
                agenda=form.cleaned_data["agenda"],
            )
            messages.success(request, f"Scheduled with {rep.name}.")
            return redirect("coaching:session_detail", pk=session.pk)
    else:
        kind = request.GET.get("kind", "one_on_one")
        form = SessionForm(
            initial={
                "kind": kind if kind in CoachingSession.Kind.values else "one_on_one",
                "scheduled_at": timezone.localtime(_default_when(day)),
                "agenda": services.agenda_for(me, rep, day),
            }
        )
    return render(request, "coaching/session_new.html", {"form": form, "rep": rep})


@login_required
def session_detail(request, pk: int):
    day, _ = _guard(request)
    session = _visible_session(request, pk, day)
    can_coach = selectors.can_coach(request.user, session.rep, day)
    notes_form = NotesForm(initial={"agenda": session.agenda, "notes": session.notes})
    if request.method == "POST":
        _require_coach(request, session.rep, day)
        notes_form = NotesForm(request.POST)
        if notes_form.is_valid():
            services.update_session(session, **notes_form.cleaned_data)
            messages.success(request, "Notes saved.")
            return redirect("coaching:session_detail", pk=session.pk)
    me = people.rep_for_user(request.user)
    context = {
        "session": session,
        "items": selectors.agenda_items(session),
        "reviews": session.reviews.prefetch_related("comments__author"),
        "role_plays": session.role_plays.select_related("scenario"),
        "can_coach": can_coach,
        "is_rep": me is not None and me.id == session.rep_id,
        "notes_form": notes_form,
        "item_form": ActionItemForm(session=session, initial={"owner": str(session.rep_id)}),
        "review_form": CallReviewForm(),
        "max_recording_mb": max_recording_bytes() // (1024 * 1024),
        "comment_form": CallCommentForm(),
        "role_play_form": RolePlayForm(),
        "follow_up_form": FollowUpForm(
            initial={"scheduled_at": timezone.localtime(_default_when(day + dt.timedelta(6)))}
        ),
    }
    return render(request, "coaching/session_detail.html", context)


def _back_to(session: CoachingSession):
    return redirect("coaching:session_detail", pk=session.pk)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label or field}: {' '.join(errors)}")


@login_required
@require_POST
def item_add(request, pk: int):
    day, _ = _guard(request)
    session = _visible_session(request, pk, day)
    _require_coach(request, session.rep, day)
    form = ActionItemForm(request.POST, session=session)
    if form.is_valid():
        owner = Rep.objects.get(pk=int(form.cleaned_data["owner"]))
        try:
            services.add_action_item(
                session,
                owner=owner,
                text=form.cleaned_data["text"],
                due_date=form.cleaned_data["due_date"],
            )
            messages.success(request, "Action item added.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        _form_errors(request, form)
    return _back_to(session)


def _require_rep_or_coach(request, session, day, action: str) -> None:
    """The session's rep, or a manager who may coach them on ``day``; else 403."""
    me = people.rep_for_user(request.user)
    if me is not None and me.id == session.rep_id:
        return
    if not selectors.can_coach(request.user, session.rep, day):
        raise PermissionDenied(f"Only the rep and their managers {action}.")


@login_required
@require_POST
def item_done(request, pk: int):
    day, _ = _guard(request)
    item = get_object_or_404(selectors.items_visible_to(request.user, day), pk=pk)
    _require_rep_or_coach(request, item.session, day, "tick off action items")
    services.set_item_done(item, request.POST.get("done") == "1")
    target = request.POST.get("next", "")
    if target == "/" or target.startswith("/coaching/"):
        return redirect(target)
    return _back_to(item.session)


@login_required
@require_POST
def session_follow_up(request, pk: int):
    day, _ = _guard(request)
    session = _visible_session(request, pk, day)
    me = _require_coach(request, session.rep, day)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to(session)
    new = services.follow_up(session, manager=me, scheduled_at=form.cleaned_data["scheduled_at"])
    messages.success(request, "Follow-up scheduled; open action items carried forward.")
    return _back_to(new)


@login_required
@require_POST
def review_add(request, pk: int):
    day, _ = _guard(request)
    session = _visible_session(request, pk, day)
    _require_coach(request, session.rep, day)
    form = CallReviewForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_call_review(
                session,
                title=form.cleaned_data["title"],
                link=form.cleaned_data["link"],
                recording=form.cleaned_data["recording"] or None,
            )
            messages.success(request, "Call added.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        _form_errors(request, form)
    return _back_to(session)


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
RANGE_CHUNK = 64 * 1024


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of a single ``Range: bytes=a-b`` header; None without one (or
    one we do not handle, such as several ranges: the whole file is sent); False when it
    cannot be satisfied."""
    found = RANGE.match(header.strip()) if header else None
    if not found or not any(found.groups()):
        return None
    first_text, last_text = found.groups()
    if not first_text:  # the last N bytes
        length = int(last_text)
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or last < first:
        return False
    return first, last


def _file_part(handle, first: int, length: int):
    handle.seek(first)
    remaining = length
    try:
        while remaining > 0:
            block = handle.read(min(RANGE_CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()


@login_required
def recording(request, pk: int):
    """The uploaded recording of a call review, to those who may see the session (else
    404), streamed; a single ``Range`` is answered with 206 so players can seek."""
    day, _ = _guard(request)
    review = get_object_or_404(CallReview, pk=pk)
    _visible_session(request, review.session_id, day)
    if not review.recording:
        raise Http404("This call review has no uploaded recording.")
    try:
        handle = review.recording.open("rb")
    except FileNotFoundError:
        raise Http404("The recording file is missing.") from None
    size = review.recording.size
    span = _byte_range(request.headers.get("Range", ""), size)
    if span is False:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif span is None:
        response = FileResponse(handle, content_type=review.recording_type)
        response["Content-Length"] = str(size)
    else:
        first, last = span
        response = StreamingHttpResponse(
            _file_part(handle, first, last - first + 1),
            status=206,
            content_type=review.recording_type,
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = content_disposition_header(
        False, review.recording_name or "recording"
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def comment_add(request, pk: int):
    day, _ = _guard(request)
    review = get_object_or_404(CallReview, pk=pk)
    session = _visible_session(request, review.session_id, day)
    _require_rep_or_coach(request, session, day, "comment on a call")
    form = CallCommentForm(request.POST)
    if form.is_valid():
        services.add_call_comment(
            review,
            at_seconds=form.cleaned_data["at"],
            text=form.cleaned_data["text"],
            author=request.user,
        )
    else:
        _form_errors(request, form)
    return _back_to(session)


@login_required
@require_POST
def role_play_add(request, pk: int):
    day, _ = _guard(request)
    session = _visible_session(request, pk, day)
    _require_coach(request, session.rep, day)
    form = RolePlayForm(request.POST)
    if form.is_valid():
        services.record_role_play(session, rated_by=request.user, date=day, **form.cleaned_data)
        messages.success(request, "Role-play recorded.")
    else:
        _form_errors(request, form)
    return _back_to(session)


@login_required
@require_POST
def skill_rate(request, pk: int):
    day, _ = _guard(request)
    rep = _visible_rep(request, pk, day)
    _require_coach(request, rep, day)
    form = SkillRatingForm(request.POST)
    if form.is_valid():
        services.rate_skill(rep=rep, rated_by=request.user, date=day, **form.cleaned_data)
        messages.success(request, "Rating recorded.")
    else:
        _form_errors(request, form)
    return redirect("coaching:rep_profile", pk=rep.pk)


@login_required
def goal_edit(request, pk: int):
    day, _ = _guard(request)
    rep = get_object_or_404(Rep, pk=pk)
    if not selectors.can_see_goal(request.user, rep, day):
        raise Http404("No such goal.")
    goal = selectors.current_goal(rep)
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            services.save_goal(rep=rep, by=request.user, **form.cleaned_data)
            messages.success(request, "Goal saved.")
            return redirect("coaching:rep_profile", pk=rep.pk)
    else:
        initial = {}
        if goal is not None:
            fields = (
                "motivator",
                "goal",
                "target_amount",
                "target_date",
                "saved_so_far",
                "savings_rate",
                "counting_from",
            )
            initial = {f: getattr(goal, f) for f in fields}
        form = GoalForm(initial=initial)
    return render(request, "coaching/goal_form.html", {"form": form, "rep": rep, "goal": goal})


@login_required
def skills_matrix(request):
    day, role = _guard(request)
    if role not in {User.Role.MANAGER, User.Role.ADMIN}:
        raise PermissionDenied("The skills matrix is for managers and admins.")
    me = people.rep_for_user(request.user)
    if role == User.Role.MANAGER:
        reps = selectors.subtree_reps(me, day) if me else []
    else:
        reps = list(Rep.objects.filter(skill_ratings__isnull=False).distinct().order_by("name"))
    form = SkillForm()
    if request.method == "POST":
        form = SkillForm(request.POST)
        if form.is_valid():
            services.add_skill(**form.cleaned_data)
            messages.success(request, "Skill added.")
            return redirect("coaching:skills")
    page = page_of(request, reps, HEAT_MAP_ROWS)
    skill_list, rows = selectors.heat_map(list(page.object_list))
    context = {"skills": skill_list, "rows": rows, "page": page, "form": form, "role": role}
    return render(request, "coaching/skills.html", context)


@login_required
def scenario_list(request):
    _guard(request)
    return render(request, "coaching/scenarios.html", {"scenarios": selectors.scenarios()})


@login_required
def training_new(request):
    day, _ = _guard(request)
    teams = selectors.trainable_teams(request.user, day)
    if not teams.exists():
        raise PermissionDenied("Group training is run by managers for their teams.")
    form = TrainingForm(request.POST or None, teams=teams)
    if request.method == "GET":
        form = TrainingForm(
            teams=teams,
            initial={"team": teams.first(), "scheduled_at": timezone.localtime(_default_when(day))},
        )
    elif form.is_valid():
        training = services.schedule_training(
            led_by=people.rep_for_user(request.user), **form.cleaned_data
        )
        messages.success(request, f"Training scheduled; {training.attendance.count()} invited.")
        return redirect("coaching:training_detail", pk=training.pk)
    return render(request, "coaching/training_new.html", {"form": form})


@login_required
def training_detail(request, pk: int):
    day, _ = _guard(request)
    training = get_object_or_404(selectors.trainings_visible_to(request.user, day), pk=pk)
    can_run = selectors.can_run_training(request.user, training, day)
    invited = list(training.attendance.select_related("rep"))
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied("Only the team's managers record attendance.")
        form = AttendanceForm(request.POST, invited=invited)
        if form.is_valid():
            services.record_attendance(
                training,
                attended={int(i) for i in form.cleaned_data["attended"]},
                notes=form.cleaned_data["notes"],
            )
            messages.success(request, "Attendance saved.")
            return redirect("coaching:training_detail", pk=training.pk)
    else:
        form = AttendanceForm(
            invited=invited,
            initial={
                "attended": [str(a.rep_id) for a in invited if a.attended],
                "notes": training.notes,
            },
        )
    context = {"training": training, "invited": invited, "can_run": can_run, "form": form}
    return render(request, "coaching/training_detail.html", context)


@login_required
@require_POST
def role_play_assign(request, pk: int):
    day, _ = _guard(request)
    rep = _visible_rep(request, pk, day)
    me = _require_coach(request, rep, day)
    form = AssignRolePlayForm(request.POST)
    if form.is_valid():
        services.assign_role_play(rep=rep, assigned_by=me, **form.cleaned_data)
        messages.success(request, "Role-play assigned.")
    else:
        _form_errors(request, form)
    return redirect("coaching:rep_profile", pk=rep.pk)


@login_required
def rep_lookup(request):
    """``?rep=<id>`` (or, with many reps, a rep id, a name or a picked suggestion) → that
    rep's coaching profile; a text that names no single rep goes back with the reason."""
    day, _ = _guard(request)
    form = RepPickForm(request.GET, reps=Rep.objects.all())
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("rep", ["Choose a rep."])))
        return redirect("coaching:home")
    rep = _visible_rep(request, form.cleaned_data["rep"].pk, day)
    return redirect("coaching:rep_profile", pk=rep.pk)
