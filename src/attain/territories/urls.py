from django.urls import path

from attain.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.territory_list, name="territory_list"),
    path("<int:pk>/", views.territory_detail, name="territory_detail"),
]
