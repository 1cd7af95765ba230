"""The JSON API (django-ninja). Same users, roles and scoping as the web UI.

Authenticate with ``Authorization: Bearer <token>`` (tokens per user, see ``attain
createtoken``) or with the browser session.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from attain.people.tokens import user_for_key


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session, with Django's CSRF check for unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api = NinjaAPI(
    title="Attain API",
    version="1",
    description="Reps, accounts and deals with the same permissions as the web UI.",
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


def register_routers() -> None:
    from attain.people.api import router as people_router
    from attain.sales.api import router as sales_router

    api.add_router("/reps", people_router)
    api.add_router("/", sales_router)


register_routers()
