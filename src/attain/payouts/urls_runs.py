"""Run pages (included by attain.payouts.urls, app_name "payouts")."""

from django.urls import path

from attain.payouts import views_runs as views

urlpatterns = [
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_new, name="run_new"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run_approve"),
    path("runs/<int:pk>/pay/", views.run_pay, name="run_pay"),
    path("runs/<int:pk>/discard/", views.run_discard, name="run_discard"),
    path("runs/<int:pk>/replay/", views.run_replay, name="run_replay"),
    path("runs/<int:pk>/payroll.csv", views.run_payroll_csv, name="run_payroll_csv"),
    path("expense/", views.expense, name="expense"),
    path("fx/", views.fx_rates, name="fx_rates"),
]
