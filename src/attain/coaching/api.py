"""API: coaching insights, sessions and action items, with the visibility of the pages.

Mount in attain/api.py (``register_routers``)::

    from attain.coaching.api import router as coaching_router
    api.add_router("/coaching", coaching_router)

Who sees what is decided by ``coaching/selectors.py``, exactly as for the pages: finance gets
403 on every endpoint; a rep, session or action item outside the caller's scope answers
404 (ids do not leak); a visible record the caller may not change answers 403. Insights
show the caller only what the pages show: a rep sees their own row (and team medians only
when at least five reps are compared), a manager their subtree. Personal goals and
motivators are never part of this API (the pages show them to the rep and their direct
manager only).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError, ValidationError

from attain.api_common import Message, MoneyOut, PageIn, ValidationErrors, paginate
from attain.coaching import selectors, services
from attain.coaching.models import ActionItem
from attain.people import selectors as people
from attain.people.models import Rep, User

router = Router(tags=["coaching"])

READ_ERRORS = {401: Message, 403: Message, 404: Message}
WRITE_ERRORS = {401: Message, 403: Message, 404: Message, 422: ValidationErrors}


def _guard(request) -> dt.date:
    if people.role_of(request.auth) == User.Role.FINANCE:
        raise HttpError(403, "coaching records are for reps, their managers and admins")
    return people.today()


def _visible_rep(user: User, rep_id: int, day: dt.date) -> Rep:
    rep = Rep.objects.filter(pk=rep_id).first()
    if rep is None or not selectors.can_see_coaching(user, rep, day):
        raise HttpError(404, "Not Found")
    return rep


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["body", field], "msg": message, "type": "value_error"}])


# --- schemas -----------------------------------------------------------------------------


class CoachingRep(Schema):
    id: int
    external_id: str
    name: str


class CoachingPeriod(Schema):
    key: str = Field(description='"" for the trailing 12 months, else e.g. "2026Q1"')
    label: str
    start: dt.date
    end: dt.date


class CoachingRate(Schema):
    successes: int
    trials: int
    raw: float | None
    shrunk: float = Field(description="posterior mean, shrunk toward the team")
    low: float = Field(description="90% interval")
    high: float
    flag: str = Field(description='"below" / "above" the team median when credible, else ""')


class CoachingStage(Schema):
    stage: str
    next_stage: str
    entered: int
    known: int = Field(description="moved on or closed: the outcome is known")
    converted: int
    conversion: CoachingRate | None
    days_to_move_on: float | None = Field(description="typical (geometric mean) days")
    days_flag: str


class CoachingRow(Schema):
    rep: CoachingRep
    won: int
    lost: int
    win_rate: CoachingRate
    average_won: MoneyOut | None
    median_cycle_days: float | None
    pipeline: MoneyOut
    pipeline_deals: int
    coverage: float | None
    coverage_basis: str = Field(description='"quota", "met" or "team"')
    quota: MoneyOut | None
    attainment_pct: float | None
    activities: dict[str, int]
    flags: dict[str, str]
    patterns: list[str]
    stages: list[CoachingStage]


class CoachingMedians(Schema):
    win_rate: float | None
    average_won: MoneyOut | None
    cycle_days: float | None
    activity: float | None
    stage_conversion: list[float | None]


class CoachingOpportunity(Schema):
    rep: CoachingRep
    kind: str
    pattern: str
    gap: str
    certainty: float | None
    worth_per_quarter: MoneyOut | None
    evidence_url: str


class CoachingInsights(Schema):
    period: CoachingPeriod
    as_of: dt.date
    group: str = Field(description="whom the rows are compared with")
    compared: int = Field(description="how many reps are in the comparison")
    medians: CoachingMedians | None = Field(description="null when hidden from a rep (small group)")
    rows: list[CoachingRow]
    opportunities: list[CoachingOpportunity]


class ActionItemOut(Schema):
    id: int
    session: int
    rep: CoachingRep
    owner: CoachingRep
    text: str
    due_date: dt.date | None
    done: bool
    done_at: dt.datetime | None

    @staticmethod
    def resolve_session(obj) -> int:
        return obj.session_id

    @staticmethod
    def resolve_rep(obj) -> Rep:
        return obj.session.rep


class ActionItemPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ActionItemOut]


class CoachingSessionOut(Schema):
    id: int
    kind: str
    manager: CoachingRep
    rep: CoachingRep
    scheduled_at: dt.datetime
    agenda: str
    notes: str
    follow_up_of: int | None
    action_items: list[ActionItemOut]

    @staticmethod
    def resolve_follow_up_of(obj) -> int | None:
        return obj.follow_up_of_id

    @staticmethod
    def resolve_action_items(obj) -> list[ActionItem]:
        return selectors.agenda_items(obj)


class CoachingSessionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CoachingSessionOut]


class CoachingSessionIn(Schema):
    rep: int = Field(description="the rep's id")
    scheduled_at: dt.datetime
    kind: Literal["one_on_one", "coaching"] = "one_on_one"
    agenda: str | None = Field(
        None, description="omit for the prefilled agenda (opportunities, attainment, items)"
    )
    follow_up_of: int | None = Field(None, description="a visible session with the same rep")


class ActionItemPatch(Schema):
    done: bool | None = None
    text: str | None = Field(None, max_length=500, description="the rep's managers only")
    due_date: dt.date | None = Field(None, description="the rep's managers only")


# --- insights ----------------------------------------------------------------------------


def _rate(estimate, flag: str) -> dict:
    return {
        "successes": estimate.successes,
        "trials": estimate.trials,
        "raw": estimate.raw,
        "shrunk": estimate.shrunk,
        "low": estimate.low,
        "high": estimate.high,
        "flag": flag,
    }


def _row(row: selectors.RepInsight) -> dict:
    m = row.metrics
    return {
        "rep": row.rep,
        "won": m.won,
        "lost": m.lost,
        "win_rate": _rate(row.win, row.flags["win_rate"]),
        "average_won": m.avg_won,
        "median_cycle_days": m.median_cycle,
        "pipeline": m.pipeline,
        "pipeline_deals": m.pipeline_count,
        "coverage": row.coverage,
        "coverage_basis": row.coverage_basis,
        "quota": row.quota,
        "attainment_pct": row.attainment,
        "activities": dict(m.activities),
        "flags": dict(row.flags),
        "patterns": list(row.patterns),
        "stages": [
            {
                "stage": s.stage,
                "next_stage": s.next_stage,
                "entered": s.entered,
                "known": s.known,
                "converted": s.converted,
                "conversion": _rate(s.estimate, s.flag) if s.estimate else None,
                "days_to_move_on": s.days.centre if s.days else None,
                "days_flag": s.days_flag,
            }
            for s in row.stages
        ],
    }


@router.get(
    "insights",
    response={200: CoachingInsights, **READ_ERRORS},
    summary="Coaching insights and opportunities",
)
def insights(request, period: str = "", rep: int | None = None):
    """``period``: empty for the trailing 12 months, or a quarter such as ``2026Q1``.

    Without ``rep``: a manager gets every rep of their subtree with the ranked coaching
    opportunities (the coaching page); a rep gets their own row. With ``rep`` (an id): that
    rep's row as on their profile page, compared with the same group as the page.
    Out-of-scope reps answer 404; an admin must name a rep.
    """
    user = request.auth
    day = _guard(request)
    chosen = selectors.period_for(period, day)
    me = people.rep_for_user(user)
    role = people.role_of(user)
    if rep is None and role == User.Role.MANAGER and me is not None:
        group, label, only, can_coach = selectors.subtree_reps(me, day), "your team", None, True
    else:
        if rep is None:
            if me is None:
                raise HttpError(404, "pass ?rep=<id>: you are not a rep yourself")
            rep = me.id
        subject = _visible_rep(user, rep, day)
        group, label = selectors.comparison_reps(user, subject, day)
        only, can_coach = subject.id, selectors.can_coach(user, subject, day)
    team = selectors.team_insights(group, chosen, day)
    rows = [r for r in team.rows if only is None or r.rep.id == only]
    found = [o for o in selectors.opportunities(team) if only is None or o.rep.id == only]
    hidden = selectors.hide_medians_from(user, can_coach, team)
    med = team.medians
    return {
        "period": chosen,
        "as_of": day,
        "group": label,
        "compared": len(team.rows),
        "medians": None
        if hidden
        else {
            "win_rate": med.win_rate,
            "average_won": med.avg_won,
            "cycle_days": med.cycle,
            "activity": med.activity,
            "stage_conversion": med.stage_conversion,
        },
        "rows": [_row(r) for r in rows],
        "opportunities": [
            {
                "rep": o.rep,
                "kind": o.kind,
                "pattern": o.pattern,
                "gap": o.gap,
                "certainty": o.certainty,
                "worth_per_quarter": o.worth,
                "evidence_url": o.evidence_url,
            }
            for o in found
        ],
    }


# --- sessions ----------------------------------------------------------------------------


@router.get(
    "sessions",
    response={200: CoachingSessionPage, 401: Message, 403: Message},
    summary="List sessions",
)
def list_sessions(request, page: Query[PageIn], rep: int | None = None, upcoming: bool = False):
    """1:1s and coaching sessions the caller may see (the rep's, their managers', all for an
    admin), latest first; ``upcoming`` keeps those from today on, soonest first."""
    day = _guard(request)
    sessions = selectors.sessions_visible_to(request.auth, day).select_related("follow_up_of")
    if rep is not None:
        sessions = sessions.filter(rep_id=rep)
    if upcoming:
        sessions = selectors.upcoming_sessions(sessions, day)
    else:
        sessions = sessions.order_by("-scheduled_at", "-id")
    return paginate(sessions, page)


@router.get("sessions/{int:session_id}", response={200: CoachingSessionOut, **READ_ERRORS})
def get_session(request, session_id: int):
    day = _guard(request)
    return get_object_or_404(selectors.sessions_visible_to(request.auth, day), pk=session_id)


@router.post(
    "sessions", response={201: CoachingSessionOut, **WRITE_ERRORS}, summary="Schedule a session"
)
def create_session(request, payload: CoachingSessionIn):
    """A manager schedules a 1:1 or coaching session with a rep of their subtree (403 for
    anyone else who can see the rep; 404 when they cannot). Open action items of the rep are
    carried onto its agenda; an omitted agenda is prefilled as on the page."""
    user = request.auth
    day = _guard(request)
    rep = _visible_rep(user, payload.rep, day)
    if not selectors.can_coach(user, rep, day):
        raise HttpError(403, "only the rep's managers schedule sessions")
    me = people.rep_for_user(user)
    previous = None
    if payload.follow_up_of is not None:
        previous = selectors.sessions_visible_to(user, day).filter(pk=payload.follow_up_of).first()
        if previous is None:
            raise _invalid("follow_up_of", "follow_up_of is not a session you can see")
    agenda = payload.agenda if payload.agenda is not None else services.agenda_for(me, rep, day)
    try:
        session = services.schedule_session(
            manager=me,
            rep=rep,
            scheduled_at=payload.scheduled_at,
            kind=payload.kind,
            agenda=agenda,
            follow_up_of=previous,
        )
    except DjangoValidationError as error:
        raise _invalid("follow_up_of", " ".join(error.messages)) from error
    return 201, session


# --- action items ------------------------------------------------------------------------


@router.get(
    "action-items",
    response={200: ActionItemPage, 401: Message, 403: Message},
    summary="List action items",
)
def list_items(
    request,
    page: Query[PageIn],
    done: bool | None = None,
    rep: int | None = None,
    mine: bool = False,
):
    """Action items of the sessions the caller may see; ``done`` filters, ``rep`` keeps one
    rep's sessions, ``mine`` keeps the items the caller owns."""
    day = _guard(request)
    items = selectors.items_visible_to(request.auth, day)
    if done is not None:
        items = items.filter(done=done)
    if rep is not None:
        items = items.filter(session__rep_id=rep)
    if mine:
        me = people.rep_for_user(request.auth)
        items = items.filter(owner=me) if me is not None else items.none()
    return paginate(items.order_by("done", "due_date", "id"), page)


