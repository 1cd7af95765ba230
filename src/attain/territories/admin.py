from __future__ import annotations

from django.contrib import admin

from attain.territories.models import Territory, TerritoryOwner


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
