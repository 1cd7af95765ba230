"""Things to look at on day one: boards, a region competition and an announcement.

Created after the generated org is written, through each app's own services, so that every
screen of a fresh demo has something true to show.
"""

from __future__ import annotations

import datetime as dt

from attain.people.models import Team, User

BOARD_NAMES = ("Top sellers this quarter", "Regions this quarter", "Activity this week")


def _quarter(day: dt.date) -> tuple[dt.date, dt.date, int]:
    number = (day.month - 1) // 3 + 1
    start = dt.date(day.year, 3 * number - 2, 1)
    next_start = dt.date(day.year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    return start, next_start - dt.timedelta(days=1), number


def create_showcase(as_of: dt.date) -> None:
    from attain.announcements.services import Draft, create_draft, publish
    from attain.leaderboards.models import Board, Competition, Measure, Privacy, Subject, Window
    from attain.leaderboards.services import save_board, save_competition

    admin = User.objects.get(username="admin")
    root = Team.objects.get(parent__isnull=True)
    regions = list(Team.objects.filter(parent=root).order_by("name"))

    boards = [
        Board(
            name=BOARD_NAMES[0],
            measure=Measure.WON_REVENUE,
            window=Window.QUARTER,
            privacy=Privacy.SHOW_AMOUNTS,
        ),
        Board(
            name=BOARD_NAMES[1],
            subject=Subject.TEAMS,
            measure=Measure.WON_REVENUE,
            window=Window.QUARTER,
            scope_team=root,
            privacy=Privacy.SHOW_AMOUNTS,
        ),
        Board(
            name=BOARD_NAMES[2],
            measure=Measure.ACTIVITIES,
            window=Window.WEEK,
            privacy=Privacy.RANKS_ONLY,
        ),
    ]
    for board in boards:
        save_board(user=admin, board=board)

    start, end, number = _quarter(as_of)
    names = " vs ".join(team.name for team in regions)
    save_competition(
        user=admin,
        competition=Competition(
            name=f"Q{number} region cup: {names}",
            subject=Subject.TEAMS,
            measure=Measure.WON_REVENUE,
            start_date=start,
            end_date=end,
            prizes="The winning region's team dinner, paid by the VP.",
            rules="Won revenue credited to each region's reps, cancellations excluded.",
        ),
        reps=[],
        teams=regions,
        territories=[],
    )

    draft = Draft(
        title="Margin over volume from next quarter",
        audience="everyone",
        why="Discounts on hardware bundles grew faster than revenue this year, so each "
        "deal now earns us less. We want growth that pays for itself.",
        priorities="- Lead with **Platform** and **Analytics**, our highest-margin families.\n"
        "- Bundle services only where the customer asks for them.",
        adjustments="- Target accounts with potential above $250,000 first.\n"
        "- Discounts above 15% need your manager's approval before the proposal goes out.",
        unchanged="Territories, quotas for this quarter and how deals are credited.",
    )
    publish(create_draft(author=admin, draft=draft, day=as_of), by=admin, day=as_of)

    from attain.demo.pay import create_pay_demo

    create_pay_demo(as_of)
    _demo_goal(as_of)

    from attain.demo.forecasts import create_forecast_calls

    create_forecast_calls(as_of)


def _demo_goal(as_of: dt.date) -> None:
    """The demo rep saves half their commission toward a house deposit, counted from the
    first paid month, so their home page shows progress, pace and "hit quota" by the plan."""
    from decimal import Decimal

    from attain.coaching.selectors import direct_manager_ids
    from attain.coaching.services import save_goal
    from attain.engine.periods import parse_period
    from attain.payouts.models import CalcRun
    from attain.people.models import Rep

    rep = Rep.objects.filter(user__username="rep").first()
    if rep is None:
        return
    managers = sorted(direct_manager_ids(rep, as_of))
    by = Rep.objects.get(pk=managers[0]).user if managers else User.objects.get(username="admin")
    first_paid = CalcRun.objects.filter(status__in=CalcRun.CLOSED).order_by("period").first()
    counting_from = parse_period(first_paid.period).start if first_paid else as_of.replace(day=1)
    save_goal(
        rep=rep,
        by=by,
        goal="House deposit",
        motivator="Buying a first home with their partner next year.",
        target_amount=Decimal("20000.00"),
        target_date=dt.date(as_of.year + 1, 6, 30),
        saved_so_far=Decimal("2500.00"),
        savings_rate=Decimal("50"),
        counting_from=counting_from,
    )


def delete_showcase() -> None:
    """Remove what ``create_showcase`` and users made on top of the org, before a reset."""
    from attain.announcements.models import Announcement
    from attain.demo.pay import delete_pay_demo
    from attain.forecasts.models import ForecastCall
    from attain.leaderboards.models import Board, Competition, DisplayToken

    delete_pay_demo()
    for model in (ForecastCall, DisplayToken, Competition, Board, Announcement):
        model.objects.all().delete()
