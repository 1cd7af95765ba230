from django.urls import path

from attain.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/new/", views.assignment_new, name="assignment_new"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("<str:plan_id>/v<int:version>/", views.plan_detail, name="detail"),
    path("<str:plan_id>/v<int:version>/edit/", views.plan_edit, name="edit"),
    path("<str:plan_id>/v<int:version>/archive/", views.plan_archive, name="archive"),
    path("<str:plan_id>/v<int:version>/diff/", views.revision_diff, name="diff"),
    path(
        "<str:plan_id>/v<int:version>/revisions/<int:number>/",
        views.revision_detail,
        name="revision",
    ),
]
