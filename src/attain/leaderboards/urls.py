from django.urls import path

from attain.leaderboards import views

app_name = "leaderboards"

urlpatterns = [
    path("", views.board_list, name="board_list"),
    path("new/", views.board_edit, name="board_create"),
    path("<int:pk>/", views.board_detail, name="board_detail"),
    path("<int:pk>/edit/", views.board_edit, name="board_edit"),
    path("<int:pk>/events/", views.board_events, name="board_events"),
    path("competitions/", views.competition_list, name="competition_list"),
    path("competitions/new/", views.competition_edit, name="competition_create"),
    path("competitions/<int:pk>/", views.competition_detail, name="competition_detail"),
    path("competitions/<int:pk>/edit/", views.competition_edit, name="competition_edit"),
    path("competitions/<int:pk>/events/", views.competition_events, name="competition_events"),
    path("displays/", views.display_list, name="display_list"),
    path("displays/<int:pk>/revoke/", views.display_revoke, name="display_revoke"),
    path("display/<str:key>/", views.display, name="display"),
    path("display/<str:key>/events/", views.display_events, name="display_events"),
]
