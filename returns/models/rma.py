"""Returns (RMAs): what comes back and what becomes of it.

Status fields change only through the django-fsm transitions below, run by
``returns.services`` (which locks, checks, saves and writes both timelines).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from oms.append_only import AppendOnlyModel
from oms.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class ReturnReason(TimeStampedModel):
    """Why a customer sends something back (a seeded table; some reasons need a note)."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    needs_note = models.BooleanField(default=False, help_text="A note saying what is wrong.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class Return(FSMModelMixin, TimeStampedModel):
    """A return merchandise authorisation: an order's units on their way back, and what they became."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        AUTHORIZED = "authorized", "Authorized"
        PARTIALLY_RECEIVED = "partially_received", "Partially received"
        RECEIVED = "received", "Received"
        INSPECTED = "inspected", "Inspected"
        CLOSED = "closed", "Closed"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    class Source(models.TextChoices):
        DESK = "desk", "Sales desk"
        CUSTOMER = "customer", "Customer (order status page)"
        API = "api", "API"
        HISTORY = "history", "Order history import"

    # States whose lines no longer hold any units of their order lines.
    VOID = [Status.REJECTED, Status.CANCELLED, Status.EXPIRED]
    # States in which goods may still arrive.
    RECEIVING = [Status.AUTHORIZED, Status.PARTIALLY_RECEIVED]
    # States in which received units wait for, or get, their disposition.
    INSPECTING = [Status.PARTIALLY_RECEIVED, Status.RECEIVED]

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey("orders.Customer", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where the goods come back to.",
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DESK)
    external_reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="The document it was loaded from: a credit invoice of the order history.",
    )
    status = FSMField(
        max_length=20,
        choices=Status.choices,
        default=Status.REQUESTED,
        protected=True,
        db_index=True,
    )
    window_ends_on = models.DateField(
        null=True, blank=True, help_text="Last day of the return window."
    )
    outside_window_reason = models.CharField(
        max_length=255,
        blank=True,
        help_text="Why a manager authorized it after the window closed.",
    )
    notes = models.TextField(blank=True)
    carrier = models.CharField("carrier for the way back", max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorized_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorized_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    inspected_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="return_newest_first")]
        constraints = [
            # One return per order from one credit of the history: a second load finds it.
            models.UniqueConstraint(
                fields=["external_reference", "order"],
                condition=~Q(external_reference=""),
                name="return_external_reference_per_order",
            ),
        ]
        permissions = [
            ("authorize_return", "Can authorize, reject and cancel returns"),
            ("authorize_late_return", "Can authorize a return outside its window"),
            ("receive_return", "Can receive and inspect returns"),
        ]

    def __str__(self):
        return self.number or f"Return {self.pk}"

    def get_absolute_url(self):
        return reverse("returns:return_detail", args=[self.pk])

    # --- transitions: fields only; returns.services locks, checks, saves and logs ---

    @transition(field=status, source=Status.REQUESTED, target=Status.AUTHORIZED)
    def authorize(self):
        pass

    @transition(field=status, source=Status.REQUESTED, target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=[Status.REQUESTED, Status.AUTHORIZED], target=Status.CANCELLED)
    def cancel(self):
        pass

    @transition(field=status, source=Status.AUTHORIZED, target=Status.EXPIRED)
    def expire(self):
        pass

    @transition(
        field=status,
        source=[Status.AUTHORIZED, Status.PARTIALLY_RECEIVED],
        target=Status.PARTIALLY_RECEIVED,
    )
    def receive_part(self):
        pass

    @transition(
        field=status, source=[Status.AUTHORIZED, Status.PARTIALLY_RECEIVED], target=Status.RECEIVED
    )
    def receive_all(self):
        pass

    @transition(
        field=status,
        source=[Status.PARTIALLY_RECEIVED, Status.RECEIVED],
        target=Status.AUTHORIZED,
    )
    def unreceive(self):
        """Go back to waiting for the goods (the only received unit was undone)."""

    @transition(field=status, source=Status.RECEIVED, target=Status.PARTIALLY_RECEIVED)
    def reopen_receiving(self):
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.INSPECTED)
    def mark_inspected(self):
        pass

    @transition(field=status, source=Status.INSPECTED, target=Status.RECEIVED)
    def reopen_inspection(self):
        pass

    @transition(field=status, source=Status.INSPECTED, target=Status.CLOSED)
    def close(self):
        pass


class ReturnLine(models.Model):
    """Units of one order line on a return: asked for, authorized, received; and why."""

    rma = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines"
    )
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    quantity_requested = models.PositiveIntegerField()
    quantity_authorized = models.PositiveIntegerField(default=0)
    quantity_received = models.PositiveIntegerField(default=0)
    quantity_decided = models.PositiveIntegerField(
        default=0, help_text="Received units that have a disposition."
    )
    reason = models.ForeignKey(ReturnReason, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["rma", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_requested__gt=0), name="return_line_requested_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_authorized__lte=F("quantity_requested")),
                name="return_line_authorized_within_requested",
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity_authorized")),
                name="return_line_received_within_authorized",
            ),
            models.CheckConstraint(
                condition=Q(quantity_decided__lte=F("quantity_received")),
                name="return_line_decided_within_received",
            ),
            models.UniqueConstraint(
                fields=["rma", "order_line"], name="return_line_once_per_order_line"
            ),
        ]

    def __str__(self):
        return f"{self.quantity_requested} × {self.order_line.sku}"

    @property
    def to_receive(self) -> int:
        return self.quantity_authorized - self.quantity_received

    @property
    def to_decide(self) -> int:
        return self.quantity_received - self.quantity_decided


class ReturnReceipt(models.Model):
    """Units of a return line that arrived, booked into the returns bin (undone: taken back)."""

    line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, related_name="receipts")
    quantity = models.PositiveIntegerField()
    movement = models.ForeignKey(
        "inventory.StockMovement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.quantity} received on line {self.line_id}"


class Disposition(models.Model):
    """What inspection decided for received units: restock, scrap, quarantine or replace."""

    class Kind(models.TextChoices):
        RESTOCK = "restock", "Restock"
        SCRAP = "scrap", "Scrap"
        QUARANTINE = "quarantine", "Quarantine"
        REPLACE = "replace", "Replace"

    line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT, related_name="dispositions")
    quantity = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    location = models.ForeignKey(
        "inventory.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The sellable bin restocked units went to.",
    )
    goods_restocked = models.BooleanField(
        default=False, help_text="For a replacement: the returned units were restocked."
    )
    movement = models.ForeignKey(
        "inventory.StockMovement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The ledger row it made (none for quarantine).",
    )
    replacement_order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="disposition_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity}"


class ReturnEvent(AppendOnlyModel):
    """One line of a return's own timeline: who did what, when, from which state to which."""

    append_only_name = "The return timeline"

    rma = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.rma_id} {self.from_status}→{self.to_status} {self.note}".strip()
