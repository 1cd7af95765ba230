from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from attain.api import api

urlpatterns = [
    path("", include("attain.reports.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", include("attain.people.urls")),
    path("sales/", include("attain.sales.urls")),
    path("territories/", include("attain.territories.urls")),
    path("imports/", include("attain.imports.urls")),
    path("coaching/", include("attain.coaching.urls")),
    path("announcements/", include("attain.announcements.urls")),
    path("leaderboards/", include("attain.leaderboards.urls")),
    path("plans/", include("attain.plans.urls")),
    path("quotas/", include("attain.quotas.urls")),
    path("forecasts/", include("attain.forecasts.urls")),
    path("pay/", include("attain.payouts.urls")),
    path("audit/", include("attain.audit.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
