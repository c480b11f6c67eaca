"""Waves and picking: build a pick list, scan bins and products, record short picks, undo."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F
from django.utils import timezone
from django_fsm import can_proceed

from fulfillment import selectors
from fulfillment.models import ScanEvent, Shipment, ShipmentLine, Wave
from fulfillment.services.base import (
    OK,
    TIMES,
    WARN,
    ScanAnswer,
    assign_number,
    check_perm,
    lock_shipments,
    log_scan,
    order_start_processing,
    save_shipment,
    scan_service,
)
from fulfillment.totes import tote_label
from inventory import selectors as inventory_selectors
from inventory import services as inventory_services
from inventory.models import Location, Product, StockLevel
from oms.errors import Conflict, InvalidInput, NotFound
from oms.scanning import Command, Scan, ScanKind, recognise
from oms.services import whole_number
from orders.events import order_event
from orders.models import LineAllocation, Order, OrderEvent
from orders.services.base import order_service, save_transition

PICK_PERM = "fulfillment.pick_shipment"
PICK_REFUSED = "Only warehouse staff and managers pick."


@order_service
def wave_create(
    *,
    user=None,
    carrier: str = "",
    min_priority=None,
    vip_only: bool = False,
    max_orders=None,
    shipment_ids: Sequence[int] | None = None,
) -> Wave:
    """Group ready shipments into a pick list: VIP first, then priority, then oldest.

    Filters: carrier code, minimum order priority, VIP orders only, at most
    ``max_orders`` orders, or exactly the shipments named. Each order gets a
    tote number (and colour). Refused (409) when no shipment is ready.
    """
    check_perm(user, "fulfillment.add_wave", "Only warehouse staff and managers build waves.")
    if min_priority not in (None, ""):
        min_priority = whole_number(
            min_priority, field="min_priority", label="Priority", minimum=-1000
        )
    else:
        min_priority = None
    if max_orders not in (None, ""):
        max_orders = whole_number(max_orders, field="max_orders", label="Maximum orders")
    else:
        max_orders = None
    candidates = selectors.ready_shipments(
        carrier=carrier or "", min_priority=min_priority, vip_only=bool(vip_only)
    )
    if shipment_ids is not None:
        candidates = candidates.filter(pk__in=list(shipment_ids))
    chosen: list[int] = []
    orders_seen: list[int] = []
    for shipment_id, order_id in candidates.values_list("pk", "order_id"):
        if order_id not in orders_seen:
            if max_orders is not None and len(orders_seen) >= max_orders:
                continue
            orders_seen.append(order_id)
        chosen.append(shipment_id)
    _, shipments = lock_shipments(chosen)
    live = [
        shipment
        for shipment in shipments.values()
        if shipment.status == Shipment.Status.PENDING and shipment.wave_id is None
    ]
    if not live:
        raise Conflict(
            "No shipment is ready to pick with these filters.", field="shipments", code="empty"
        )
    wave = Wave.objects.create(created_by=user if getattr(user, "pk", None) else None)
    assign_number(wave, "WV")
    totes = {order_id: index for index, order_id in enumerate(orders_seen, start=1)}
    for shipment in sorted(live, key=lambda s: (totes[s.order_id], s.pk)):
        shipment.wave = wave
        shipment.wave_position = totes[shipment.order_id]
        save_shipment(shipment, ["wave", "wave_position"])
    return wave


# --- scanning ---------------------------------------------------------------------------------


def _wave(wave_id) -> Wave:
    wave = Wave.objects.filter(pk=wave_id).first() if str(wave_id).isdigit() else None
    if wave is None:
        raise NotFound("That pick list (wave) does not exist.", field="wave", code="unknown_wave")
    return wave


def _find(scan: Scan, *, warehouse=None) -> tuple[Location | None, Product | None]:
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


def _quantity(scan: Scan, quantity) -> int:
    if scan.quantity is not None:
        return scan.quantity
    if quantity in (None, ""):
        return 1
    return whole_number(quantity, field="quantity")


def _refuse_scan(scan: Scan, screen: str):
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


def _wave_progress(wave: Wave) -> tuple[int, int]:
    plist = selectors.pick_list(wave)
    return plist.lines_done, plist.lines_total


def _finish_wave_if_done(wave: Wave) -> bool:
    lines = ShipmentLine.objects.filter(shipment__wave=wave).exclude(
        shipment__status=Shipment.Status.CANCELLED
    )
    if lines.filter(picked__lt=F("quantity")).exists():
        return False
    if can_proceed(wave.finish):
        wave.finish()
        wave.finished_at = timezone.now()
        wave.save()
    return True


@scan_service(ScanEvent.Screen.PICK)
def pick_scan(*, user, code: str = "", wave_id, quantity=None) -> ScanAnswer:
    """Answer one scan on the pick screen: a bin, a product (with a quantity) or a command.

    A wrong bin, a wrong product or an over-pick is refused in plain words and
    nothing but the refusal is logged. CMD-SHORT records a short pick,
    CMD-UNDO takes the last pick back, CMD-DONE checks the wave is finished.
    """
    check_perm(user, PICK_PERM, PICK_REFUSED)
    wave = _wave(wave_id)
    scan = recognise(code)
    if scan.kind is ScanKind.COMMAND:
        if scan.command is Command.UNDO:
            return _pick_undo(wave=wave, user=user, code=code)
        if scan.command is Command.SHORT:
            return _pick_short(wave=wave, user=user, code=code, quantity=quantity)
        if scan.command is Command.DONE:
            return _pick_done(wave=wave, user=user, code=code)
    if scan.kind not in (ScanKind.BIN, ScanKind.PRODUCT):
        _refuse_scan(scan, "pick")
    plist = selectors.pick_list(wave)
    next_row = plist.next_row
    if next_row is None:
        raise Conflict(
            f"Everything on {wave} is picked: take the totes to the pack bench.",
            field="code",
            code="wave_done",
        )
    location, product = _find(scan, warehouse=next_row.location.warehouse)
    if location is not None:
        return _pick_bin(wave=wave, user=user, code=code, location=location, plist=plist)
    if product is None:
        raise NotFound(
            f"Unknown code {scan.display}: no product or bin has it. Put the item aside and "
            "tell the office.",
            field="code",
            code="unknown_code",
        )
    return _pick_product(
        wave=wave,
        user=user,
        code=code,
        product=product,
        quantity=_quantity(scan, quantity),
        plist=plist,
    )


def _pick_bin(*, wave: Wave, user, code: str, location: Location, plist) -> ScanAnswer:
    here = [row for row in plist.rows_for(location_id=location.pk) if not row.done]
    if not here:
        raise Conflict(
            f"Wrong bin: this line is in {plist.next_row.location.code}",
            field="code",
            code="wrong_bin",
        )
    row = here[0]
    message = f"Bin {location.code}: pick {row.left} {TIMES} {row.product.name}"
    if len(here) > 1:
        message += f" (and {len(here) - 1} more product(s) here)"
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PICK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.BIN,
        wave=wave,
        location=location,
    )
    return ScanAnswer(OK, message, event)


def _lock_lines(line_ids: list[int]) -> tuple[dict, dict, list[ShipmentLine]]:
    shipment_ids = ShipmentLine.objects.filter(pk__in=line_ids).values_list(
        "shipment_id", flat=True
    )
    orders, shipments = lock_shipments(list(shipment_ids))
    lines = list(
        ShipmentLine.objects.select_for_update(of=("self",))
        .filter(pk__in=line_ids)
        .select_related("product", "location", "order_line")
        .order_by("pk")
    )
    for line in lines:
        line.shipment = shipments[line.shipment_id]
    lines.sort(key=lambda line: (line.shipment.wave_position, line.shipment_id, line.pk))
    return orders, shipments, lines


def _pick_product(
    *, wave: Wave, user, code: str, product: Product, quantity: int, plist
) -> ScanAnswer:
    current = selectors.last_bin(wave_id=wave.pk, user=user)
    on_list = plist.rows_for(product_id=product.pk)
    if not on_list:
        expected = ""
        if current is not None:
            here = [row for row in plist.rows_for(location_id=current.pk) if not row.done]
            if here:
                expected = f"; pick {here[0].product.name} from {current.code}"
        raise Conflict(
            f"Wrong product: {product.name} is not on this pick list{expected}.",
            field="code",
            code="wrong_product",
        )
    waiting = [row for row in on_list if not row.done]
    if current is None:
        target = waiting[0] if waiting else plist.next_row
        raise InvalidInput(
            f"Scan the bin first: this line is in {target.location.code}",
            field="code",
            code="no_bin",
        )
    row = next((row for row in on_list if row.location.pk == current.pk), None)
    if row is None:
        if waiting:
            raise Conflict(
                f"Wrong bin: this line is in {waiting[0].location.code}",
                field="code",
                code="wrong_bin",
            )
        raise Conflict(
            f"Over-pick: every {product.name} on this pick list is already picked.",
            field="code",
            code="over_pick",
        )
    if row.left <= 0:
        raise Conflict(
            f"Over-pick: every {product.name} from {current.code} is already picked.",
            field="code",
            code="over_pick",
        )
    if quantity > row.left:
        raise Conflict(
            f"Over-pick: only {row.left} {TIMES} {product.name} left to pick from {current.code}.",
            field="quantity",
            code="over_pick",
        )
    _orders, shipments, lines = _lock_lines(row.line_ids)
    left = sum(line.to_pick for line in lines)
    if quantity > left:
        raise Conflict(
            f"Over-pick: only {left} {TIMES} {product.name} left to pick from {current.code}.",
            field="quantity",
            code="over_pick",
        )
    remaining = quantity
    split: list[tuple[ShipmentLine, int]] = []
    for line in lines:
        take = min(line.to_pick, remaining)
        if take <= 0:
            continue
        line.picked += take
        remaining -= take
        split.append((line, take))
        if remaining == 0:
            break
    ShipmentLine.objects.bulk_update([line for line, _ in split], ["picked"])
    for shipment_id in sorted({line.shipment_id for line, _ in split}):
        shipment = shipments[shipment_id]
        if shipment.status == Shipment.Status.PENDING:
            shipment.start_picking()
            save_shipment(shipment)
            order_start_processing(shipment.order, user=user, shipment=shipment)
        _finish_picking_if_done(shipment)
    if can_proceed(wave.start):
        wave.start()
        wave.save()
    wave_done = _finish_wave_if_done(wave)
    parts = [
        f"{take} in {tote_label(line.shipment.wave_position)} {line.shipment.order.number}"
        for line, take in split
    ]
    left_here = row.left - quantity
    message = f"Picked {quantity} {TIMES} {product.name}: " + ", ".join(parts) + "."
    if left_here:
        message += f" {left_here} left here."
    elif wave_done:
        message += f" {wave} is completely picked."
    status = WARN if len(split) > 1 else OK
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PICK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.PICK,
        wave=wave,
        shipment=split[0][0].shipment,
        location=current,
        product=product,
        quantity=quantity,
        data={"lines": [[line.pk, take] for line, take in split]},
    )
    return ScanAnswer(status, message, event)


def _finish_picking_if_done(shipment: Shipment) -> None:
    lines = list(shipment.lines.all())
    if shipment.status == Shipment.Status.PICKING and all(
        line.picked >= line.quantity for line in lines
    ):
        shipment.finish_picking()
        save_shipment(shipment)


def _pick_done(*, wave: Wave, user, code: str) -> ScanAnswer:
    plist = selectors.pick_list(wave)
    if plist.next_row is not None:
        row = plist.next_row
        raise Conflict(
            f"{wave} is not finished: {plist.lines_total - plist.lines_done} line(s) left, "
            f"next {row.left} {TIMES} {row.product.name} in {row.location.code}. Scan CMD-SHORT "
            "if they are not there.",
            field="code",
            code="not_done",
        )
    message = f"{wave} is picked: take the totes to the pack bench."
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PICK,
        code=code,
        accepted=True,
        message=message,
        wave=wave,
    )
    return ScanAnswer(OK, message, event)


def _last_pick(*, wave: Wave, user) -> ScanEvent | None:
    return (
        ScanEvent.objects.filter(
            wave=wave,
            user=user,
            screen=ScanEvent.Screen.PICK,
            action__in=[ScanEvent.Action.PICK, ScanEvent.Action.SHORT],
            result=ScanEvent.Result.ACCEPTED,
            undone_by__isnull=True,
        )
        .select_related("product")
        .order_by("-created_at", "-pk")
        .first()
    )


def _pick_undo(*, wave: Wave, user, code: str) -> ScanAnswer:
    target = _last_pick(wave=wave, user=user)
    if target is None:
        raise Conflict(
            "Nothing to undo: none of your picks on this wave is left to take back.",
            field="code",
            code="nothing_to_undo",
        )
    if target.action == ScanEvent.Action.SHORT:
        raise Conflict(
            "Your last scan was a short pick: it cannot be undone here (the stock went back to "
            "the order). Ask the office to allocate it again.",
            field="code",
            code="short_undo",
        )
    pairs = {int(line_id): int(quantity) for line_id, quantity in target.data.get("lines", [])}
    _, shipments, lines = _lock_lines(list(pairs))
    for line in lines:
        take = pairs[line.pk]
        if line.picked - take < line.packed:
            raise Conflict(
                f"Already packed: {line.product.name} for {line.shipment} is in a parcel. "
                "Undo it at the pack bench first.",
                field="code",
                code="already_packed",
            )
        if line.shipment.status not in (Shipment.Status.PICKING, Shipment.Status.PICKED):
            raise Conflict(
                f"Shipment {line.shipment} is {line.shipment.get_status_display().lower()}: "
                "its picks can no longer be undone.",
                field="code",
                code="not_picking",
            )
        line.picked -= take
    ShipmentLine.objects.bulk_update(lines, ["picked"])
    for shipment in shipments.values():
        if shipment.status == Shipment.Status.PICKED:
            shipment.reopen_picking()
            save_shipment(shipment)
    if can_proceed(wave.reopen):
        wave.reopen()
        wave.save()
    message = (
        f"Undone: {target.quantity} {TIMES} {target.product.name} taken off the totes; put "
        "them back in the bin."
    )
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PICK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.UNDO,
        wave=wave,
        product=target.product,
        location_id=target.location_id,
        quantity=-target.quantity,
        undoes=target,
    )
    return ScanAnswer(OK, message, event)


@scan_service(ScanEvent.Screen.PICK)
def pick_short(
    *, user, code: str = "CMD-SHORT", wave_id, quantity=None, product_id=None
) -> ScanAnswer:
    """Record that the current bin holds fewer than the pick list says (the CMD-SHORT scan)."""
    check_perm(user, PICK_PERM, PICK_REFUSED)
    return _pick_short(
        wave=_wave(wave_id), user=user, code=code, quantity=quantity, product_id=product_id
    )


def _pick_short(*, wave: Wave, user, code: str, quantity=None, product_id=None) -> ScanAnswer:
    """Give the missing units back to their orders and look for them in another bin.

    The missing units' allocation in this bin is released; the same warehouse
    is searched for the product in other bins (walking order), and what is
    found there is added to the shipment as a new line to pick. What is not
    found is backordered on the order line. Tote order decides who waits:
    the last tote loses its units first.
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
    orders, shipments, lines = _lock_lines(row.line_ids)
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
    inventory_services.stock_release(product=product, location=current, quantity=missing)

    elsewhere_found = [tuple(pair) for pair in elsewhere]
    allocations = {
        (a.line_id, a.location_id): a
        for a in LineAllocation.objects.select_for_update(of=("self",)).filter(
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
    _finish_wave_if_done(wave)
    found_total = missing - backordered_total
    parts = [f"Short {missing} {TIMES} {product.name} in {current.code}."]
    if found_total:
        where = ", ".join(sorted({locations[pk].code for pk, _ in elsewhere}))
        parts.append(f"{found_total} found in {where}: pick them there.")
    if backordered_total:
        parts.append(f"{backordered_total} backordered on the order.")
    parts.append(f"Count bin {current.code} when you can.")
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
    _finish_picking_if_done(shipment)
