"""Calculation runs and the ledger of what each rep earns and is paid.

A ``CalcRun`` calculates one pay period from the data in force at its as-of date and writes
its ``LedgerLine`` rows. Runs go draft → approved → paid; approved and paid runs and their
lines are immutable. A later change to a closed period never rewrites it: the next run
books reversal and rebook lines in its own (open) period, each pointing at the line it
corrects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attain.common import CurrencyField, MoneyField
from attain.people.models import Rep
from attain.sales.models import Deal


class ImmutableError(Exception):
    """Raised on an attempt to change an approved or paid run, or its lines."""


class CalcRun(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        DISCARDED = "discarded", "Discarded"
        FAILED = "failed", "Failed"

    CLOSED = (Status.APPROVED, Status.PAID)

    period = models.CharField(max_length=10, help_text="Pay period, e.g. 2026-03 or 2026-Q1.")
    as_of = models.DateField(help_text="Rules and data in force on this day are used.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    rep_ids = models.JSONField(
        null=True, blank=True, help_text="Reps calculated (Rep ids); empty means all reps."
    )
    backend = models.CharField(max_length=16, default="duckdb")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    plan_revisions = models.ManyToManyField("plans.PlanRevision", related_name="runs", blank=True)
    inputs_fingerprint = models.CharField(max_length=64, blank=True)
    result_fingerprint = models.CharField(max_length=64, blank=True)
    inputs = models.BinaryField(
        null=True, blank=True, help_text="The engine's input tables (zip of Parquet), for replay."
    )
    error = models.TextField(blank=True)
    line_count = models.PositiveIntegerField(default=0)
    total_amount = MoneyField()
    currency = CurrencyField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"Run {self.pk} · {self.period} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = CalcRun.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored in self.CLOSED:
                raise ImmutableError(f"Run {self.pk} is {stored}; it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status in self.CLOSED:
            raise ImmutableError(f"Run {self.pk} is {self.status}; it cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class LedgerLineQuerySet(models.QuerySet):
    def _refuse_closed(self, verb: str) -> None:
        if self.filter(run__status__in=CalcRun.CLOSED).exists():
            raise ImmutableError(f"Lines of approved or paid runs cannot be {verb}.")

    def update(self, **kwargs):
        self._refuse_closed("changed")
        return super().update(**kwargs)

    def delete(self):
        self._refuse_closed("deleted")
        return super().delete()


class LedgerLine(models.Model):
    class Kind(models.TextChoices):
        EARNING = "earning", "Earning"
        TRUE_UP = "true_up", "True-up"
        FLOOR = "floor", "Floor top-up"
        HOLD = "hold", "Held until paid"
        RELEASE = "release", "Released on payment"
        HOLD_REVERSAL = "hold_reversal", "Hold lifted"
        SPIFF = "spiff", "SPIFF"
        CLAWBACK = "clawback", "Clawback"
        DRAW = "draw", "Draw"
        DRAW_RECOVERY = "draw_recovery", "Draw recovery"
        REVERSAL = "reversal", "Reversal"
        REBOOK = "rebook", "Rebook"
        MANUAL = "manual", "Manual adjustment"

    run = models.ForeignKey(CalcRun, on_delete=models.CASCADE, related_name="lines")
    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="ledger_lines")
    pay_period = models.CharField(max_length=10, help_text="The period this line is paid in.")
    period = models.CharField(max_length=10, help_text="The period the amount was earned in.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    plan_id = models.CharField(max_length=64, blank=True)
    plan_version = models.PositiveIntegerField(null=True, blank=True)
    component_id = models.CharField(max_length=64, blank=True)
    event_date = models.DateField(null=True, blank=True)
    credit_ref = models.CharField(max_length=64, blank=True)
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="ledger_lines"
    )
    deal_ref = models.CharField(max_length=64, blank=True, help_text="Deal external id.")
    tier = models.PositiveIntegerField(null=True, blank=True)
    rate_kind = models.CharField(max_length=32, blank=True)
    rate = models.DecimalField(max_digits=38, decimal_places=6, null=True, blank=True)
    base = models.DecimalField(max_digits=38, decimal_places=8, null=True, blank=True)
    quota = MoneyField(null=True, blank=True, default=None)
    amount_before_cap = MoneyField()
    cap_reduction = MoneyField()
    amount = MoneyField()
    currency = CurrencyField()
    explanation = models.TextField(blank=True)
    key = models.CharField(
        max_length=300, help_text="What the line is about; adjustments compare by this key."
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )

    objects = LedgerLineQuerySet.as_manager()

    class Meta:
        ordering = ["rep_id", "period", "plan_id", "component_id", "event_date", "id"]
        indexes = [
            models.Index(fields=["run", "rep"]),
            models.Index(fields=["rep", "period"]),
            models.Index(fields=["key"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency} ({self.period})"

    def save(self, *args, **kwargs):
        if CalcRun.objects.filter(pk=self.run_id, status__in=CalcRun.CLOSED).exists():
            raise ImmutableError(f"Run {self.run_id} is closed; its lines cannot change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if CalcRun.objects.filter(pk=self.run_id, status__in=CalcRun.CLOSED).exists():
            raise ImmutableError(f"Run {self.run_id} is closed; its lines cannot be deleted.")
        return super().delete(*args, **kwargs)


class ManualAdjustment(models.Model):
    """An amount added to a rep's pay by finance (e.g. resolving an inquiry). The next run
    for ``pay_period`` (or the next run at all when empty) books it as a manual line."""

    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="manual_adjustments")
    amount = MoneyField()
    currency = CurrencyField()
    reason = models.CharField(max_length=500)
    pay_period = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.rep}: {self.amount} {self.currency} ({self.reason[:40]})"


class Inquiry(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        ADJUSTED = "adjusted", "Adjusted"
        REJECTED = "rejected", "Rejected"

    line = models.ForeignKey(LedgerLine, on_delete=models.PROTECT, related_name="inquiries")
    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="inquiries")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    adjustment = models.OneToOneField(
        ManualAdjustment, null=True, blank=True, on_delete=models.PROTECT, related_name="inquiry"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "inquiries"

    def __str__(self) -> str:
        return self.subject


class InquiryMessage(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.inquiry}"
