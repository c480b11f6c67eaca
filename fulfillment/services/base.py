"""What the fulfillment services share: row locks in a fixed order, the scan log.

Locks follow the one order of ``oms.locks``: orders, shipments, shipment
lines, waves, then stock rows inside inventory's services.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fulfillment.models import ScanEvent, Shipment, ShipmentLine, Wave
from inventory import selectors as inventory_selectors
from inventory.models import Location, Product
from oms.errors import DomainError, InvalidInput, NotFound
from oms.locks import lock_rows
from oms.scanning import Scan, ScanKind
from oms.services import require_perm, unit_of_work, whole_number
from orders.models import Order

TIMES = "\u00d7"
OK, WARN = "ok", "warn"
PICK_PERM = "fulfillment.pick_shipment"
PICK_REFUSED = "Only warehouse staff and managers pick."


@dataclass
class ScanAnswer:
    """What an accepted scan did: ``ok`` or ``warn`` (accepted, but look), in plain words."""

    status: str
    message: str
    event: ScanEvent | None = None
    data: dict = field(default_factory=dict)


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


def log_scan(
    *,
    user,
    screen: str,
    code: str,
    accepted: bool,
    message: str,
    action: str = ScanEvent.Action.OTHER,
    **fields,
) -> ScanEvent:
    """Append one row to the scan log."""
    return ScanEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        screen=screen,
        code=(code or "")[:200],
        result=ScanEvent.Result.ACCEPTED if accepted else ScanEvent.Result.REFUSED,
        message=message,
        action=action,
        **fields,
    )


def scan_service(screen: str) -> Callable:
    """Make a scan service atomic; log a refusal after its rollback, then refuse.

    The wrapped service logs its accepted scans itself. When it refuses, its
    work is rolled back and one REFUSED row is written to the scan log (naming
    the wave or shipment the scan was for), so nothing else changes.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*, user, code: str = "", **kwargs):
            try:
                with unit_of_work():
                    return func(user=user, code=code, **kwargs)
            except DomainError as error:
                fields = {}
                if kwargs.get("wave_id"):
                    fields["wave_id"] = (
                        kwargs["wave_id"]
                        if Wave.objects.filter(pk=kwargs["wave_id"]).exists()
                        else None
                    )
                if kwargs.get("shipment_id"):
                    fields["shipment_id"] = (
                        kwargs["shipment_id"]
                        if Shipment.objects.filter(pk=kwargs["shipment_id"]).exists()
                        else None
                    )
                log_scan(
                    user=user,
                    screen=screen,
                    code=code or func.__name__,
                    accepted=False,
                    message=error.message,
                    data={"code": error.code},
                    **fields,
                )
                raise

        return wrapper

    return decorate


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
