"""Shipments and what the warehouse floor does with them: waves, picking, packing, parcels."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django_fsm import FSMField, FSMModelMixin, transition

from oms.models import TimeStampedModel
from oms.scanlog import ScanLog


class Carrier(TimeStampedModel):
    """Who takes the parcels: a national carrier, or the built-in local courier."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    tracking_url_template = models.CharField(
        max_length=300,
        blank=True,
        help_text="Web address of the tracking page; {tracking} is replaced by the number.",
    )
    is_local_courier = models.BooleanField(
        "local courier",
        default=False,
        help_text="Our own courier: the OMS makes up the tracking number.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def tracking_url(self, tracking_number: str) -> str:
        """Return the carrier's tracking page for a number, or '' when there is none."""
        if not self.tracking_url_template or not tracking_number:
            return ""
        return self.tracking_url_template.replace("{tracking}", tracking_number)


class ShippingMethod(TimeStampedModel):
    """One carrier service with its price, e.g. DPD Next day 7.95."""

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="methods")
    code = models.CharField(
        max_length=50,
        unique=True,
        help_text="Matches the order's shipping method (standard, express, courier ...).",
    )
    name = models.CharField("service", max_length=100)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["carrier__name", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="shipping_price_not_negative")
        ]

    def __str__(self):
        return f"{self.carrier.name} {self.name}"


