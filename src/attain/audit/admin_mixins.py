"""Audit entries for changes made in Django's admin (models and their inlines)."""

from __future__ import annotations

from attain.audit.services import record, snapshot


class AuditedAdminMixin:
    """Records every create, change and delete made through this admin, inlines included."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        action = "updated" if change else "created"
        record(request.user, action, obj, before=before, after=snapshot(obj), note="admin")

    def delete_model(self, request, obj):
        before = snapshot(obj)
        record(request.user, "deleted", obj, before=before, note="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(request.user, "deleted", obj, before=snapshot(obj), note="admin")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        existing = [f.instance for f in formset.initial_forms if f.instance.pk]
        befores = {obj.pk: snapshot(type(obj).objects.get(pk=obj.pk)) for obj in existing}
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record(request.user, "deleted", obj, before=befores.get(obj.pk), note="admin inline")
            obj.delete()
        for obj in instances:
            created = obj.pk is None
            obj.save()
            record(
                request.user,
                "created" if created else "updated",
                obj,
                before=None if created else befores.get(obj.pk),
                after=snapshot(obj),
                note="admin inline",
            )
        formset.save_m2m()
