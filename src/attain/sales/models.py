from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from attain.common import CurrencyField, MoneyField
from attain.people.models import Rep


class Account(models.Model):
    """A customer."""

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=64, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    potential = MoneyField(help_text="Estimated yearly revenue potential.")
    currency = CurrencyField()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "state"]), models.Index(fields=["postcode"])]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    external_id = models.CharField(max_length=64, unique=True, help_text="SKU")
    name = models.CharField(max_length=200)
    family = models.CharField(max_length=100, blank=True)
    list_price = MoneyField()
    unit_cost = MoneyField()
    currency = CurrencyField()

    class Meta:
        ordering = ["family", "name"]

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    """An opportunity. ``margin`` is gross profit in the deal's currency."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    class Type(models.TextChoices):
        NEW = "new", "New business"
        RENEWAL = "renewal", "Renewal"
        EXPANSION = "expansion", "Expansion"

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="deals")
    owner = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="owned_deals")
    stage = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    deal_type = models.CharField(max_length=16, choices=Type.choices, default=Type.NEW)
    amount = MoneyField()
    currency = CurrencyField()
    margin = MoneyField(null=True, blank=True, default=None)
    units = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    created_date = models.DateField()
    close_date = models.DateField(null=True, blank=True)
    cancellation_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-close_date", "-created_date", "external_id"]
        indexes = [
            models.Index(fields=["owner", "status", "close_date"]),
            models.Index(fields=["status", "close_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name or self.external_id


class DealLine(models.Model):
    external_id = models.CharField(max_length=64, unique=True)
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="deal_lines")
    quantity = models.DecimalField(max_digits=14, decimal_places=2)
    unit_price = MoneyField()
    unit_cost = MoneyField()

    class Meta:
        ordering = ["deal", "external_id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} on {self.deal_id}"

    @property
    def revenue(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def margin(self) -> Decimal:
        return self.quantity * (self.unit_price - self.unit_cost)


class Payment(models.Model):
    """An invoice raised, a credit note against it, a payment collected or a refund, on a
    deal, in the deal's currency. Plans that pay on cash (``pay_on: invoice`` or
    ``collection``, docs/plans.md "Pay on cash") release their held earnings as the deal is
    invoiced (collected), and take releases back on credit notes (refunds)."""

    class Kind(models.TextChoices):
        INVOICE = "invoice"
        CREDIT_NOTE = "credit_note", "Credit note"
        PAYMENT = "payment"
        REFUND = "refund"

    external_id = models.CharField(max_length=64, unique=True)
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField()
    amount = MoneyField()

    class Meta:
        ordering = ["deal", "date", "external_id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}: {self.amount} on {self.date}"


class Credit(models.Model):
    """The share of a deal credited to a rep. Shares of owner and split credits sum to 1;
    overlay and manager roll-up credits come on top."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        SPLIT = "split", "Split"
        OVERLAY = "overlay", "Overlay"
        MANAGER = "manager", "Manager roll-up"

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="credits")
    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="credits")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OWNER)
    share = models.DecimalField(max_digits=7, decimal_places=4, help_text="1.0000 = 100%")

    class Meta:
        ordering = ["deal", "role", "rep"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "rep", "role"], name="credit_unique"),
            models.CheckConstraint(condition=Q(share__gt=0), name="credit_share_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.role} credit {self.share} to rep {self.rep_id} on deal {self.deal_id}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EMAIL = "email", "Email"

    external_id = models.CharField(max_length=64, unique=True)
    rep = models.ForeignKey(Rep, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    date = models.DateField()
    deal = models.ForeignKey(
        Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    outcome = models.CharField(max_length=64, blank=True)
    duration_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date"]
        indexes = [models.Index(fields=["rep", "date"])]

    def __str__(self) -> str:
        return f"{self.kind} by rep {self.rep_id} on {self.date}"


class DealStageChange(models.Model):
    """The day a deal entered a stage: the deal's stage history, for stage-to-stage
    conversion. Recorded by the deal services (create, and update when the stage changes),
    by the ``deal_stages`` import (CRM stage-history exports) and by ``attain demo``."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=64)
    entered_on = models.DateField()

    class Meta:
        ordering = ["deal", "entered_on", "id"]
        # The foreign key is indexed (Django's default for a ForeignKey): "deal" is the index.
        constraints = [
            models.UniqueConstraint(
                fields=["deal", "stage", "entered_on"], name="deal_stage_change_unique"
            )
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id} entered {self.stage} on {self.entered_on}"


class FxRate(models.Model):
    """An exchange rate in force from ``valid_from`` (to ``valid_to``, half-open):
    1 ``from_currency`` = ``rate`` ``to_currency``. Pay runs hand these to the engine, which
    converts a credit in another currency than its plan's at the rate in force on its
    event date (directly, or through the plan's pivot currency: docs/plans.md, "fx")."""

    from_currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    rate = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["from_currency", "to_currency", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "valid_from"], name="fx_rate_unique"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(
                condition=~Q(from_currency=models.F("to_currency")), name="fx_rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency} from {self.valid_from}"
