from django.urls import path

from attain.sales import views

app_name = "sales"
urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/<int:pk>/", views.deal_detail, name="deal_detail"),
]
