from __future__ import annotations

from django.contrib import admin

from attain.territories.models import (
    AccountOverride,
    Scenario,
    ScenarioAssignment,
    ScenarioTerritory,
    Territory,
    TerritoryOwner,
)


class OwnerInline(admin.TabularInline):
    model = TerritoryOwner
    extra = 0
    autocomplete_fields = ["rep"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "kind", "priority", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["accounts"]
    inlines = [OwnerInline]


@admin.register(TerritoryOwner)
class TerritoryOwnerAdmin(admin.ModelAdmin):
    list_display = ["territory", "rep", "valid_from", "valid_to"]
    search_fields = ["territory__name", "rep__name"]
    autocomplete_fields = ["territory", "rep"]
    list_select_related = ["territory", "rep"]


@admin.register(AccountOverride)
class AccountOverrideAdmin(admin.ModelAdmin):
    list_display = ["account", "territory", "valid_from", "valid_to", "note"]
    search_fields = ["account__name", "territory__name", "note"]
    autocomplete_fields = ["account", "territory"]
    list_select_related = ["account", "territory"]


class ScenarioTerritoryInline(admin.TabularInline):
    model = ScenarioTerritory
    extra = 0
    fields = ["index", "name", "owner", "created_territory"]
    raw_id_fields = ["owner", "created_territory"]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "as_of", "applied_from", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    inlines = [ScenarioTerritoryInline]


@admin.register(ScenarioTerritory)
class ScenarioTerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "scenario", "index", "owner"]
    search_fields = ["name", "scenario__name"]
    raw_id_fields = ["scenario", "owner", "created_territory"]


@admin.register(ScenarioAssignment)
class ScenarioAssignmentAdmin(admin.ModelAdmin):
    list_display = ["scenario", "account", "territory", "locked"]
    search_fields = ["account__name", "scenario__name"]
    raw_id_fields = ["scenario", "account", "territory", "current_territory"]
    list_select_related = ["scenario", "account", "territory"]
