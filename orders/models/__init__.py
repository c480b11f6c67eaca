from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel


class Address(TimeStampedModel):
    """A postal address. Orders keep their own copy, so later edits never rewrite history."""

    customer = models.ForeignKey(
        "Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="addresses"
    )
    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200, blank=True)
    line1 = models.CharField("address line 1", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166 two-letter code, e.g. GB.")
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self):
        return ", ".join(part for part in [self.name, self.line1, self.city, self.country] if part)

    def as_lines(self) -> list[str]:
        """Return the address as printed on a label, one line each."""
        city = " ".join(part for part in [self.postal_code, self.city] if part)
        lines = [self.name, self.company, self.line1, self.line2, city, self.region, self.country]
        return [line for line in lines if line]

    def same_as(self, other: "Address") -> bool:
        fields = [
            "name",
            "company",
            "line1",
            "line2",
            "city",
            "region",
            "postal_code",
            "country",
            "phone",
        ]
        return all(getattr(self, f) == getattr(other, f) for f in fields)


class Customer(TimeStampedModel):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_vip = models.BooleanField("VIP", default=False)
    notes = models.TextField(blank=True)
    tax_exempt_reference = models.CharField(
        max_length=50,
        blank=True,
        help_text="The customer's exemption certificate or number; set: no tax is charged.",
    )
    default_shipping_address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    default_billing_address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="customer_email_unique"
            )
        ]
        indexes = [models.Index(fields=["phone"]), models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("orders:customer_detail", args=[self.pk])


class Order(FSMModelMixin, TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PLACED = "placed", "Placed"
        CONFIRMED = "confirmed", "Confirmed"
        ALLOCATED = "allocated", "Allocated"
        BACKORDERED = "backordered", "Backordered"
        PROCESSING = "processing", "Processing"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        ON_HOLD = "on_hold", "On hold"

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        WEB = "web", "Web shop"
        MARKETPLACE = "marketplace", "Marketplace"
        STORE = "store", "Store"

    class ShipPolicy(models.TextChoices):
        PARTIAL = "partial", "Ship partial: send what is there now"
        COMPLETE = "complete", "Ship complete: wait for everything"

    # Bounds on what an order may hold: its lines, and its priority (a smallint column).
    # With at most MAX_LINES lines, a total past its column is refused in words
    # (orders.services.base.set_totals) before anything is saved.
    MAX_LINES = 500
    MIN_PRIORITY, MAX_PRIORITY = -100, 100

    # States from which nothing has shipped yet: cancelling is still possible.
    CANCELLABLE = [
        Status.DRAFT,
        Status.PLACED,
        Status.CONFIRMED,
        Status.ALLOCATED,
        Status.BACKORDERED,
        Status.PROCESSING,
        Status.ON_HOLD,
    ]
    # Open states an order can be put on hold from (and returns to).
    HOLDABLE = [
        Status.PLACED,
        Status.CONFIRMED,
        Status.ALLOCATED,
        Status.BACKORDERED,
        Status.PROCESSING,
        Status.PARTIALLY_SHIPPED,
    ]

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PHONE)
    external_reference = models.CharField(max_length=100, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    shipping_address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    billing_address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipping_method = models.CharField(max_length=50, blank=True)
    ship_policy = models.CharField(
        max_length=10, choices=ShipPolicy.choices, default=ShipPolicy.PARTIAL
    )
    priority = models.SmallIntegerField(default=0, help_text="Higher goes first.")
    is_vip = models.BooleanField("VIP / special", default=False)
    notes = models.TextField(blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    shipping_price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    prices_include_tax = models.BooleanField(
        default=True, help_text="Whether the prices on this order include tax (kept as taken)."
    )
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    shipping_tax_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    shipping_tax = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    tax_note = models.CharField(
        max_length=20, blank=True, help_text="Why no tax is charged: export or exempt."
    )
    status = FSMField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        protected=True,
        db_index=True,
    )
    status_before_hold = models.CharField(max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1)
    placed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="order_newest_first"),
            # The dashboard's orders per day: read from the index alone over any range.
            models.Index(
                fields=["placed_at"],
                include=["channel", "status", "total"],
                name="order_placed_day",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~Q(external_reference=""),
                name="order_external_reference_per_channel",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]
        permissions = [
            ("confirm_order", "Can confirm orders"),
            ("cancel_order", "Can cancel orders"),
            ("hold_order", "Can put orders on hold and release them"),
            ("import_order", "Can import marketplace orders from a file"),
        ]

    def __str__(self):
        return self.number or f"Draft order {self.pk}"

    def get_absolute_url(self):
        return reverse("orders:order_detail", args=[self.pk])

    # --- transitions: fields only; orders.services does locking, events and side effects ---

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.PLACED,
        permission="orders.add_order",
        custom={"admin": True, "label": "Place"},
    )
    def place(self):
        pass

    @transition(
        field=status,
        source=Status.PLACED,
        target=Status.CONFIRMED,
        permission="orders.confirm_order",
        custom={"admin": True, "label": "Confirm and allocate"},
    )
    def confirm(self):
        pass

    @transition(
        field=status, source=[Status.CONFIRMED, Status.BACKORDERED], target=Status.ALLOCATED
    )
    def mark_allocated(self):
        pass

    @transition(
        field=status, source=[Status.CONFIRMED, Status.ALLOCATED], target=Status.BACKORDERED
    )
    def mark_backordered(self):
        pass

    @transition(
        field=status, source=[Status.ALLOCATED, Status.BACKORDERED], target=Status.PROCESSING
    )
    def start_processing(self):
        pass

    @transition(
        field=status,
        source=[Status.PROCESSING, Status.ALLOCATED, Status.BACKORDERED],
        target=Status.PARTIALLY_SHIPPED,
    )
    def mark_partially_shipped(self):
        pass

    @transition(
        field=status,
        source=[Status.PROCESSING, Status.PARTIALLY_SHIPPED, Status.ALLOCATED],
        target=Status.SHIPPED,
    )
    def mark_shipped(self):
        pass

    @transition(field=status, source=Status.SHIPPED, target=Status.DELIVERED)
    def mark_delivered(self):
        pass

    @transition(field=status, source=Status.DELIVERED, target=Status.COMPLETED)
    def complete(self):
        pass

    @transition(
        field=status,
        source=CANCELLABLE,
        target=Status.CANCELLED,
        permission="orders.cancel_order",
        custom={"admin": True, "label": "Cancel"},
    )
    def cancel(self):
        pass

    @transition(
        field=status,
        source=HOLDABLE,
        target=Status.ON_HOLD,
        permission="orders.hold_order",
        custom={"admin": True, "label": "Put on hold"},
    )
    def hold(self):
        self.status_before_hold = self.status

    @transition(
        field=status,
        source=Status.ON_HOLD,
        target=RETURN_VALUE(*HOLDABLE),
        permission="orders.hold_order",
        custom={"admin": True, "label": "Release from hold"},
    )
    def release(self):
        previous = self.status_before_hold
        self.status_before_hold = ""
        return previous

    @property
    def is_open(self) -> bool:
        return self.status not in {self.Status.CANCELLED, self.Status.COMPLETED, self.Status.DRAFT}


