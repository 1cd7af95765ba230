"""The weekly report by email: each user's last full week (Monday to Sunday) in one
message, by role — a rep's own numbers, quota and goal; a manager's team; finance's and
admins' company, pay runs and imports. Built from the same selectors as the home pages,
sent through Django's mail backend, once per user and week (``WeeklyReportDelivery``).
See docs/weekly-report.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from attain.coaching import goals
from attain.coaching import selectors as coaching
from attain.common import DEFAULT_CURRENCY, in_force_on
from attain.forecasts import selectors as forecasts
from attain.forecasts.models import ForecastCall
from attain.imports.models import ImportRun
from attain.payouts.models import CalcRun, Inquiry
from attain.people.models import Rep, TeamMembership, User
from attain.people.selectors import rep_for_user, role_of, subtree_rep_ids
from attain.quotas.windows import quota_totals
from attain.reports.models import WeeklyReportDelivery, WeeklyReportOptOut
from attain.reports.selectors import (
    Total,
    format_money,
    open_pipeline,
    periods_for,
    total_of,
    won_between,
)
from attain.sales.models import Activity, Deal

TOP_REPS = 5  # reps named under "Top of the week"
QUIET_NAMED = 10  # quiet reps named (the rest counted)
ITEMS_NAMED = 5  # open action items listed


def last_full_week(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the last week that ended before ``day``."""
    this_monday = day - dt.timedelta(days=day.weekday())
    start = this_monday - dt.timedelta(days=7)
    return start, start + dt.timedelta(days=6)


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # plain sentences, listed
    link: tuple[str, str] | None = None  # (text, absolute URL)


@dataclass
class WeeklyReport:
    user: User
    week_start: dt.date
    week_end: dt.date
    sections: list[Section]

    @property
    def subject(self) -> str:
        return f"Your week in Attain: {_span(self.week_start, self.week_end)}"

    @property
    def greeting(self) -> str:
        name = self.user.first_name or self.user.get_username()
        return f"Hello {name}, here is your week of {_span(self.week_start, self.week_end)}."


def _span(start: dt.date, end: dt.date) -> str:
    return f"{start.day} {start:%B} to {end.day} {end:%B %Y}"


def _url(name: str, *args) -> str:
    return settings.ATTAIN_BASE_URL.rstrip("/") + reverse(name, args=args)


def _percent(part: Decimal, whole: Decimal) -> str:
    return f"{(part * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


# --- what each role reads ---------------------------------------------------------------


def build_report(user: User, week_start: dt.date, week_end: dt.date) -> WeeklyReport | None:
    """The user's report for the week, or None when there is nothing that is theirs to
    report (a rep or manager login linked to no rep)."""
    role = role_of(user)
    if role in {User.Role.ADMIN, User.Role.FINANCE}:
        sections = _company_sections(week_start, week_end, admin=role == User.Role.ADMIN)
    else:
        rep = rep_for_user(user)
        if rep is None:
            return None
        if role == User.Role.MANAGER:
            sections = _team_sections(rep, week_start, week_end)
        else:
            sections = _rep_sections(rep, week_start, week_end)
    return WeeklyReport(user, week_start, week_end, sections)


def _quarter_figures(rep_ids: list[int], won: Total, week_end: dt.date) -> list[Figure]:
    """Won this quarter to the week's end, against the revenue quota of the same days (a
    quota of a longer period counts by its days: ``quotas.windows``), so that attainment
    says whether the quarter is on pace, whatever of its months have quotas yet."""
    periods = periods_for(week_end)
    label = periods.quarter_label
    figures = [Figure(f"Won in {label} so far", str(won), _deals(won.count))]
    after_end = week_end + dt.timedelta(days=1)
    quotas = quota_totals(rep_ids, "revenue", periods.quarter_start, after_end)
    quota = sum(quotas.values(), Decimal("0"))
    if quota:
        done = won.in_currency(DEFAULT_CURRENCY)
        to_go = max(quota - done, Decimal("0"))
        days = f"{periods.quarter_start.day} {periods.quarter_start:%B} to {_day(week_end)}"
        figures.append(Figure(f"Revenue quota, {days}", format_money(quota)))
        note = f"{format_money(to_go)} behind" if to_go else "on or ahead of quota"
        figures.append(Figure("Attainment to date", _percent(done, quota), note))
    return figures


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B}"


