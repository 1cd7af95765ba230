"""Routes for the pay home, statements, inquiries and the estimator (names in ``payouts``)."""

from django.urls import path

from attain.payouts import views_statements as views

PERIOD = "<str:period>"

urlpatterns = [
    path("", views.home, name="home"),
    path(f"statements/<int:rep_id>/{PERIOD}/", views.statement, name="statement"),
    path(f"statements/<int:rep_id>/{PERIOD}/pdf/", views.statement_pdf_view, name="statement_pdf"),
    path(f"statements/<int:rep_id>/{PERIOD}/csv/", views.statement_csv_view, name="statement_csv"),
    path("lines/<int:pk>/", views.line_detail, name="line_detail"),
    path("lines/<int:line_id>/inquire/", views.inquiry_new, name="inquiry_new"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/reply/", views.inquiry_reply, name="inquiry_reply"),
    path("inquiries/<int:pk>/resolve/", views.inquiry_resolve, name="inquiry_resolve"),
    path("estimator/", views.estimator_view, name="estimator"),
]
