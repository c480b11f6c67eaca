"""Short picks: the bin holds fewer than the pick list says. Look elsewhere, else backorder.

The missing units are written off through the ledger (``stock_short_pick``)
and the bin is listed to be counted, so they are never promised again.
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
from inventory import services as inventory_services
from inventory.models import Location, StockLevel
from oms.errors import Conflict, InvalidInput
from oms.services import whole_number
from orders.events import order_event
from orders.models import LineAllocation, Order, OrderEvent
from orders.services.base import save_transition


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
    warehouse = current.warehouse
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
    inventory_services.stock_lock_products(product_ids=[product.pk])
    # Look for the missing units elsewhere first, while this bin's units are still promised.
    # Ask for this bin's free units on top, since walking order may offer them first.
    level = StockLevel.objects.filter(product=product, location=current).first()
    here_free = max(level.available, 0) if level else 0
    found = inventory_services.stock_allocate(
        product=product, quantity=missing + here_free, warehouse=warehouse
    )
    bins = Location.objects.in_bulk([allocation.location_id for allocation in found])
    elsewhere = []
    need = missing
    for allocation in found:
        use = 0 if allocation.location_id == current.pk else min(allocation.quantity, need)
        need -= use
        if use:
            elsewhere.append([allocation.location_id, use])
        if allocation.quantity - use:
            inventory_services.stock_release(
                product=product,
                location=bins[allocation.location_id],
                quantity=allocation.quantity - use,
            )
    numbers = sorted({line.shipment.number for line, _ in shortfall})
    inventory_services.stock_short_pick(
        product=product,
        location=current,
        quantity=missing,
        user=user,
        reference=", ".join(numbers),
        reason=f"Short pick on {', '.join(numbers)}: {missing} missing in {current.code}; "
        f"count bin {current.code}",
    )

    elsewhere_found = [tuple(pair) for pair in elsewhere]
    allocations = {
        (a.line_id, a.location_id): a
        # Guarded by the orders' locks (oms.locks).
        for a in LineAllocation.objects.filter(
            line_id__in={line.order_line_id for line, _ in shortfall}
        )
    }
    locations = Location.objects.in_bulk([location_id for location_id, _ in elsewhere])
    notes: dict[int, list[str]] = {}
    backordered_total = 0
    for line, take in shortfall:
        line.quantity -= take
        line.short += take
        line.save(update_fields=["quantity", "short"])
        row_alloc = allocations[(line.order_line_id, current.pk)]
        row_alloc.quantity -= take
        row_alloc.save(update_fields=["quantity"])
        got = 0
        for pair in elsewhere:
            location_id, free = pair
            use = min(free, take - got)
            if use <= 0:
                continue
            pair[1] -= use
            got += use
            other = allocations.get((line.order_line_id, location_id))
            if other is None:
                other = LineAllocation.objects.create(
                    line=line.order_line, location_id=location_id, quantity=0
                )
                allocations[(line.order_line_id, location_id)] = other
            other.quantity += use
            other.save(update_fields=["quantity"])
            extra = ShipmentLine.objects.filter(
                shipment_id=line.shipment_id,
                order_line_id=line.order_line_id,
                location_id=location_id,
            ).first()
            if extra is None:
                ShipmentLine.objects.create(
                    shipment_id=line.shipment_id,
                    order_line=line.order_line,
                    product=product,
                    location_id=location_id,
                    quantity=use,
                )
            else:
                extra.quantity += use
                extra.save(update_fields=["quantity"])
            notes.setdefault(line.shipment_id, []).append(
                f"{use} to pick from {locations[location_id].code}"
            )
        lost = take - got
        if lost:
            order_line = line.order_line
            order_line.quantity_allocated -= lost
            order_line.quantity_backordered += lost
            order_line.save(update_fields=["quantity_allocated", "quantity_backordered"])
            backordered_total += lost
            notes.setdefault(line.shipment_id, []).append(f"{lost} backordered")
        shipment = line.shipment
        order_event(
            order=shipment.order,
            type=OrderEvent.Type.BACKORDERED if lost else OrderEvent.Type.ALLOCATED,
            user=user,
            note=f"Short pick on {shipment}: {take} {TIMES} {product.sku} missing in "
            f"{current.code}; " + ", ".join(notes[line.shipment_id]),
            data={"shipment_id": shipment.pk, "line_id": line.order_line_id, "quantity": take},
        )
    for shipment in shipments.values():
        _after_short(shipment, user=user)
    for order in orders.values():
        if (
            order.status == Order.Status.ALLOCATED
            and order.lines.filter(quantity_backordered__gt=0).exists()
        ):
            before = order.status
            order.mark_backordered()
            save_transition(order, from_status=before, user=user, note="Short pick")
    if can_proceed(wave.start):
        wave.start()
        wave.save()
    finish_wave_if_done(wave)
    found_total = missing - backordered_total
    parts = [f"Short {missing} {TIMES} {product.name} in {current.code}: written off."]
    if found_total:
        where = ", ".join(sorted({locations[pk].code for pk, _ in elsewhere}))
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
            "found": [[pk, use] for pk, use in elsewhere_found],
            "backordered": backordered_total,
        },
    )
    return ScanAnswer(WARN, message, event)


def _after_short(shipment: Shipment, *, user) -> None:
    """Close out a shipment a short pick changed: picked when complete, cancelled when empty."""
    lines = list(shipment.lines.all())
    if sum(line.quantity for line in lines) == 0:
        shipment.cancel()
        shipment.cancelled_at = timezone.now()
        save_shipment(shipment)
        order_event(
            order=shipment.order,
            type=OrderEvent.Type.SHIPMENT,
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