def _rep_sections(rep: Rep, start: dt.date, end: dt.date) -> list[Section]:
    deals = Deal.objects.filter(owner=rep)
    won_week = total_of(won_between(deals, start, end, end))
    activities = Activity.objects.filter(rep=rep, date__gte=start, date__lte=end).count()
    pipeline = total_of(open_pipeline(deals))
    week = Section(
        "Your week",
        [
            Figure("Won", str(won_week), _deals(won_week.count)),
            Figure("Calls, meetings and emails logged", str(activities)),
            Figure("Open pipeline now", str(pipeline), _deals(pipeline.count)),
        ],
        link=("Your home page", _url("home")),
    )
    quarter_start = periods_for(end).quarter_start
    won_quarter = total_of(won_between(deals, quarter_start, end, end))
    sections = [
        week,
        Section("Your quarter", _quarter_figures([rep.id], won_quarter, end)),
        _forecast_section("Your forecast", Rep.objects.filter(pk=rep.pk), end, caller=rep),
    ]
    goal = coaching.current_goal(rep)
    if goal is not None:
        progress = goals.progress(goal, end, with_quota=False)
        saved = format_money(progress.saved, goal.currency)
        target = format_money(goal.target_amount, goal.currency)
        share = f" ({progress.percent}%)" if progress.percent is not None else ""
        sections.append(
            Section(
                "Your goal",
                [Figure(goal.goal, f"{saved} of {target}{share}")],
                link=("Your coaching profile", _url("coaching:rep_profile", rep.pk)),
            )
        )
    items = list(coaching.open_items_for(rep).order_by("due_date", "id"))
    if items:
        sections.append(
            Section(
                f"Open action items ({len(items)})",
                items=[_item(i) for i in items[:ITEMS_NAMED]],
                link=("Coaching", _url("coaching:home")),
            )
        )
    return sections


def _item(item) -> str:
    due = f" (due {item.due_date:%Y-%m-%d})" if item.due_date else ""
    return f"{item.text}{due}"


def _team_sections(manager: Rep, start: dt.date, end: dt.date) -> list[Section]:
    team = subtree_rep_ids(manager, end)
    deals = Deal.objects.filter(owner_id__in=team)
    won = won_between(deals, start, end, end)
    won_week = total_of(won)
    logged = dict(
        Activity.objects.filter(rep_id__in=team, date__gte=start, date__lte=end)
        .order_by()
        .values_list("rep_id")
        .annotate(n=Count("id"))
    )
    week = Section(
        "Your team's week",
        [
            Figure("Won", str(won_week), _deals(won_week.count)),
            Figure("Calls, meetings and emails logged", str(sum(logged.values()))),
            Figure("Open pipeline now", str(total_of(open_pipeline(deals)))),
        ],
        link=("Team overview", _url("home")),
    )
    sections = [week]
    counts: Counter[int] = Counter()
    amounts: dict[int, Decimal] = defaultdict(Decimal)  # the ranking's yardstick: USD deals
    for owner, amount, currency in won.order_by().values_list("owner_id", "amount", "currency"):
        counts[owner] += 1
        if currency == DEFAULT_CURRENCY:
            amounts[owner] += amount
    if counts:
        names = dict(Rep.objects.filter(id__in=counts).values_list("id", "name"))
        top = sorted(counts, key=lambda r: (-amounts[r], names[r]))[:TOP_REPS]
        sections.append(
            Section(
                "Top of the week",
                items=[
                    f"{names[r]}: {format_money(amounts[r])} ({_deals(counts[r])})" for r in top
                ],
            )
        )
    quiet = _quiet_reps(team - {manager.id}, set(logged) | set(counts), end)
    if quiet:
        named = ", ".join(quiet[:QUIET_NAMED])
        more = f" and {len(quiet) - QUIET_NAMED} more" if len(quiet) > QUIET_NAMED else ""
        sections.append(
            Section(
                "Quiet this week",
                items=[f"{_reps(len(quiet))} logged no activity and won nothing: {named}{more}."],
                link=("Coaching opportunities", _url("coaching:home")),
            )
        )
    quarter_start = periods_for(end).quarter_start
    won_quarter = total_of(won_between(deals, quarter_start, end, end))
    sections.append(Section("Your team's quarter", _quarter_figures(list(team), won_quarter, end)))
    team_reps = Rep.objects.filter(id__in=team)
    sections.append(_forecast_section("Your team's forecast", team_reps, end, caller=manager))
    return sections


