"""What happened to an order: its payments, and its timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from oms.append_only import AppendOnlyModel
from oms.models import TimeStampedModel


class Payment(TimeStampedModel):
    class Method(models.TextChoices):
        CARD = "card", "Card"
        CASH = "cash", "Cash"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        ON_ACCOUNT = "on_account", "On account"
        MARKETPLACE = "marketplace", "Paid to marketplace"

    class Status(models.TextChoices):
        AUTHORISED = "authorised", "Authorised"
        CAPTURED = "captured", "Captured"
        ON_ACCOUNT = "on_account", "On account"

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=20, choices=Method.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP")
    reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CAPTURED)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount} {self.currency}"


class OrderEvent(AppendOnlyModel):
    """One line of an order's timeline: who did what, when, from which state to which.

    Append-only: a line is never edited or deleted; a correction is a new line.
    """

    append_only_name = "The order timeline"

    class Type(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Edited"
        STATUS = "status", "Status changed"
        ALLOCATED = "allocated", "Stock allocated"
        BACKORDERED = "backordered", "Backordered"
        RELEASED = "released", "Allocation released"
        PAYMENT = "payment", "Payment recorded"
        EMAIL = "email", "Email"
        NOTE = "note", "Note"
        PURCHASE = "purchase", "Purchase order"
        SHIPMENT = "shipment", "Shipment"
        RETURN = "return", "Return"
        REFUND = "refund", "Refund"

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The orders ever backordered (the dashboard's fill rate), without the other events.
            models.Index(
                fields=["order"], condition=Q(type="backordered"), name="event_backordered"
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.from_status}→{self.to_status}".strip()
