"""The site's URLs with the coaching API under /api/coaching/, for the API tests, whether or
not attain/api.py mounts the router yet (it is mounted there with
``api.add_router("/coaching", coaching_router)``)."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI
from ninja.errors import ValidationError

from attain.api import BearerToken, ExactJSONParser, SessionAuth, api, validation_failed
from attain.coaching.api import router
from attain.urls import urlpatterns as site_urlpatterns

if any(mounted is router for _, mounted in api._routers):
    urlpatterns = list(site_urlpatterns)
else:
    test_api = NinjaAPI(
        auth=[BearerToken(), SessionAuth()],
        urls_namespace="coaching_api_tests",
        parser=ExactJSONParser(),
        docs_url=None,
    )
    test_api.add_exception_handler(ValidationError, validation_failed)
    test_api.add_router("/coaching", router)
    urlpatterns = [path("api/", test_api.urls), *site_urlpatterns]
