"""Django admin for the editable coaching lists (skills, scenarios). Session notes and
goals are not registered: they are private to the rep and their managers."""

from django.contrib import admin

from attain.coaching.models import RolePlayScenario, Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]


@admin.register(RolePlayScenario)
class RolePlayScenarioAdmin(admin.ModelAdmin):
    list_display = ["title", "seller", "selling"]
    filter_horizontal = ["skills"]
