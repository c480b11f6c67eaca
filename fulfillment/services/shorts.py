"""Short picks: the bin holds fewer than the pick list says. Look elsewhere, else backorder.

The order writes the missing units off through the ledger and lists the bin
to be counted, so they are never promised again, and promises them from
other bins or backorders them (``orders.services.order_units_missing``); the
warehouse adds what was found elsewhere to the shipment, to pick there.
"""

from __future__ import annotations

from django.utils import timezone
from django_fsm import can_proceed

from fulfillment import selectors
from fulfillment.models import ScanEvent, Shipment, ShipmentLine, Wave
from fulfillment.services.base import (
    PICK_PERM,
    PICK_REFUSED,
    TIMES,
    WARN,
    ScanAnswer,
    check_perm,
    finish_picking_if_done,
    lock_lines,
    lock_wave,
    log_scan,
    save_shipment,
    scan_service,
)
from fulfillment.services.waves import finish_wave_if_done, get_wave
from inventory.models import Location
from oms.errors import Conflict, InvalidInput
from oms.services import whole_number
from orders import services as order_services
from orders.services import Units


@scan_service(ScanEvent.Screen.PICK)
def pick_short(
    *, user, code: str = "CMD-SHORT", wave_id, quantity=None, product_id=None
) -> ScanAnswer:
    """Record that the current bin holds fewer than the pick list says (the CMD-SHORT scan)."""
    check_perm(user, PICK_PERM, PICK_REFUSED)
    return short_pick(
        wave=get_wave(wave_id), user=user, code=code, quantity=quantity, product_id=product_id
    )


def short_pick(*, wave: Wave, user, code: str, quantity=None, product_id=None) -> ScanAnswer:
    """Write the missing units off, look for them in another bin, else backorder them.

    The missing units are booked out of this bin through the ledger (a
    short-pick movement naming the shipments) and the bin is listed to be
    counted: what else the bin promises stays promised, and nothing missing
    is promised again. The same warehouse is searched for the product in
    other bins (walking order), and what is found there is added to the
    shipment as a new line to pick. What is not found is backordered on the
    order line. Tote order decides who waits: the last tote loses its units
    first.
    """
    current = selectors.last_bin(wave_id=wave.pk, user=user)
    plist = selectors.pick_list(wave)
    if current is None:
        raise InvalidInput(
            "Scan the bin first, then CMD-SHORT for what is missing there.",
            field="code",
            code="no_bin",
        )
    here = [row for row in plist.rows_for(location_id=current.pk) if not row.done]
    if product_id is not None:
        here = [row for row in here if row.product.pk == int(product_id)]
    if not here:
        raise Conflict(
            f"Nothing is left to pick in {current.code}: there is nothing to mark short.",
            field="code",
            code="nothing_short",
        )
    row = here[0]
    if quantity in (None, ""):
        missing = row.left
    else:
        missing = whole_number(quantity, field="quantity")
        if missing > row.left:
            raise InvalidInput(
                f"Only {row.left} {TIMES} {row.product.name} are left to pick in {current.code}: "
                f"{missing} cannot be short.",
                field="quantity",
                code="over_short",
            )
    orders, shipments, lines = lock_lines(row.line_ids)
    lock_wave(wave.pk)  # after the shipments, before any stock row (oms.locks)
    product = row.product
    shortfall: list[tuple[ShipmentLine, int]] = []
    remaining = missing
    for line in reversed(lines):
        take = min(line.to_pick, remaining)
        if take <= 0:
            continue
        shortfall.append((line, take))
        remaining -= take
        if remaining == 0:
            break
    if remaining:
        raise Conflict("The pick list changed meanwhile: scan the bin again.", code="retry")
    shortfall.reverse()
    found_total = backordered_total = 0
    found_bins: dict[int, int] = {}
    for line, take in shortfall:
        line.quantity -= take
        line.short += take
        line.save(update_fields=["quantity", "short"])
        shipment = line.shipment
        result = order_services.order_units_missing(
            order=orders[shipment.order_id],
            units=Units(line.order_line_id, current.pk, take),
            reference=shipment.number,
            note=f"Short pick on {shipment}: {take} {TIMES} {product.sku} missing in "
            f"{current.code}",
            user=user,
        )
        for location_id, use in result.found:
            _pick_elsewhere(line, location_id=location_id, quantity=use)
            found_bins[location_id] = found_bins.get(location_id, 0) + use
            found_total += use
        backordered_total += result.backordered
    for shipment in shipments.values():
        _after_short(shipment, user=user)
    if can_proceed(wave.start):
        wave.start()
        wave.save()
    finish_wave_if_done(wave)
    parts = [f"Short {missing} {TIMES} {product.name} in {current.code}: written off."]
    if found_total:
        bins = Location.objects.in_bulk(list(found_bins))
        where = ", ".join(sorted(bins[pk].code for pk in found_bins))
        parts.append(f"{found_total} found in {where}: pick them there.")
    if backordered_total:
        parts.append(f"{backordered_total} backordered on the order.")
    parts.append(f"Count bin {current.code}: it is on the list of bins to count.")
    message = " ".join(parts)
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PICK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.SHORT,
        wave=wave,
        shipment=shortfall[0][0].shipment,
        location=current,
        product=product,
        quantity=missing,
        data={
            "lines": [[line.pk, take] for line, take in shortfall],
            "found": [[pk, use] for pk, use in found_bins.items()],
            "backordered": backordered_total,
        },
    )
    return ScanAnswer(WARN, message, event)


def _pick_elsewhere(line: ShipmentLine, *, location_id: int, quantity: int) -> None:
    """Add units of a shipment line to pick from another bin (a line of its own there)."""
    extra = ShipmentLine.objects.filter(
        shipment_id=line.shipment_id, order_line_id=line.order_line_id, location_id=location_id
    ).first()
    if extra is None:
        ShipmentLine.objects.create(
            shipment_id=line.shipment_id,
            order_line_id=line.order_line_id,
            product_id=line.product_id,
            location_id=location_id,
            quantity=quantity,
        )
    else:
        extra.quantity += quantity
        extra.save(update_fields=["quantity"])


def _after_short(shipment: Shipment, *, user) -> None:
    """Close out a shipment a short pick changed: picked when complete, cancelled when empty."""
    lines = list(shipment.lines.all())
    if sum(line.quantity for line in lines) == 0:
        shipment.cancel()
        shipment.cancelled_at = timezone.now()
        save_shipment(shipment)
        order_services.order_timeline_add(
            order=shipment.order,
            user=user,
            note=f"Shipment {shipment} cancelled: nothing on it could be found",
            data={"shipment_id": shipment.pk},
        )
        return
    if shipment.status == Shipment.Status.PENDING and any(line.picked for line in lines):
        shipment.start_picking()
        save_shipment(shipment)
    if shipment.status == Shipment.Status.PICKED and not all(
        line.picked >= line.quantity for line in lines
    ):
        shipment.reopen_picking()
        save_shipment(shipment)
    finish_picking_if_done(shipment)
