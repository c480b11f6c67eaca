"""Reads for the warehouse floor: pick lists, waves, shipments, the pack bench, the scan log."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from fulfillment.models import (
    Carrier,
    PackageType,
    Parcel,
    ParcelItem,
    ScanEvent,
    Shipment,
    ShipmentLine,
    ShippingMethod,
    Wave,
)
from fulfillment.totes import tote_colour
from inventory.models import Location, Product
from orders.models import Order


@dataclass
class PickSplit:
    """The part of a pick row that goes to one order's tote."""

    shipment_id: int
    shipment: str
    order: str
    tote: int
    colour: str
    quantity: int
    picked: int
    short: int

    @property
    def left(self) -> int:
        return self.quantity - self.picked


@dataclass
class PickRow:
    """One stop on the walk: a product in a bin, with how many go to each order."""

    location: Location
    product: Product
    quantity: int = 0
    picked: int = 0
    short: int = 0
    splits: list[PickSplit] = field(default_factory=list)
    line_ids: list[int] = field(default_factory=list)

    @property
    def left(self) -> int:
        return self.quantity - self.picked

    @property
    def done(self) -> bool:
        return self.left <= 0


@dataclass
class PickList:
    wave: Wave
    rows: list[PickRow]

    @property
    def lines_total(self) -> int:
        return len(self.rows)

    @property
    def lines_done(self) -> int:
        return sum(1 for row in self.rows if row.done)

    @property
    def units_total(self) -> int:
        return sum(row.quantity for row in self.rows)

    @property
    def units_picked(self) -> int:
        return sum(row.picked for row in self.rows)

    @property
    def next_row(self) -> PickRow | None:
        return next((row for row in self.rows if not row.done), None)

    def rows_for(self, *, location_id: int | None = None, product_id: int | None = None):
        return [
            row
            for row in self.rows
            if (location_id is None or row.location.pk == location_id)
            and (product_id is None or row.product.pk == product_id)
        ]


def wave_lines(wave_id: int) -> QuerySet[ShipmentLine]:
    """Lines of a wave's live shipments with bin, product and order: one query."""
    return (
        ShipmentLine.objects.filter(shipment__wave_id=wave_id)
        .exclude(shipment__status=Shipment.Status.CANCELLED)
        .exclude(shipment__order__status=Order.Status.CANCELLED)
        .select_related("location", "location__warehouse", "product", "shipment", "shipment__order")
        .order_by("location__pick_sequence", "location__code", "product__sku", "pk")
    )


def pick_list(wave: Wave) -> PickList:
    """Return the wave's pick list in walking order, per bin and product, split per order.

    Costs one query whatever the number of lines. Rows with nothing left to
    pick (everything short) are kept, so the printed list stays the same.
    """
    rows: dict[tuple[int, int], PickRow] = {}
    for line in wave_lines(wave.pk):
        key = (line.location_id, line.product_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = PickRow(location=line.location, product=line.product)
        row.quantity += line.quantity
        row.picked += line.picked
        row.short += line.short
        row.line_ids.append(line.pk)
        shipment = line.shipment
        split = next((s for s in row.splits if s.shipment_id == shipment.pk), None)
        if split is None:
            split = PickSplit(
                shipment_id=shipment.pk,
                shipment=shipment.number,
                order=shipment.order.number,
                tote=shipment.wave_position,
                colour=tote_colour(shipment.wave_position),
                quantity=0,
                picked=0,
                short=0,
            )
            row.splits.append(split)
        split.quantity += line.quantity
        split.picked += line.picked
        split.short += line.short
    ordered = [row for row in rows.values() if row.quantity > 0 or row.short > 0]
    for row in ordered:
        row.splits.sort(key=lambda s: (s.tote, s.shipment_id))
    return PickList(wave=wave, rows=ordered)


def waves() -> QuerySet[Wave]:
    """Waves, newest first, with their shipment counts (one query)."""
    return (
        Wave.objects.select_related("created_by")
        .annotate(
            shipment_count=Count(
                "shipments", filter=~Q(shipments__status=Shipment.Status.CANCELLED)
            ),
            units=Sum("shipments__lines__quantity"),
            units_picked=Sum("shipments__lines__picked"),
        )
        .order_by("-created_at", "-pk")
    )


def wave_get(pk: int) -> Wave | None:
    return Wave.objects.select_related("created_by").filter(pk=pk).first()


def wave_shipments(wave: Wave) -> list[Shipment]:
    """Return a wave's shipments by tote, each with its ``tote_colour``: one query."""
    shipments = list(
        wave.shipments.select_related(
            "order", "order__customer", "carrier", "shipping_method"
        ).order_by("wave_position", "pk")
    )
    for shipment in shipments:
        shipment.tote_colour = tote_colour(shipment.wave_position)
    return shipments


def order_shipments(order) -> list[Shipment]:
    """Return an order's shipments, oldest first, with carrier, service, lines and parcels.

    Three queries whatever the number of shipments (the order page's section).
    """
    return list(
        Shipment.objects.filter(order_id=order.pk)
        .select_related("carrier", "shipping_method", "warehouse")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related("order_line").order_by("pk"),
            ),
            Prefetch("parcels", queryset=Parcel.objects.order_by("number")),
        )
        .order_by("created_at", "pk")
    )


