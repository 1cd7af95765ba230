"""Navigation entries by role, for the base layout."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, roles that see it); None = every signed-in role
NAV = [
    ("Home", "home", None),
    ("Reps", "people:rep_list", None),
    ("Accounts", "sales:account_list", None),
    ("Deals", "sales:deal_list", None),
    ("Territories", "territories:territory_list", {"admin", "finance", "manager"}),
    ("Imports", "imports:upload", {"admin"}),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = "admin" if user.is_superuser else user.role
    items = []
    for label, name, roles in NAV:
        if roles is not None and role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
