"""Plans in the Django admin: read-only. Plans change through the app's pages, which
validate the YAML, keep every revision and write the audit log."""

from django.contrib import admin

from attain.plans.models import PlanAssignment, PlanDocument, PlanRevision


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanDocument)
class PlanDocumentAdmin(ReadOnlyAdmin):
    list_display = ["plan_id", "version", "name", "valid_from", "valid_to", "archived"]
    list_filter = ["archived"]
    search_fields = ["plan_id", "name"]


@admin.register(PlanRevision)
class PlanRevisionAdmin(ReadOnlyAdmin):
    list_display = ["document", "number", "author", "created_at", "comment"]
    search_fields = ["document__plan_id", "comment"]


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["rep", "plan_id", "valid_from", "valid_to", "target_incentive", "currency"]
    list_filter = ["plan_id"]
    search_fields = ["rep__name", "rep__external_id", "plan_id"]
