from django.urls import path

from attain.people import token_views, views

app_name = "people"
urlpatterns = [
    path("reps/", views.rep_list, name="rep_list"),
    path("reps/suggest/", views.rep_suggest, name="rep_suggest"),
    path("reps/<int:pk>/", views.rep_detail, name="rep_detail"),
    path("tokens/", token_views.tokens_page, name="tokens"),
]
