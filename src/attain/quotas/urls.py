from django.urls import path

from attain.quotas import views

app_name = "quotas"
urlpatterns = [
    path("", views.quota_list, name="list"),
    path("new/", views.quota_new, name="new"),
    path("distribute/", views.distribute, name="distribute"),
    path("<int:pk>/edit/", views.quota_edit, name="edit"),
    path("<int:pk>/delete/", views.quota_delete, name="delete"),
]