def _forecast_section(title: str, reps, end: dt.date, *, caller: Rep | None = None) -> Section:
    """The quarter of the week's end as the Forecast page shows it on that day: won plus
    weighted pipeline, against the quarter's revenue quota, and the calls made by then —
    the caller's own (a rep's for their deals, a manager's for the team), and for a team
    or the company the sum of the reps' commits. The pipeline is the open deals as they
    stand when the report is built, as on "Open pipeline now"."""
    period = forecasts.current_period(end)
    by = forecasts.end_of(end)
    forecast = forecasts.team_forecast(reps, period, end, calls_by=by)
    total = forecast.total
    figures = [
        Figure(
            "Projection",
            format_money(total.projection),
            f"won {format_money(total.won)} + weighted pipeline {format_money(total.weighted)}",
        )
    ]
    if total.quota:
        short = f"{format_money(total.gap)} short" if total.gap else "reaches quota"
        partial = (
            f"; {_reps(total.partial_quotas)} with quota for part of it"
            if (total.partial_quotas)
            else ""
        )
        figures.append(
            Figure(
                f"Projected attainment of the {format_money(total.quota)} quota",
                f"{total.projected_attainment}%",
                short + partial,
            )
        )
    own = len(forecast.rows) == 1 and caller is not None and forecast.rows[0].rep == caller
    if not own:
        figures.append(
            Figure(
                "Reps' commits",
                format_money(forecast.reps_commit),
                f"{forecast.reps_called} of {_reps(len(forecast.rows))} called",
            )
        )
    if caller is not None:
        scope = ForecastCall.Scope.OWN if own else ForecastCall.Scope.TEAM
        call = forecasts.latest_calls([caller.id], period, scope, by=by).get(caller.id)
        label = "Your commit" if own else "Your team's commit"
        if call is None:
            figures.append(Figure(label, f"not made for {period.title}"))
        else:
            made = timezone.localtime(call.submitted_at).date()
            note = f"best case {format_money(call.best_case)}, made {_day(made)}"
            figures.append(Figure(label, format_money(call.commit), note))
    items = []
    if forecast.other_currency:
        verb = "is" if forecast.other_currency == 1 else "are"
        items.append(
            f"{_deals(forecast.other_currency)} in currencies other than {DEFAULT_CURRENCY} "
            f"without an exchange rate {verb} left out of these sums."
        )
    link = _url("forecasts:home") + f"?period={period.label}"
    return Section(f"{title} for {period.title}", figures, items, link=("Forecast", link))


def _quiet_reps(team: set[int], active: set[int], day: dt.date) -> list[str]:
    """Sellers of the team (members, not the managers under the manager) who logged no
    activity and won nothing."""
    sellers = TeamMembership.objects.filter(
        in_force_on(day), rep_id__in=team - active, role=TeamMembership.Role.MEMBER
    )
    quiet = Rep.objects.filter(id__in=sellers.values("rep_id"), termination_date__isnull=True)
    return list(quiet.order_by("name").values_list("name", flat=True))


def _reps(n: int) -> str:
    return "1 rep" if n == 1 else f"{n} reps"


def _deals(n: int) -> str:
    return f"{n} deal" if n == 1 else f"{n} deals"


