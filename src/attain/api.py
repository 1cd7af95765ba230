"""The JSON API (django-ninja). Same users, roles and scoping as the web UI.

Authenticate with ``Authorization: Bearer <token>`` (tokens per user, see ``attain
createtoken``) or with the browser session (unsafe methods then need Django's CSRF token).
A request that carries an ``Authorization`` header is judged by that header alone.

The interactive docs at /api/docs use the Swagger UI files shipped inside django-ninja and
served as local static files: the page needs no internet.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpRequest
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from attain.api_common import field_name
from attain.people.tokens import user_for_key


class BearerToken(HttpBearer):
    """``Authorization: Bearer att_...``: a per-user token (people/tokens.py)."""

    def authenticate(self, request, token: str):
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(AuthBase):
    """The browser session, with Django's CSRF check for unsafe methods.

    Requests without a logged-in session (or with an Authorization header, which the bearer
    scheme judges) are left to the other schemes, so they get 401 rather than a CSRF 403.
    """

    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = "sessionid"

    def __init__(self) -> None:
        self.csrf = True
        super().__init__()

    def __call__(self, request: HttpRequest):
        if "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return user


class ExactJSONParser(Parser):
    """JSON numbers with a fraction become Decimal, so 12345.67 arrives exactly."""

    def parse_body(self, request: HttpRequest):
        return json.loads(request.body, parse_float=Decimal)


api = NinjaAPI(
    title="Attain API",
    version="1",
    description=(
        "Reps, accounts and deals with the same permissions as the web UI. "
        "Money is a decimal string. See docs/api.md."
    ),
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
    parser=ExactJSONParser(),
)


@api.exception_handler(ValidationError)
def validation_failed(request: HttpRequest, exc: ValidationError):
    """422 with one entry per bad field: ``{"detail": [{"field", "msg", "loc", "type"}]}``."""
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", []))
        errors.append(
            {
                "field": field_name(loc),
                "msg": str(error.get("msg", "is invalid")),
                "loc": loc,
                "type": str(error.get("type", "value_error")),
            }
        )
    return api.create_response(request, {"detail": errors}, status=422)


def register_routers() -> None:
    from attain.coaching.api import router as coaching_router
    from attain.forecasts.api import router as forecasts_router
    from attain.leaderboards.webhooks import router as webhooks_router
    from attain.payouts.api_fx import router as fx_router
    from attain.payouts.api_modelling import router as modelling_router
    from attain.payouts.api_runs import router as runs_router
    from attain.payouts.api_statements import router as statements_router
    from attain.people.api import router as people_router
    from attain.plans.api import router as plans_router
    from attain.quotas.api import router as quotas_router
    from attain.sales.api import router as sales_router

    api.add_router("/reps", people_router)
    api.add_router("/", sales_router)
    api.add_router("/", plans_router)
    api.add_router("/", quotas_router)
    api.add_router("/", runs_router)
    api.add_router("/", fx_router)
    api.add_router("/", statements_router)
    api.add_router("/", modelling_router)
    api.add_router("/", webhooks_router)
    api.add_router("/coaching", coaching_router)
    api.add_router("/", forecasts_router)


register_routers()