class PackageType(TimeStampedModel):
    """A box or bag the packers use, with its size and empty weight."""

    name = models.CharField(max_length=100, unique=True)
    length_mm = models.PositiveIntegerField(default=0)
    width_mm = models.PositiveIntegerField(default=0)
    height_mm = models.PositiveIntegerField(default=0)
    tare_grams = models.PositiveIntegerField("empty weight (g)", default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def dimensions(self) -> str:
        return f"{self.length_mm} × {self.width_mm} × {self.height_mm} mm"


class Wave(FSMModelMixin, TimeStampedModel):
    """A pick list: several shipments picked together in walking order."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PICKING = "picking", "Picking"
        DONE = "done", "Done"

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = FSMField(
        max_length=20, choices=Status.choices, default=Status.OPEN, protected=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.number or f"Wave {self.pk}"

    def get_absolute_url(self):
        return reverse("fulfillment:wave_detail", args=[self.pk])

    @transition(field=status, source=Status.OPEN, target=Status.PICKING)
    def start(self):
        pass

    @transition(field=status, source=[Status.OPEN, Status.PICKING], target=Status.DONE)
    def finish(self):
        pass

    @transition(field=status, source=Status.DONE, target=Status.PICKING)
    def reopen(self):
        self.finished_at = None


class Shipment(FSMModelMixin, TimeStampedModel):
    """What leaves one warehouse for one order: lines from their bins, packed into parcels."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PICKING = "picking", "Picking"
        PICKED = "picked", "Picked"
        PACKED = "packed", "Packed"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    # States in which the shipment still holds its lines' allocations.
    OPEN = [Status.PENDING, Status.PICKING, Status.PICKED, Status.PACKED]

    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="shipments"
    )
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    wave_position = models.PositiveSmallIntegerField(
        default=0, help_text="Tote number within its wave."
    )
    status = FSMField(
        max_length=20,
        choices=Status.choices,
        default=Status.PENDING,
        protected=True,
        db_index=True,
    )
    carrier = models.ForeignKey(
        Carrier, null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    shipping_method = models.ForeignKey(
        ShippingMethod, null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    ship_to = models.ForeignKey(
        "orders.Address",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where this shipment goes: the order's address when it was made, kept "
        "from the moment picking starts (labels and slips print it).",
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Each order's departed parcels (the dashboard's time to ship), from the index alone.
            models.Index(
                fields=["order", "shipped_at"],
                condition=Q(status__in=["shipped", "delivered"]),
                name="shipment_left",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"],
                condition=~Q(tracking_number=""),
                name="shipment_tracking_number_unique_per_carrier",
            ),
        ]
        permissions = [
            ("pick_shipment", "Can pick shipments"),
            ("pack_shipment", "Can pack shipments"),
            ("ship_shipment", "Can ship shipments"),
            ("cancel_shipment", "Can cancel shipments"),
            ("update_tracking", "Can post carrier tracking updates"),
        ]

    def __str__(self):
        return self.number or f"Shipment {self.pk}"

    def get_absolute_url(self):
        return reverse("fulfillment:shipment_detail", args=[self.pk])

    @property
    def tracking_url(self) -> str:
        return self.carrier.tracking_url(self.tracking_number) if self.carrier_id else ""

    # --- transitions: fields only; fulfillment.services locks, checks, saves and logs ---

    @transition(field=status, source=Status.PENDING, target=Status.PICKING)
    def start_picking(self):
        pass

    @transition(field=status, source=Status.PICKING, target=Status.PICKED)
    def finish_picking(self):
        pass

    @transition(field=status, source=Status.PICKED, target=Status.PICKING)
    def reopen_picking(self):
        pass

    @transition(field=status, source=Status.PICKED, target=Status.PACKED)
    def finish_packing(self):
        pass

    @transition(field=status, source=Status.PACKED, target=Status.PICKED)
    def reopen_packing(self):
        pass

    @transition(field=status, source=Status.PACKED, target=Status.SHIPPED)
    def ship(self):
        pass

    @transition(field=status, source=Status.SHIPPED, target=Status.DELIVERED)
    def deliver(self):
        pass

    @transition(field=status, source=OPEN, target=Status.CANCELLED)
    def cancel(self):
        pass


class ShipmentLine(models.Model):
    """Units of one order line taken from one bin: how many, how many picked, how many packed."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    picked = models.PositiveIntegerField(default=0)
    packed = models.PositiveIntegerField(default=0)
    short = models.PositiveIntegerField(
        default=0, help_text="Units not found in the bin, given back to the order."
    )

    class Meta:
        ordering = ["shipment", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(picked__lte=F("quantity")), name="shipment_line_picked_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(packed__lte=F("picked")), name="shipment_line_packed_within_picked"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_id} from {self.location_id}"

    @property
    def to_pick(self) -> int:
        return self.quantity - self.picked

    @property
    def to_pack(self) -> int:
        return self.picked - self.packed


class Parcel(models.Model):
    """One box of a shipment: parcel n of m, its package, weight and tracking number."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="parcels")
    number = models.PositiveSmallIntegerField()
    package_type = models.ForeignKey(
        PackageType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shipment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "number"], name="parcel_number_unique"),
        ]

    def __str__(self):
        return f"{self.shipment} parcel {self.number}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ParcelItem(models.Model):
    """How many units of a shipment line lie in one parcel."""

    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="items")
    shipment_line = models.ForeignKey(
        ShipmentLine, on_delete=models.PROTECT, related_name="parcel_items"
    )
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["parcel", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcel", "shipment_line"], name="parcel_item_unique_line"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × line {self.shipment_line_id}"


class ScanEvent(ScanLog):
    """One scan on a pick, pack or ship screen, accepted or refused. Append-only; undo adds a row."""

    class Screen(models.TextChoices):
        PICK = "pick", "Pick"
        PACK = "pack", "Pack"
        SHIP = "ship", "Ship"

    class Action(models.TextChoices):
        BIN = "bin", "Bin scanned"
        PICK = "pick", "Picked"
        SHORT = "short", "Short pick"
        SHIPMENT = "shipment", "Shipment opened"
        PACK = "pack", "Packed"
        NEW_PARCEL = "new_parcel", "New parcel"
        CLOSE_PARCEL = "close_parcel", "Parcel closed"
        UNDO = "undo", "Undo"
        SHIP = "ship", "Shipped"
        OTHER = "other", "Other"

    screen = models.CharField(max_length=10, choices=Screen.choices)
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.OTHER)
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.PROTECT, related_name="scans"
    )
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="scans"
    )
    location = models.ForeignKey(
        "inventory.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "inventory.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="undone_by"
    )

    class Meta(ScanLog.Meta):
        indexes = [models.Index(fields=["screen", "user", "-created_at"])]
