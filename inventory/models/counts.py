"""Count differences too large to book at once: they wait for a manager's approval."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel


class CountAdjustment(FSMModelMixin, TimeStampedModel):
    """A bin count that differs from the record by more than the allowed share or value.

    The stock is not touched until a manager approves it (then the count is
    booked through the ledger) or rejects it. ``expected`` is what the record
    said when the bin was counted, so an approval can tell that stock moved
    since.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and booked"
        REJECTED = "rejected", "Rejected"

    product = models.ForeignKey(
        "inventory.Product", on_delete=models.PROTECT, related_name="count_adjustments"
    )
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.PROTECT, related_name="count_adjustments"
    )
    expected = models.IntegerField(help_text="On hand on record when the bin was counted.")
    counted = models.PositiveIntegerField()
    reference = models.CharField(max_length=100, blank=True)
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.PENDING, protected=True, db_index=True
    )
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(
        max_length=255, blank=True, help_text="Why it was approved or rejected."
    )
    movement = models.OneToOneField(
        "inventory.StockMovement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="count_adjustment",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location"],
                condition=Q(status="pending"),
                name="count_adjustment_one_pending_per_bin",
            ),
        ]
        permissions = [
            ("approve_countadjustment", "Can approve or reject large count differences"),
        ]

    def __str__(self):
        return (
            f"Count of {self.product_id} in {self.location_id}: {self.expected} -> {self.counted}"
        )

    @property
    def difference(self) -> int:
        return self.counted - self.expected

    @property
    def difference_value(self) -> Decimal:
        """Return the difference at the product's price."""
        return (self.difference * Decimal(str(self.product.price))).quantize(Decimal("0.01"))

    # --- transitions: fields only; inventory.services.counts locks, checks and books ---

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.APPROVED,
        permission="inventory.approve_countadjustment",
        custom={"admin": True, "label": "Approve and book"},
    )
    def approve(self):
        pass

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.REJECTED,
        permission="inventory.approve_countadjustment",
        custom={"admin": True, "label": "Reject"},
    )
    def reject(self):
        pass
