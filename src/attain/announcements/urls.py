from django.urls import path

from attain.announcements import views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_new, name="new"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/edit/", views.announcement_edit, name="edit"),
    path("<int:pk>/publish/", views.announcement_publish, name="publish"),
    path("<int:pk>/acknowledge/", views.announcement_acknowledge, name="acknowledge"),
    path("<int:pk>/readers/", views.announcement_readers, name="readers"),
    path("<int:pk>/remind/", views.announcement_remind, name="remind"),
    path("<int:pk>/questions/", views.question_ask, name="ask"),
    path("questions/<int:pk>/answer/", views.question_answer, name="answer"),
]