def order_shipments_overview(order, *, lines: int = 20) -> list[Shipment]:
    """Return an order's shipments for its page: the first ``lines`` lines of each, and a count.

    Each shipment has ``first_lines`` (lines with units, with their order
    line) and ``more_lines`` (how many more there are); three queries, and an
    order of a thousand lines loads twenty of them per shipment, not all.
    """
    shown = ShipmentLine.objects.filter(quantity__gt=0).select_related("order_line")
    found = list(
        Shipment.objects.filter(order_id=order.pk)
        .select_related("carrier", "shipping_method", "warehouse")
        .annotate(line_count=Count("lines", filter=Q(lines__quantity__gt=0)))
        .prefetch_related(
            Prefetch("lines", queryset=shown.order_by("pk")[:lines], to_attr="first_lines"),
            Prefetch("parcels", queryset=Parcel.objects.order_by("number")),
        )
        .order_by("created_at", "pk")
    )
    for shipment in found:
        shipment.more_lines = shipment.line_count - len(shipment.first_lines)
    return found


def shipments() -> QuerySet[Shipment]:
    """Shipments with order, customer, warehouse, carrier, method and wave: constant queries."""
    return Shipment.objects.select_related(
        "order",
        "order__customer",
        "order__billing_address",
        "ship_to",
        "warehouse",
        "carrier",
        "shipping_method",
        "shipping_method__carrier",
        "wave",
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ShipmentLine.objects.select_related(
                "product", "location", "order_line"
            ).order_by("location__pick_sequence", "location__code", "pk"),
        ),
        Prefetch(
            "parcels",
            queryset=Parcel.objects.select_related("package_type")
            .prefetch_related(Prefetch("items", queryset=ParcelItem.objects.order_by("pk")))
            .order_by("number"),
        ),
    )


def shipment_get(pk: int) -> Shipment | None:
    return shipments().filter(pk=pk).first()


def shipment_by_number(number: str) -> Shipment | None:
    return shipments().filter(number=(number or "").strip().upper()).first()


def ready_shipments(
    *,
    carrier: str = "",
    min_priority: int | None = None,
    vip_only: bool = False,
) -> QuerySet[Shipment]:
    """Pending shipments not yet in a wave, VIP first, then priority, then oldest."""
    qs = (
        Shipment.objects.filter(status=Shipment.Status.PENDING, wave__isnull=True)
        .exclude(order__status__in=[Order.Status.CANCELLED, Order.Status.ON_HOLD])
        .select_related("order", "order__customer", "carrier", "warehouse")
        .annotate(units=Sum("lines__quantity"))
    )
    if carrier:
        qs = qs.filter(carrier__code__iexact=carrier)
    if min_priority is not None:
        qs = qs.filter(order__priority__gte=min_priority)
    if vip_only:
        qs = qs.filter(order__is_vip=True)
    return qs.order_by("-order__is_vip", "-order__priority", "order__placed_at", "pk")


def carriers() -> QuerySet[Carrier]:
    return Carrier.objects.filter(is_active=True).prefetch_related(
        Prefetch("methods", queryset=ShippingMethod.objects.filter(is_active=True).order_by("name"))
    )


def shipping_methods() -> QuerySet[ShippingMethod]:
    return ShippingMethod.objects.filter(is_active=True, carrier__is_active=True).select_related(
        "carrier"
    )


def package_types() -> QuerySet[PackageType]:
    return PackageType.objects.filter(is_active=True)


def last_bin(*, wave_id: int, user) -> Location | None:
    """Return the bin the user last scanned on this wave's pick screen (to resume)."""
    event = (
        ScanEvent.objects.filter(
            wave_id=wave_id,
            user=user,
            screen=ScanEvent.Screen.PICK,
            action=ScanEvent.Action.BIN,
            result=ScanEvent.Result.ACCEPTED,
        )
        .select_related("location", "location__warehouse")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.location if event else None


def current_pack_shipment(user) -> Shipment | None:
    """Return the shipment the user last opened at the pack bench, while it is still open."""
    event = (
        ScanEvent.objects.filter(
            user=user,
            screen=ScanEvent.Screen.PACK,
            action=ScanEvent.Action.SHIPMENT,
            result=ScanEvent.Result.ACCEPTED,
        )
        .order_by("-created_at", "-pk")
        .values_list("shipment_id", flat=True)
        .first()
    )
    if event is None:
        return None
    return shipment_get(event)


def last_scan(*, user, screen: str, **filters) -> ScanEvent | None:
    """Return the user's last scan on a screen (its answer stays on screen until the next)."""
    return (
        ScanEvent.objects.filter(user=user, screen=screen, **filters)
        .order_by("-created_at", "-pk")
        .first()
    )


def scan_history(*, user, screen: str, limit: int = 10, **filters) -> list[ScanEvent]:
    """The user's last scans on a screen, newest first, each marked ``undone``: two queries."""
    rows = list(
        ScanEvent.objects.filter(user=user, screen=screen, **filters)
        .select_related("product", "location", "shipment")
        .order_by("-created_at", "-pk")[:limit]
    )
    undone = set(
        ScanEvent.objects.filter(undoes__in=[row.pk for row in rows]).values_list(
            "undoes_id", flat=True
        )
    )
    for row in rows:
        row.undone = row.pk in undone
    return rows


@dataclass(frozen=True)
class CustomerParcel:
    """A shipment as its customer sees it: when it left, with whom, how to follow it."""

    carrier: str
    service: str
    tracking_number: str
    tracking_url: str
    shipped_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    items: list[tuple[int, str]]


def customer_parcels(order) -> list[CustomerParcel]:
    """Return the order's shipments that left, for the customer's page (three queries)."""
    return [
        CustomerParcel(
            carrier=shipment.carrier.name if shipment.carrier_id else "",
            service=shipment.shipping_method.name if shipment.shipping_method_id else "",
            tracking_number=shipment.tracking_number,
            tracking_url=shipment.tracking_url,
            shipped_at=shipment.shipped_at,
            delivered_at=shipment.delivered_at,
            items=[
                (line.quantity, line.order_line.name)
                for line in shipment.lines.all()
                if line.quantity
            ],
        )
        for shipment in order_shipments(order)
        if shipment.shipped_at
    ]
