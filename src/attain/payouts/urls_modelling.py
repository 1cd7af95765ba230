from django.urls import path

from attain.payouts import views_modelling

urlpatterns = [
    path("modelling/", views_modelling.modelling_page, name="modelling"),
]
