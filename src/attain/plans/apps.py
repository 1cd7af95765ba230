from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "attain.plans"
    verbose_name = "Plans"
    default_auto_field = "django.db.models.BigAutoField"
