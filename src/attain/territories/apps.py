from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "attain.territories"
    label = "territories"
    verbose_name = "Territories"
