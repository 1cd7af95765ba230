from __future__ import annotations

from django.contrib import admin

from attain.audit.admin_mixins import AuditedAdminMixin
from attain.sales.models import (
    Account,
    Activity,
    Credit,
    Deal,
    DealLine,
    DealStageChange,
    FxRate,
    Payment,
    Product,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "industry", "region", "state", "postcode", "potential"]
    list_filter = ["region", "industry"]
    search_fields = ["name", "external_id", "postcode"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "family", "list_price", "unit_cost", "currency"]
    list_filter = ["family"]
    search_fields = ["name", "external_id"]


class DealLineInline(admin.TabularInline):
    model = DealLine
    extra = 0
    autocomplete_fields = ["product"]


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 0
    autocomplete_fields = ["rep"]


@admin.register(Deal)
class DealAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "external_id", "name", "account", "owner", "status", "deal_type", "amount", "currency",
        "close_date",
    ]  # fmt: skip
    list_filter = ["status", "deal_type", "currency"]
    search_fields = ["external_id", "name", "account__name", "owner__name"]
    date_hierarchy = "close_date"
    autocomplete_fields = ["account", "owner"]
    list_select_related = ["account", "owner"]
    inlines = [DealLineInline, PaymentInline, CreditInline]


@admin.register(DealLine)
class DealLineAdmin(admin.ModelAdmin):
    list_display = ["external_id", "deal", "product", "quantity", "unit_price", "unit_cost"]
    search_fields = ["external_id", "deal__external_id", "product__name"]
    autocomplete_fields = ["deal", "product"]
    list_select_related = ["deal", "product"]


@admin.register(Payment)
class PaymentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["external_id", "deal", "kind", "date", "amount"]
    list_filter = ["kind"]
    search_fields = ["external_id", "deal__external_id"]
    date_hierarchy = "date"
    autocomplete_fields = ["deal"]
    list_select_related = ["deal"]


@admin.register(Credit)
class CreditAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["deal", "rep", "role", "share"]
    list_filter = ["role"]
    search_fields = ["deal__external_id", "rep__name"]
    autocomplete_fields = ["deal", "rep"]
    list_select_related = ["deal", "rep"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["external_id", "date", "kind", "rep", "deal", "account", "outcome"]
    list_filter = ["kind"]
    search_fields = ["external_id", "rep__name", "deal__external_id", "account__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["rep", "deal", "account"]
    list_select_related = ["rep", "deal", "account"]


@admin.register(DealStageChange)
class DealStageChangeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Deals' stage history, which stage-to-stage conversion in coaching reads."""

    list_display = ["deal", "stage", "entered_on"]
    list_filter = ["stage"]
    search_fields = ["deal__external_id", "stage"]
    date_hierarchy = "entered_on"
    raw_id_fields = ["deal"]
    list_select_related = ["deal"]


@admin.register(FxRate)
class FxRateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Exchange rates that pay runs and forecasts convert other currencies with."""

    list_display = ["from_currency", "to_currency", "rate", "valid_from", "valid_to"]
    list_filter = ["from_currency", "to_currency"]
    search_fields = ["from_currency", "to_currency"]
    date_hierarchy = "valid_from"