class OrderLineManager(models.Manager):
    """Lines still on the order; lines removed while editing stay in the table."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField("SKU", max_length=64)
    name = models.CharField(max_length=255)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    quantity_allocated = models.PositiveIntegerField(default=0)
    quantity_backordered = models.PositiveIntegerField(default=0)
    quantity_shipped = models.PositiveIntegerField(default=0)
    quantity_returned = models.PositiveIntegerField(default=0)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    is_drop_ship = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = OrderLineManager()
    all_objects = models.Manager()  # noqa: DJ012

    class Meta:
        ordering = ["order", "position", "pk"]
        base_manager_name = "all_objects"
        indexes = [
            # The few lines still waiting for stock, found without reading the rest.
            models.Index(
                fields=["order"], condition=Q(quantity_backordered__gt=0), name="line_waiting"
            ),
            # The few lines with a unit returned (the dashboard's perfect orders).
            models.Index(
                fields=["order"],
                condition=Q(quantity_returned__gt=0, removed_at__isnull=True),
                name="line_returned",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_allocated__lte=F("quantity") - F("quantity_shipped")),
                name="line_allocated_within_open_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def quantity_open(self) -> int:
        """Return how many are neither shipped nor promised from stock yet."""
        return self.quantity - self.quantity_shipped - self.quantity_allocated


class LineAllocation(models.Model):
    """Which bin an order line's promised units come from."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="allocations")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "location"], name="line_allocation_unique"),
        ]

    def __str__(self):
        return f"{self.quantity} from {self.location_id}"


# Payments and the timeline, invoices, the customer's tracking links (each in its module).
from orders.models.invoices import Invoice, InvoiceLine  # noqa: E402
from orders.models.records import OrderEvent, Payment  # noqa: E402
from orders.models.tracking import TrackingLink, TrackingLookup  # noqa: E402

__all__ = [
    "Address",
    "Customer",
    "Invoice",
    "InvoiceLine",
    "LineAllocation",
    "Order",
    "OrderEvent",
    "OrderLine",
    "Payment",
    "TrackingLink",
    "TrackingLookup",
]
