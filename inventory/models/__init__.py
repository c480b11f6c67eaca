from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from inventory.models.counts import CountAdjustment
from inventory.models.scans import CountSession, StockScan
from oms.append_only import AppendOnlyModel
from oms.barcodes import validate_product_barcode
from oms.models import TimeStampedModel

__all__ = [
    "CountAdjustment",
    "CountSession",
    "Location",
    "Product",
    "ProductQuerySet",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderReceipt",
    "StockLevel",
    "StockMovement",
    "StockScan",
    "Supplier",
    "Warehouse",
]


class Supplier(TimeStampedModel):
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(default=7)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_stock(self):
        """Annotate on_hand, allocated and available summed over every bin.

        Returned goods waiting in a returns bin are on hand but never available.
        """
        return self.annotate(
            total_on_hand=models.functions.Coalesce(models.Sum("stock_levels__on_hand"), 0),
            total_allocated=models.functions.Coalesce(models.Sum("stock_levels__allocated"), 0),
            total_available=models.functions.Coalesce(
                models.Sum(
                    F("stock_levels__on_hand") - F("stock_levels__allocated"),
                    filter=Q(stock_levels__location__is_returns_bin=False),
                ),
                0,
            ),
        )


class Product(TimeStampedModel):
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    barcode = models.CharField(
        max_length=48,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_product_barcode],
        help_text="EAN-13, UPC-A, EAN-8 or GTIN-14 (check digit verified), or Code 128 text.",
    )
    price = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    weight_grams = models.PositiveIntegerField(default=0)
    length_mm = models.PositiveIntegerField(default=0)
    width_mm = models.PositiveIntegerField(default=0)
    height_mm = models.PositiveIntegerField(default=0)
    reorder_point = models.PositiveIntegerField(
        default=0, help_text="Low stock when available is at or under this quantity."
    )
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    is_drop_ship = models.BooleanField(
        "drop-ship", default=False, help_text="Shipped by the supplier, never held in stock."
    )
    is_active = models.BooleanField(default=True)
    tax_class = models.ForeignKey(
        "oms.TaxClass",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the standard class.",
    )

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(Upper("sku"), name="product_sku_unique_any_case"),
        ]
        permissions = [
            ("receive_stock", "Can receive stock"),
            ("count_stock", "Can count stock"),
            ("adjust_stock", "Can adjust stock with a reason"),
            ("transfer_stock", "Can move stock between bins"),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def get_absolute_url(self):
        return reverse("inventory:product_detail", args=[self.pk])

    def clean(self):
        if self.barcode == "":
            self.barcode = None


class Warehouse(TimeStampedModel):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(
        default=100, help_text="Allocation takes stock from lower numbers first."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Location(TimeStampedModel):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="locations")
    code = models.CharField(max_length=32, help_text="Aisle-bay-shelf, for example A-01-03.")
    barcode = models.CharField(max_length=48, unique=True, blank=True)
    pick_sequence = models.PositiveIntegerField(
        default=0, help_text="Walking order: pickers visit lower numbers first."
    )
    is_active = models.BooleanField(default=True)
    is_returns_bin = models.BooleanField(
        "returns bin",
        default=False,
        editable=False,
        help_text="Where customer returns wait for inspection: on hand, never available to sell.",
    )

    class Meta:
        ordering = ["warehouse", "pick_sequence", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "code"], name="location_code_per_warehouse"
            ),
            models.UniqueConstraint(
                fields=["warehouse"],
                condition=Q(is_returns_bin=True),
                name="one_returns_bin_per_warehouse",
            ),
        ]

    def __str__(self):
        return f"{self.warehouse.code}/{self.code}"

    @staticmethod
    def default_barcode(warehouse_code: str, code: str) -> str:
        """Return the barcode printed on a bin label: BIN-<warehouse>-<code>."""
        return f"BIN-{warehouse_code}-{code}".upper()

    def clean(self):
        if not self.barcode and self.warehouse_id and self.code:
            self.barcode = self.default_barcode(self.warehouse.code, self.code)

    def save(self, *args, **kwargs):
        if not self.barcode:
            self.barcode = self.default_barcode(self.warehouse.code, self.code)
        super().save(*args, **kwargs)


