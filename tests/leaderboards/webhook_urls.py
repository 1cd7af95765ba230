"""URLs for webhook tests while the router is not yet mounted on the main API: the main
site's URLs plus a small API holding a fresh copy of the webhook router."""

from django.urls import path
from ninja import NinjaAPI

from attain.leaderboards.webhooks import build_router
from attain.urls import urlpatterns as site

api = NinjaAPI(urls_namespace="webhook-test", docs_url=None)
api.add_router("/", build_router())

urlpatterns = [path("webhook-api/", api.urls), *site]
