from django.apps import AppConfig


class AnnouncementsConfig(AppConfig):
    name = "attain.announcements"
    verbose_name = "Announcements"
    default_auto_field = "django.db.models.BigAutoField"
