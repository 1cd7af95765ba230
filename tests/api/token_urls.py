"""The app's URLs plus the token page, until people/urls.py routes it."""

from django.urls import path

from attain.people.token_views import tokens_page
from attain.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("people/tokens/", tokens_page), *app_urlpatterns]
