"""The pack bench: open a shipment, scan every item into a parcel, undo.

Closing parcels is ``fulfillment.services.parcels``.
"""

from __future__ import annotations

import re

from fulfillment.models import Parcel, ParcelItem, ScanEvent, Shipment, ShipmentLine
from fulfillment.services.base import (
    OK,
    TIMES,
    ScanAnswer,
    check_perm,
    find_scanned,
    log_scan,
    refuse_scan,
    save_shipment,
    scan_quantity,
    scan_service,
)
from fulfillment.services.parcels import (
    PACK_PERM,
    PACK_REFUSED,
    check_packable,
    close_parcel,
    lock_for_packing,
    open_parcel,
)
from oms.errors import Conflict, InvalidInput, NotFound
from oms.locks import lock_rows
from oms.scanning import Command, DocumentType, ScanKind, recognise
from orders.models import Order

_SHIPMENT_NUMBER = re.compile(r"^SH-\d{1,12}$")


def _progress(shipment: Shipment) -> tuple[int, int]:
    lines = list(shipment.lines.all())
    return sum(line.packed for line in lines), sum(line.quantity for line in lines)


@scan_service(ScanEvent.Screen.PACK)
def pack_scan(
    *, user, code: str = "", shipment_id=None, quantity=None, package_type_id=None
) -> ScanAnswer:
    """Answer one scan at the pack bench: a shipment or order, an item, or a command.

    An item not on the shipment, beyond its quantity, or not picked yet is
    refused and nothing but the refusal is logged. CMD-NEW-PARCEL (and
    CMD-DONE) close the open parcel with the chosen package type and the
    suggested weight; CMD-UNDO takes the last pack or close back.
    """
    check_perm(user, PACK_PERM, PACK_REFUSED)
    text = (code or "").strip().upper()
    if _SHIPMENT_NUMBER.match(text):
        return _open(user=user, code=code, shipment=Shipment.objects.filter(number=text).first())
    scan = recognise(code)
    if scan.kind is ScanKind.DOCUMENT and scan.document_type is DocumentType.ORDER:
        return _open_order(user=user, code=code, number=scan.value)
    if scan.kind is ScanKind.COMMAND and scan.command in (
        Command.UNDO,
        Command.NEW_PARCEL,
        Command.DONE,
    ):
        if shipment_id is None:
            raise InvalidInput(
                "Scan the shipment or order barcode first.", field="code", code="no_shipment"
            )
        shipment = lock_for_packing(shipment_id)
        if scan.command is Command.UNDO:
            return _undo(user=user, code=code, shipment=shipment)
        return close_parcel(
            user=user,
            code=code,
            shipment=shipment,
            package_type_id=package_type_id,
            weight_grams=None,
            quiet_if_none=True,
        )
    if scan.kind not in (ScanKind.BIN, ScanKind.PRODUCT):
        refuse_scan(scan, "pack")
    if shipment_id is None:
        raise InvalidInput(
            "Scan the shipment or order barcode first (on the packing slip), then the items.",
            field="code",
            code="no_shipment",
        )
    _, product = find_scanned(scan)
    if product is None:
        raise NotFound(
            f"Unknown code {scan.display}: no product has it. Put the item aside and tell the "
            "office.",
            field="code",
            code="unknown_code",
        )
    shipment = lock_for_packing(shipment_id)
    return _pack(
        user=user,
        code=code,
        shipment=shipment,
        product=product,
        quantity=scan_quantity(scan, quantity),
    )


def _open(*, user, code: str, shipment: Shipment | None) -> ScanAnswer:
    if shipment is None:
        raise NotFound(
            f"Unknown shipment {code.strip()}: check the label.", field="code", code="unknown"
        )
    shipment = lock_for_packing(shipment.pk)
    check_packable(shipment)
    packed, total = _progress(shipment)
    if shipment.status == Shipment.Status.PACKED:
        message = f"{shipment} for {shipment.order} is packed: ship it."
    else:
        message = (
            f"Packing {shipment} for {shipment.order} ({packed} of {total} items packed): "
            "scan every item."
        )
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PACK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.SHIPMENT,
        shipment=shipment,
    )
    return ScanAnswer(OK, message, event)


def _open_order(*, user, code: str, number: str) -> ScanAnswer:
    order = Order.objects.filter(number=number).first()
    if order is None:
        raise NotFound(f"Unknown order {number}: check the label.", field="code", code="unknown")
    candidates = list(
        order.shipments.filter(
            status__in=[Shipment.Status.PICKING, Shipment.Status.PICKED, Shipment.Status.PACKED]
        ).order_by("pk")
    )
    if not candidates:
        raise Conflict(
            f"Order {order} has no shipment ready to pack: pick it first.",
            field="code",
            code="nothing_to_pack",
        )
    preferred = next((s for s in candidates if s.status != Shipment.Status.PACKED), candidates[0])
    return _open(user=user, code=code, shipment=preferred)


