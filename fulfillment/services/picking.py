"""The pick screen: scan bins and products, in walking order; check the wave is done; undo."""

from __future__ import annotations

from django_fsm import can_proceed

from fulfillment import selectors
from fulfillment.models import ScanEvent, Shipment, ShipmentLine, Wave
from fulfillment.services.base import (
    OK,
    PICK_PERM,
    PICK_REFUSED,
    TIMES,
    WARN,
    ScanAnswer,
    check_perm,
    find_scanned,
    finish_picking_if_done,
    lock_lines,
    log_scan,
    refuse_scan,
    save_shipment,
    scan_quantity,
    scan_service,
)
from fulfillment.services.shorts import short_pick
from fulfillment.services.waves import finish_wave_if_done, get_wave
from fulfillment.totes import tote_label
from inventory.models import Location, Product
from oms.errors import Conflict, InvalidInput, NotFound
from oms.scanning import Command, ScanKind, recognise
from orders import services as order_services


@scan_service(ScanEvent.Screen.PICK)
def pick_scan(*, user, code: str = "", wave_id, quantity=None) -> ScanAnswer:
    """Answer one scan on the pick screen: a bin, a product (with a quantity) or a command.

    A wrong bin, a wrong product or an over-pick is refused in plain words and
    nothing but the refusal is logged. CMD-SHORT records a short pick,
    CMD-UNDO takes the last pick back, CMD-DONE checks the wave is finished.
    """
    check_perm(user, PICK_PERM, PICK_REFUSED)
    wave = get_wave(wave_id)
    scan = recognise(code)
    if scan.kind is ScanKind.COMMAND:
        if scan.command is Command.UNDO:
            return _pick_undo(wave=wave, user=user, code=code)
        if scan.command is Command.SHORT:
            return short_pick(wave=wave, user=user, code=code, quantity=quantity)
        if scan.command is Command.DONE:
            return _pick_done(wave=wave, user=user, code=code)
    if scan.kind not in (ScanKind.BIN, ScanKind.PRODUCT):
        refuse_scan(scan, "pick")
    plist = selectors.pick_list(wave)
    next_row = plist.next_row
    if next_row is None:
        raise Conflict(
            f"Everything on {wave} is picked: take the totes to the pack bench.",
            field="code",
            code="wave_done",
        )
    location, product = find_scanned(scan, warehouse=next_row.location.warehouse)
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
        quantity=scan_quantity(scan, quantity),
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
    _orders, shipments, lines = lock_lines(row.line_ids)
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
            order_services.order_start_processing(
                order=shipment.order, user=user, note=f"Picking started on {shipment}"
            )
        finish_picking_if_done(shipment)
    if can_proceed(wave.start):
        wave.start()
        wave.save()
    wave_done = finish_wave_if_done(wave)
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
            "Your last scan was a short pick: it cannot be undone here (the missing units were "
            "written off). Count the bin: what is found there is booked back in.",
            field="code",
            code="short_undo",
        )
    pairs = {int(line_id): int(quantity) for line_id, quantity in target.data.get("lines", [])}
    _, shipments, lines = lock_lines(list(pairs))
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
