from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from attain.coaching import goals
from attain.coaching import selectors as coaching
from attain.people import selectors as people
from attain.people.models import User
from attain.reports import selectors, weekly
from attain.reports.paging import page_of

TEAM_ROWS = 50  # reps per page of a manager's team table


@login_required
def home(request):
    """One home page per role; the numbers come from reports.selectors."""
    day = people.today()
    role = people.role_of(request.user)
    if role == User.Role.ADMIN:
        return render(request, "reports/home_admin.html", {"health": selectors.data_health()})
    if role == User.Role.FINANCE:
        return render(
            request, "reports/home_finance.html", {"company": selectors.company_home(day)}
        )
    rep = people.rep_for_user(request.user)
    if rep is None:
        return render(request, "reports/home_unlinked.html", {"role": role})
    if role == User.Role.MANAGER:
        team = selectors.team_home(rep, day)
        context = {
            "team": team,
            "me": rep,
            "rows": page_of(request, team.rows, TEAM_ROWS),
            "chart_reps": selectors.CHART_REPS,
        }
        return render(request, "reports/home_manager.html", context)
    goal = coaching.current_goal(rep)
    context = {
        "home": selectors.rep_home(rep, day),
        "me": rep,
        "action_items": coaching.open_items_for(rep),
        "goal": goal,
        "progress": goals.progress(goal, day) if goal else None,
    }
    return render(request, "reports/home_rep.html", context)


@login_required
def weekly_report(request):
    """The user's own weekly report as the email shows it, and whether they get it."""
    user = request.user
    if request.method == "POST":
        wanted = request.POST.get("subscribed") == "1"
        weekly.set_subscribed(user, wanted)
        messages.success(
            request, "The weekly email is on." if wanted else "The weekly email is stopped."
        )
        return redirect("weekly_report")
    start, end = weekly.last_full_week(people.today())
    context = {
        "report": weekly.build_report(user, start, end),
        "week_start": start,
        "week_end": end,
        "sent_on": end + dt.timedelta(days=1),
        "subscribed": weekly.subscribed(user),
        "address": weekly.address_of(user),
        "last_sent": user.weekly_reports.first(),
    }
    return render(request, "reports/weekly.html", context)
