from django.urls import path

from attain.forecasts import views

app_name = "forecasts"
urlpatterns = [
    path("", views.home, name="home"),
    path("rep/<int:pk>/", views.rep_forecast, name="rep"),
]
