from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "attain.payouts"
    verbose_name = "Payouts"
    default_auto_field = "django.db.models.BigAutoField"
