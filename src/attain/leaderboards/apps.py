from django.apps import AppConfig


class LeaderboardsConfig(AppConfig):
    name = "attain.leaderboards"
    verbose_name = "Leaderboards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attain.leaderboards import signals  # noqa: F401 - connects the receivers
