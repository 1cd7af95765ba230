from django.contrib import admin

from attain.reports.models import WeeklyReportDelivery, WeeklyReportOptOut


@admin.register(WeeklyReportDelivery)
class WeeklyReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ("week_start", "user", "sent_to", "sent_at")
    list_filter = ("week_start",)
    search_fields = ("user__username", "sent_to")
    readonly_fields = ("user", "week_start", "sent_to", "sent_at")


@admin.register(WeeklyReportOptOut)
class WeeklyReportOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    search_fields = ("user__username",)
