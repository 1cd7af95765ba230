"""Quotas in Django's admin are read-only: changes go through the quota pages, the API or
an import, which validate them and write the audit log."""

from __future__ import annotations

from django.contrib import admin

from attain.quotas.models import Quota


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["rep", "quota", "period", "amount", "currency", "source", "updated_at"]
    list_filter = ["source", "quota", "currency"]
    search_fields = ["rep__name", "rep__external_id", "quota", "period"]
    list_select_related = ["rep"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
