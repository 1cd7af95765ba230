"""Seed the skills list and a starter library of role-play scenarios (both editable)."""

from django.db import migrations

from attain.coaching.library import SCENARIOS, seed_library


def seed(apps, schema_editor):
    seed_library(
        apps.get_model("coaching", "Skill"), apps.get_model("coaching", "RolePlayScenario")
    )


def unseed(apps, schema_editor):
    apps.get_model("coaching", "RolePlayScenario").objects.filter(
        title__in=[s["title"] for s in SCENARIOS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
