from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "attain.reports"
    label = "reports"
    verbose_name = "Reports"
