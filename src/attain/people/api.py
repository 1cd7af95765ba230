"""API: reps, scoped by ``reps_visible_to`` like the web UI."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Query, Router

from attain.api_common import Message, PageIn, paginate
from attain.people import selectors
from attain.people.schemas import RepOut, RepPage
from attain.people.selectors import reps_visible_to, search_reps, team_today_subquery

router = Router(tags=["reps"])


@router.get("", response={200: RepPage, 401: Message}, summary="List reps")
def list_reps(request, page: Query[PageIn], q: str = ""):
    """Reps the caller may see, by name. ``q`` matches name, title, email or external id."""
    reps = search_reps(reps_visible_to(request.auth), as_of=selectors.today(), q=q)
    return paginate(reps.order_by("name", "id"), page)


@router.get(
    "/{int:rep_id}", response={200: RepOut, 401: Message, 404: Message}, summary="Get a rep"
)
def get_rep(request, rep_id: int):
    """One rep; 404 when it does not exist or lies outside the caller's scope."""
    reps = reps_visible_to(request.auth).annotate(team_name=team_today_subquery(selectors.today()))
    return get_object_or_404(reps, pk=rep_id)