@router.patch(
    "action-items/{int:item_id}",
    response={200: ActionItemOut, **WRITE_ERRORS},
    summary="Tick off or edit an action item",
)
def patch_item(request, item_id: int, payload: ActionItemPatch):
    """``done``: the session's rep or one of their managers. ``text`` and ``due_date``: the
    rep's managers only. Others who can see the item get 403; those who cannot, 404."""
    user = request.auth
    day = _guard(request)
    item = get_object_or_404(selectors.items_visible_to(user, day), pk=item_id)
    rep = item.session.rep
    me = people.rep_for_user(user)
    coach = selectors.can_coach(user, rep, day)
    is_rep = me is not None and me.id == rep.id
    changes = payload.dict(exclude_unset=True)
    if not (coach or (is_rep and set(changes) <= {"done"})):
        raise HttpError(403, "only the rep ticks off, and their managers edit, action items")
    if "text" in changes:
        text = (changes["text"] or "").strip()
        if not text:
            raise _invalid("text", "text must say what the action is")
        item.text = text
        item.save(update_fields=["text"])
    if "due_date" in changes:
        item.due_date = changes["due_date"]
        item.save(update_fields=["due_date"])
    if changes.get("done") is not None and changes["done"] != item.done:
        services.set_item_done(item, changes["done"])
    return item
