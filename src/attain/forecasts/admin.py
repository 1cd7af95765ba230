"""Forecast calls in Django's admin are read-only: a call is submitted on the forecast page
or through the API, and is never edited afterwards (the history is the point)."""

from __future__ import annotations

from django.contrib import admin

from attain.forecasts.models import ForecastCall


@admin.register(ForecastCall)
class ForecastCallAdmin(admin.ModelAdmin):
    list_display = ["rep", "scope", "period", "commit", "best_case", "currency", "submitted_at"]
    list_filter = ["scope", "period"]
    search_fields = ["rep__name", "rep__external_id", "period"]
    list_select_related = ["rep"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
