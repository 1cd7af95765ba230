"""The app's URLs, plus the plans API router until src/attain/api.py mounts it.

Once ``attain.api`` mounts ``attain.plans.api.router`` these are just the app's URLs.
"""

from django.urls import path
from ninja import NinjaAPI

from attain.api import ExactJSONParser, api, validation_failed
from attain.plans.api import router
from attain.urls import urlpatterns as app_urlpatterns

_mounted = any(str(p.pattern).startswith("plans") for p in api.urls[0])

urlpatterns = list(app_urlpatterns)
if not _mounted:
    plans_api = NinjaAPI(
        title="plans (tests)",
        auth=api.auth,
        urls_namespace="plans_api_tests",
        docs_url=None,
        openapi_url=None,
        parser=ExactJSONParser(),
    )
    plans_api.exception_handler(__import__("ninja").errors.ValidationError)(validation_failed)
    plans_api.add_router("/", router)
    urlpatterns = [path("api/", plans_api.urls), *app_urlpatterns]
