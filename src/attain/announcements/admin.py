"""Django admin lists announcements (for housekeeping). Questions are not registered:
private questions are for the asker and the author only."""

from django.contrib import admin

from attain.announcements.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "audience", "status", "published_at"]
    list_filter = ["status", "audience"]
    readonly_fields = ["created_at", "updated_at", "published_at"]