class StockLevel(models.Model):
    """How many of a product lie in one bin, and how many of those are promised."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock_levels")
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    last_counted_at = models.DateTimeField(null=True, blank=True)
    count_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Set when a picker found units missing here; cleared when the bin is counted.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["location__pick_sequence", "location__code"]
        constraints = [
            models.UniqueConstraint(fields=["product", "location"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(allocated__lte=F("on_hand")),
                name="stock_allocated_within_on_hand",
            ),
        ]

    def __str__(self):
        return f"{self.product.sku} @ {self.location}: {self.on_hand} on hand"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class StockMovement(AppendOnlyModel):
    """One change of on-hand stock. Append-only: rows are never edited or deleted."""

    append_only_name = "The stock ledger"

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        COUNT = "count", "Stock count"
        TRANSFER_OUT = "transfer_out", "Transfer out"
        TRANSFER_IN = "transfer_in", "Transfer in"
        SHIPMENT = "shipment", "Pick / ship"
        RETURN_RECEIPT = "return_receipt", "Return receipt"
        RETURN_RESTOCK = "return_restock", "Return restock"
        SCRAP = "scrap", "Scrap"
        SHORT_PICK = "short_pick", "Short pick"

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.IntegerField(help_text="Signed: positive adds stock, negative removes it.")
    on_hand_after = models.IntegerField()
    reason = models.CharField(max_length=255, blank=True)
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product", "location"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="stock_movement_quantity_not_zero"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d} {self.product.sku} @ {self.location}"


class PurchaseOrder(FSMModelMixin, TimeStampedModel):
    """An order to a supplier: stock for a warehouse, or goods shipped straight to a customer."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        PARTIALLY_RECEIVED = "partially_received", "Partially received"
        RECEIVED = "received", "Received"
        CANCELLED = "cancelled", "Cancelled"

    # States in which goods are still expected from the supplier.
    OPEN = [Status.DRAFT, Status.SENT, Status.PARTIALLY_RECEIVED]
    # States in which goods can be booked in against the order.
    RECEIVABLE = [Status.SENT, Status.PARTIALLY_RECEIVED]

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    warehouse = models.ForeignKey(
        Warehouse,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        help_text="Where the goods are delivered; empty for a drop-ship order.",
    )
    status = FSMField(
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        protected=True,
        db_index=True,
    )
    is_drop_ship = models.BooleanField(
        "drop-ship", default=False, help_text="The supplier ships straight to the customer."
    )
    ship_to = models.TextField(blank=True, help_text="Delivery address of a drop-ship order.")
    customer_reference = models.CharField(
        max_length=100, blank=True, db_index=True, help_text="The sales order, e.g. SO-000123."
    )
    expected_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    carrier = models.CharField(max_length=50, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_drop_ship=True) | Q(warehouse__isnull=False),
                name="purchase_order_stock_needs_warehouse",
            ),
        ]
        permissions = [
            ("send_purchaseorder", "Can send purchase orders to suppliers"),
            ("receive_purchaseorder", "Can receive goods against purchase orders"),
        ]

    def __str__(self):
        return self.number or f"Draft purchase order {self.pk}"

    # --- transitions: fields only; inventory.services.purchasing locks, checks and saves ---

    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SENT,
        permission="inventory.send_purchaseorder",
        custom={"admin": True, "label": "Send to supplier"},
    )
    def send(self):
        self.sent_at = timezone.now()

    @transition(
        field=status,
        # From received too: undoing a receipt by mistake reopens the order.
        source=[Status.SENT, Status.PARTIALLY_RECEIVED, Status.RECEIVED],
        target=Status.PARTIALLY_RECEIVED,
    )
    def mark_partially_received(self):
        self.received_at = None

    @transition(
        field=status, source=[Status.SENT, Status.PARTIALLY_RECEIVED], target=Status.RECEIVED
    )
    def mark_received(self):
        self.received_at = timezone.now()

    @transition(
        field=status,
        source=[Status.DRAFT, Status.SENT],
        target=Status.CANCELLED,
        permission="inventory.change_purchaseorder",
        custom={"admin": True, "label": "Cancel"},
    )
    def cancel(self):
        pass

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PurchaseOrderLine(models.Model):
    """One product on a purchase order: how many were ordered and how many arrived."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="lines"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="purchase_order_lines"
    )
    quantity_ordered = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["purchase_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["purchase_order", "product"], name="purchase_order_line_unique_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity_ordered__gt=0), name="purchase_order_line_ordered_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity_ordered")),
                name="purchase_order_line_received_within_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.quantity_ordered} × {self.product.sku}"

    @property
    def quantity_open(self) -> int:
        """Return how many are still to arrive."""
        return self.quantity_ordered - self.quantity_received


class PurchaseOrderReceipt(models.Model):
    """One booking of goods against a purchase order line, tied to its ledger row."""

    line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipts")
    movement = models.OneToOneField(
        StockMovement, on_delete=models.PROTECT, related_name="purchase_receipt"
    )
    quantity = models.PositiveIntegerField()
    undone_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.quantity} received on line {self.line_id}"
