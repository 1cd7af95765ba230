"""Navigation entries by role, for the base layout."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from attain.people.models import User
from attain.people.selectors import role_of

# (label, url name, roles that see it); None = every signed-in role
NAV = [
    ("Home", "home", None),
    ("Reps", "people:rep_list", None),
    ("Accounts", "sales:account_list", None),
    ("Deals", "sales:deal_list", None),
    ("Territories", "territories:territory_list", {"admin", "finance", "manager"}),
    ("Coaching", "coaching:home", {"admin", "manager", "rep"}),
    ("Announcements", "announcements:list", None),
    ("Leaderboards", "leaderboards:board_list", None),
    ("Pay", "payouts:home", None),
    ("Plans", "plans:list", {"admin", "finance"}),
    ("Quotas", "quotas:list", {"admin", "finance", "manager"}),
    ("Forecast", "forecasts:home", None),
    ("Imports", "imports:upload", {"admin"}),
    ("Audit log", "audit:list", {"admin", "finance"}),
]


def is_active(path: str, url: str) -> bool:
    """A section is active on its own URL and the pages below it; the root only on itself."""
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url.rstrip("/") + "/")


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = role_of(user)
    items = []
    for label, name, roles in NAV:
        if roles is not None and role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": is_active(request.path, url)})
    return {"nav_items": items, "current_role": role, "current_role_label": User.Role(role).label}