def _pack(*, user, code: str, shipment: Shipment, product, quantity: int) -> ScanAnswer:
    check_packable(shipment)
    lines = [
        line
        for line in lock_rows(shipment.lines.all())
        if line.product_id == product.pk and line.quantity > 0
    ]
    if not lines:
        raise Conflict(
            f"Not on this order: {product.name} is not on {shipment.order}. Put it aside.",
            field="code",
            code="not_on_shipment",
        )
    total = sum(line.quantity for line in lines)
    picked = sum(line.picked for line in lines)
    packed = sum(line.packed for line in lines)
    if quantity > total - packed:
        more = f"; only {total - packed} more go in" if total > packed else ""
        raise Conflict(
            f"Not on this order: {product.name} {TIMES}{packed} is already packed{more}.",
            field="code",
            code="already_packed",
        )
    if quantity > picked - packed:
        if picked == packed:
            message = (
                f"Not picked yet: {product.name} has not been picked for {shipment}. Pick it "
                "before packing."
            )
        else:
            message = (
                f"Not picked yet: only {picked - packed} {TIMES} {product.name} picked and not "
                f"packed on {shipment}."
            )
        raise Conflict(message, field="code", code="not_picked")
    parcel = open_parcel(shipment, create=True)
    remaining = quantity
    split = []
    for line in lines:
        take = min(line.to_pack, remaining)
        if take <= 0:
            continue
        line.packed += take
        remaining -= take
        split.append((line, take))
        item, _ = ParcelItem.objects.get_or_create(parcel=parcel, shipment_line=line)
        item.quantity += take
        item.save(update_fields=["quantity"])
        if remaining == 0:
            break
    ShipmentLine.objects.bulk_update([line for line, _ in split], ["packed"])
    shipment.version += 1
    shipment.save(update_fields=["version", "updated_at"])
    done, all_units = _progress(shipment)
    message = (
        f"Packed {quantity} {TIMES} {product.name} into parcel {parcel.number} "
        f"({done} of {all_units} items packed)."
    )
    if done == all_units:
        message += " Everything is in: choose the box and close the parcel (CMD-DONE)."
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PACK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.PACK,
        shipment=shipment,
        product=product,
        quantity=quantity,
        data={"parcel": parcel.pk, "lines": [[line.pk, take] for line, take in split]},
    )
    return ScanAnswer(OK, message, event)


def _undo(*, user, code: str, shipment: Shipment) -> ScanAnswer:
    target = (
        ScanEvent.objects.filter(
            shipment=shipment,
            user=user,
            screen=ScanEvent.Screen.PACK,
            action__in=[ScanEvent.Action.PACK, ScanEvent.Action.CLOSE_PARCEL],
            result=ScanEvent.Result.ACCEPTED,
            undone_by__isnull=True,
        )
        .select_related("product")
        .order_by("-created_at", "-pk")
        .first()
    )
    if target is None:
        raise Conflict(
            f"Nothing to undo: none of your scans on {shipment} is left to take back.",
            field="code",
            code="nothing_to_undo",
        )
    check_packable(shipment)
    parcel = Parcel.objects.get(pk=target.data["parcel"])
    if target.action == ScanEvent.Action.CLOSE_PARCEL:
        if open_parcel(shipment, create=False) is not None:
            raise Conflict(
                "Another parcel is open: undo its items first.", field="code", code="open_parcel"
            )
        parcel.closed_at = None
        parcel.save(update_fields=["closed_at"])
        if shipment.status == Shipment.Status.PACKED:
            shipment.reopen_packing()
            save_shipment(shipment)
        message = f"Undone: parcel {parcel.number} is open again."
    else:
        if not parcel.is_open:
            raise Conflict(
                f"Parcel {parcel.number} is closed: undo the close first.",
                field="code",
                code="parcel_closed",
            )
        pairs = {int(line_id): int(q) for line_id, q in target.data.get("lines", [])}
        lines = lock_rows(ShipmentLine.objects.all(), pairs)
        for line in lines:
            line.packed -= pairs[line.pk]
            item = ParcelItem.objects.get(parcel=parcel, shipment_line=line)
            item.quantity -= pairs[line.pk]
            item.save(update_fields=["quantity"])
        ShipmentLine.objects.bulk_update(lines, ["packed"])
        message = (
            f"Undone: {target.quantity} {TIMES} {target.product.name} taken out of parcel "
            f"{parcel.number}."
        )
    event = log_scan(
        user=user,
        screen=ScanEvent.Screen.PACK,
        code=code,
        accepted=True,
        message=message,
        action=ScanEvent.Action.UNDO,
        shipment=shipment,
        product=target.product,
        quantity=-target.quantity,
        undoes=target,
    )
    return ScanAnswer(OK, message, event)
