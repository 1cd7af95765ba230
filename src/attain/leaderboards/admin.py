"""Django admin: webhook integrations (create, see the secret, revoke)."""

from django.contrib import admin, messages
from django.utils import timezone

from attain.leaderboards.models import WebhookIntegration


@admin.register(WebhookIntegration)
class WebhookIntegrationAdmin(admin.ModelAdmin):
    """A new integration gets a random secret; give it to the CRM to sign its requests.
    Revoking stops the secret at once; create a new integration to rotate."""

    list_display = ["name", "acts_as", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["secret", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "acts_as", "secret", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "acts_as":
            from django.db.models import Q

            from attain.people.models import User

            kwargs["queryset"] = User.objects.filter(
                Q(is_superuser=True) | Q(role=User.Role.ADMIN), is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Revoke the selected integrations")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} integration(s).", messages.SUCCESS)
