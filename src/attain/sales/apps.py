from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "attain.sales"
    label = "sales"
    verbose_name = "Sales"
