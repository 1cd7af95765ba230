from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from attain.people.models import ApiToken, Rep, Team, TeamMembership, User
from attain.people.selectors import role_of

admin.site.site_header = "Attain admin"
admin.site.site_title = "Attain admin"
admin.site.index_title = "Data and logins"


def _admin_role_only(request) -> bool:
    # Django admin lets in any active staff user; Attain keeps it to the admin role, so a
    # finance or manager login flagged as staff by mistake still cannot reach it.
    user = request.user
    return user.is_active and user.is_staff and role_of(user) == User.Role.ADMIN


admin.site.has_permission = _admin_role_only


@admin.register(User)
class AttainUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Attain", {"fields": ("role",)}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Attain", {"fields": ("role",)}),
    )


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(Rep)
class RepAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "title", "email", "user", "hire_date"]
    search_fields = ["name", "external_id", "email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "region", "parent"]
    search_fields = ["name", "external_id"]
    list_filter = ["region"]
    list_select_related = ["parent"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["rep", "team", "role", "valid_from", "valid_to"]
    list_filter = ["role", "team"]
    search_fields = ["rep__name", "team__name"]
    autocomplete_fields = ["rep", "team"]
    list_select_related = ["rep", "team"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        # Keys are shown once at creation, which only `attain createtoken` can do.
        return False
