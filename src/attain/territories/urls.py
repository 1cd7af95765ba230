from django.urls import path

from attain.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.territory_list, name="territory_list"),
    path("<int:pk>/", views.territory_detail, name="territory_detail"),
    path("assignment/", views.assignment, name="assignment"),
    path("performance/", views.performance, name="performance"),
    path("scenarios/", views.scenario_list, name="scenario_list"),
    path("scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/realign/", views.realign, name="realign"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/apply/", views.scenario_apply, name="scenario_apply"),
]
