"""What the fulfillment services share: row locks in a fixed order, scan helpers.

Locks follow the one order of ``oms.locks``: orders, shipments, shipment
lines, waves, then stock rows inside inventory's services.
"""

from __future__ import annotations

from collections.abc import Iterable

from fulfillment.models import Shipment, ShipmentLine, Wave
from fulfillment.services.scanlog import ScanAnswer as ScanAnswer
from fulfillment.services.scanlog import log_scan as log_scan
from fulfillment.services.scanlog import scan_service as scan_service
from inventory import selectors as inventory_selectors
from inventory.models import Location, Product
from oms.errors import InvalidInput, NotFound
from oms.locks import lock_rows
from oms.scanning import Scan, ScanKind
from oms.services import require_perm, whole_number
from orders.models import Order

TIMES = "\u00d7"
OK, WARN = "ok", "warn"
PICK_PERM = "fulfillment.pick_shipment"
PICK_REFUSED = "Only warehouse staff and managers pick."


def lock_orders(order_ids: Iterable[int]) -> dict[int, Order]:
    """Lock order rows in primary-key order; return them by pk."""
    return {order.pk: order for order in lock_rows(Order.objects.all(), order_ids)}


def lock_shipments(shipment_ids: Iterable[int]) -> tuple[dict[int, Order], dict[int, Shipment]]:
    """Lock the shipments' orders (by pk), then the shipments (by pk); return both by pk."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return {}, {}
    order_ids = Shipment.objects.filter(pk__in=ids).values_list("order_id", flat=True)
    orders = lock_orders(list(order_ids))
    shipments = {shipment.pk: shipment for shipment in lock_rows(Shipment.objects.all(), ids)}
    for shipment in shipments.values():
        shipment.order = orders[shipment.order_id]
    return orders, shipments


def lock_wave(wave_id: int) -> Wave:
    """Lock a wave, after its shipments and their lines and before any stock row."""
    rows = lock_rows(Wave.objects.all(), [wave_id])
    if not rows:
        raise NotFound("That pick list (wave) does not exist.", field="wave", code="unknown_wave")
    return rows[0]


def save_shipment(shipment: Shipment, fields: list[str] | None = None) -> None:
    shipment.version += 1
    if fields is None:
        shipment.save()
    else:
        shipment.save(update_fields=[*fields, "status", "version", "updated_at"])


def check_perm(user, perm: str, message: str) -> None:
    require_perm(user, perm, message)


# --- what the pick and pack screens share ------------------------------------------------------


def find_scanned(scan: Scan, *, warehouse=None) -> tuple[Location | None, Product | None]:
    """Look a scanned bin or product up; an ambiguous bare code is tried both ways."""

    def find_bin():
        location = inventory_selectors.location_find_by_code(scan.value, warehouse=warehouse)
        if location is None and scan.warehouse_code:
            location = inventory_selectors.location_find_by_code(scan.bin_code)
        if location is None and warehouse is not None:
            location = inventory_selectors.location_find_by_code(scan.value)
        return location

    if scan.kind is ScanKind.BIN:
        location = find_bin()
        if location is None and scan.ambiguous:
            return None, inventory_selectors.product_find_by_code(scan.value)
        return location, None
    product = inventory_selectors.product_find_by_code(scan.value)
    if product is None and scan.ambiguous:
        return find_bin(), None
    return None, product


def scan_quantity(scan: Scan, quantity) -> int:
    """Return the quantity a scan carries (5*code), else the typed one, else 1."""
    if scan.quantity is not None:
        return scan.quantity
    if quantity in (None, ""):
        return 1
    return whole_number(quantity, field="quantity")


def refuse_scan(scan: Scan, screen: str):
    """Refuse a scan that is neither a bin nor a product, saying what it is."""
    if scan.kind is ScanKind.EMPTY:
        raise InvalidInput("Nothing was scanned.", field="code", code="empty")
    if scan.kind is ScanKind.INVALID:
        raise InvalidInput(scan.error, field="code", code="unreadable")
    if scan.kind is ScanKind.COMMAND:
        raise InvalidInput(
            f"{scan.value} is not used on the {screen} screen.", field="code", code="command"
        )
    raise InvalidInput(
        f"{scan.display} is not a bin or a product: scan the bin label, then the product.",
        field="code",
        code="not_here",
    )


def lock_lines(line_ids: list[int]) -> tuple[dict, dict, list[ShipmentLine]]:
    """Lock shipment lines after their orders and shipments; return them in tote order."""
    shipment_ids = ShipmentLine.objects.filter(pk__in=line_ids).values_list(
        "shipment_id", flat=True
    )
    orders, shipments = lock_shipments(list(shipment_ids))
    lines = lock_rows(
        ShipmentLine.objects.select_related("product", "location", "order_line"), line_ids
    )
    for line in lines:
        line.shipment = shipments[line.shipment_id]
    lines.sort(key=lambda line: (line.shipment.wave_position, line.shipment_id, line.pk))
    return orders, shipments, lines


def finish_picking_if_done(shipment: Shipment) -> None:
    """Mark a shipment picked once every line is."""
    lines = list(shipment.lines.all())
    if shipment.status == Shipment.Status.PICKING and all(
        line.picked >= line.quantity for line in lines
    ):
        shipment.finish_picking()
        save_shipment(shipment)