def _company_sections(start: dt.date, end: dt.date, *, admin: bool) -> list[Section]:
    deals = Deal.objects.all()
    won_week = total_of(won_between(deals, start, end, end))
    quarter_start = periods_for(end).quarter_start
    won_quarter = total_of(won_between(deals, quarter_start, end, end))
    sections = [
        Section(
            "The company's week",
            [
                Figure("Won", str(won_week), _deals(won_week.count)),
                Figure(f"Won in {periods_for(end).quarter_label} so far", str(won_quarter)),
                Figure("Open pipeline now", str(total_of(open_pipeline(deals)))),
            ],
            link=("Home", _url("home")),
        )
    ]
    sections.append(_forecast_section("The company's forecast", Rep.objects.all(), end))
    drafts = CalcRun.objects.filter(status=CalcRun.Status.DRAFT).count()
    inquiries = Inquiry.objects.filter(status=Inquiry.Status.OPEN).count()
    sections.append(
        Section(
            "Pay",
            [
                Figure("Calculation runs awaiting approval", str(drafts)),
                Figure("Open inquiries from reps", str(inquiries)),
            ],
            link=("Pay", _url("payouts:home")),
        )
    )
    if admin:
        rejected = ImportRun.objects.filter(
            status=ImportRun.Status.REJECTED,
            started_at__date__gte=start,
            started_at__date__lte=end,
        ).count()
        sections.append(Section("Data", [Figure("Imports rejected this week", str(rejected))]))
    return sections


# --- sending ----------------------------------------------------------------------------


def address_of(user: User) -> str:
    """Where the user's report goes: the login's address, else their rep's."""
    if user.email:
        return user.email
    rep = rep_for_user(user)
    return rep.email if rep is not None else ""


def subscribed(user: User) -> bool:
    return not WeeklyReportOptOut.objects.filter(user=user).exists()


def set_subscribed(user: User, wanted: bool) -> None:
    if wanted:
        WeeklyReportOptOut.objects.filter(user=user).delete()
    else:
        WeeklyReportOptOut.objects.get_or_create(user=user)


def render_message(report: WeeklyReport) -> EmailMultiAlternatives:
    context = {"report": report, "settings_url": _url("weekly_report")}
    message = EmailMultiAlternatives(
        subject=report.subject,
        body=render_to_string("reports/email/weekly.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address_of(report.user)],
    )
    message.attach_alternative(render_to_string("reports/email/weekly.html", context), "text/html")
    return message


@dataclass
class Outcome:
    username: str
    sent_to: str = ""
    skipped: str = ""  # why not sent


class UnknownUser(ValueError):
    pass


def send_weekly_reports(
    day: dt.date, *, usernames: list[str] | None = None, force: bool = False
) -> tuple[dt.date, dt.date, list[Outcome]]:
    """Send the last full week before ``day`` to every active user (or those named), each
    at most once per week unless ``force``. A user is skipped, with the reason, without an
    address, when unsubscribed, when already sent that week, or when linked to no rep. Each
    message is recorded as it is handed to the mail backend: a failure stops the run, and
    running it again sends the rest."""
    start, end = last_full_week(day)
    users = User.objects.filter(is_active=True).order_by("username")
    if usernames:
        users = users.filter(username__in=usernames)
        unknown = sorted(set(usernames) - set(users.values_list("username", flat=True)))
        if unknown:
            raise UnknownUser(f"no active user named {', '.join(unknown)}")
    outcomes = []
    for user in users:
        outcome = Outcome(user.get_username())
        outcomes.append(outcome)
        address = address_of(user)
        if not address:
            outcome.skipped = "no email address"
        elif not subscribed(user):
            outcome.skipped = "unsubscribed"
        elif not force and user.weekly_reports.filter(week_start=start).exists():
            outcome.skipped = "already sent for this week"
        elif (report := build_report(user, start, end)) is None:
            outcome.skipped = "linked to no rep"
        else:
            render_message(report).send()
            _record(user, start, address)
            outcome.sent_to = address
    return start, end, outcomes


def _record(user: User, week_start: dt.date, address: str) -> None:
    try:
        with transaction.atomic():
            WeeklyReportDelivery.objects.create(user=user, week_start=week_start, sent_to=address)
    except IntegrityError:  # sent again with force: keep the first record, note the resend
        WeeklyReportDelivery.objects.filter(user=user, week_start=week_start).update(
            sent_to=address
        )
