from __future__ import annotations

from django.contrib import admin

from attain.imports.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """A log: read-only, so the data-health page always tells what really happened."""

    list_display = [
        "started_at", "entity", "file_name", "source", "status", "rows", "created", "updated",
        "unchanged", "user",
    ]  # fmt: skip
    list_filter = ["status", "entity", "source"]
    search_fields = ["file_name", "entity"]
    date_hierarchy = "started_at"
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
