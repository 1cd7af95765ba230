"""The "prominent until acknowledged" banner shown at the top of every page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from attain.announcements import selectors

BANNER_LIMIT = 3


def banner(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    pending = list(selectors.pending_for(user, selectors.today())[: BANNER_LIMIT + 1])
    # The announcement's own page already asks for the acknowledgement.
    pending = [a for a in pending if request.path != reverse("announcements:detail", args=[a.pk])]
    if not pending:
        return {}
    return {
        "announcement_banner": pending[:BANNER_LIMIT],
        "announcement_banner_more": len(pending) > BANNER_LIMIT,
    }
