"""The receive screen: scan a bin, then the goods that go into it; undo the last receipt.

When the screen's reference is a purchase order (a scanned ``PO-000123``
barcode, or typed), goods are received against it: only products on the
order are taken, and each receipt adds to its line's received quantity. A
reference that is no known purchase order (a delivery note) receives plain
stock. Every scan is logged (``inventory.services.scanlog``); the screen's
bin, reference and quantity field are read back from the log.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from django.utils import timezone

from inventory import selectors
from inventory.models import Location, Product, PurchaseOrder, StockScan
from inventory.services.purchase_receipts import (
    purchase_order_receipt_undo,
    purchase_order_receive,
)
from inventory.services.scanlog import (
    BUTTON,
    KEEP,
    RECEIVE,
    quantity_field,
    reference_field,
    refuse_elsewhere,
    refuse_unknown,
    refused_state,
    scan_row,
    typed_quantity,
)
from inventory.services.stock import stock_receive
from oms.errors import Conflict, InvalidInput
from oms.scanlog import INFO, OK, TIMES, WARN, ScanAnswer, entry_kind, scan_service
from oms.scanning import Command, DocumentType, Scan, ScanKind, recognise
from oms.services import require_perm

Action = StockScan.Action
RECEIVE_REFUSED = "Only warehouse staff and managers receive stock."


def _refused(*, error, user, code: str = "", reference=None, quantity=KEEP, entry=BUTTON, **_):
    before = selectors.scan_screen_state(user=user, screen=RECEIVE)
    return scan_row(
        user=user,
        screen=RECEIVE,
        scan=recognise(code),
        entry=entry_kind(entry) if entry != BUTTON else BUTTON,
        state=refused_state(before, reference=reference, quantity=quantity),
    )


@scan_service(refused=_refused)
def receive_scan(
    *, user, code: str = "", reference: str | None = None, quantity=None, entry: str = ""
) -> ScanAnswer:
    """Answer one scan on the receive screen: set the bin or the reference, receive, or a command.

    ``reference`` and ``quantity`` are what the screen's fields hold (None
    when not sent). A product before any bin, an unknown code, a closed bin,
    a product not on the purchase order, and anything the receive screen has
    no use for are refused, and nothing but the refusal is logged.
    """
    require_perm(user, "inventory.receive_stock", RECEIVE_REFUSED)
    before = selectors.scan_screen_state(user=user, screen=RECEIVE)
    typed_reference = reference_field(reference)
    state = replace(
        before,
        reference=before.reference if typed_reference is None else typed_reference,
        quantity_field=quantity_field(quantity),
    )
    scan = recognise(code)
    row = partial(scan_row, user=user, screen=RECEIVE, scan=scan, entry=entry_kind(entry))
    if scan.kind is ScanKind.EMPTY:
        if typed_reference is not None and typed_reference != before.reference:
            message = f"Reference set to {state.reference or 'none'}. Scan a bin, then the goods."
        else:
            message = "Scan a bin label, then the goods."
        return ScanAnswer(INFO, message, row(state=state))
    if scan.kind is ScanKind.INVALID:
        raise InvalidInput(scan.error, field="code", code="unreadable")
    if scan.kind is ScanKind.COMMAND and scan.command is Command.UNDO:
        return _undo(user=user, row=row, state=state)
    if scan.kind is ScanKind.COMMAND and scan.command is Command.DONE:
        return ScanAnswer(
            OK,
            "Receiving finished: bin and reference cleared.",
            row(state=selectors.ScreenState(), action=Action.DONE),
        )
    if scan.kind is ScanKind.DOCUMENT and scan.document_type is DocumentType.PURCHASE_ORDER:
        return _purchase_order_scan(scan=scan, row=row, state=state)
    if scan.kind not in (ScanKind.BIN, ScanKind.PRODUCT):
        raise refuse_elsewhere(scan, "receive")
    location, product = selectors.find_scanned(scan, current=state.location)
    if location is not None:
        if not location.is_active:
            raise Conflict(
                f"Bin {location.code} is closed: choose another bin.",
                field="code",
                code="inactive_location",
            )
        return ScanAnswer(
            OK,
            f"Bin {location.code} ({location.warehouse.code}): now scan the goods.",
            row(state=replace(state, location=location), action=Action.BIN),
        )
    if product is None:
        raise refuse_unknown(scan)
    return _receive(
        user=user,
        scan=scan,
        product=product,
        row=row,
        state=state,
        entry=entry,
        typed=typed_quantity(quantity),
    )


@scan_service(refused=_refused)
def receive_undo(*, user) -> ScanAnswer:
    """Take back the user's last receipt on the receive screen (button, F2 or CMD-UNDO)."""
    require_perm(user, "inventory.receive_stock", RECEIVE_REFUSED)
    row = partial(scan_row, user=user, screen=RECEIVE, scan=recognise(""), entry=BUTTON)
    return _undo(user=user, row=row, state=selectors.scan_screen_state(user=user, screen=RECEIVE))


def _progress(purchase_order: PurchaseOrder) -> str:
    received = sum(line.quantity_received for line in purchase_order.lines.all())
    ordered = sum(line.quantity_ordered for line in purchase_order.lines.all())
    return f"{received} of {ordered} received"


def _purchase_order_scan(*, scan: Scan, row, state) -> ScanAnswer:
    """Make a scanned purchase order the reference, unless nothing can be received on it."""
    purchase_order = selectors.purchase_order_by_number(scan.value)
    if purchase_order is None:
        return ScanAnswer(
            OK,
            f"Reference set to {scan.value}.",
            row(state=replace(state, reference=scan.value), action=Action.REFERENCE),
        )
    if purchase_order.is_drop_ship:
        raise Conflict(
            f"{purchase_order} is a drop-ship order: the supplier ships it straight to the "
            "customer, nothing arrives here.",
            field="code",
            code="drop_ship",
        )
    if purchase_order.status not in PurchaseOrder.RECEIVABLE:
        status = purchase_order.get_status_display().lower()
        hint = (
            "it has not been sent to the supplier yet."
            if purchase_order.status == PurchaseOrder.Status.DRAFT
            else "nothing more can be received against it."
        )
        raise Conflict(f"{purchase_order} is {status}: {hint}", field="code", code="not_receivable")
    return ScanAnswer(
        OK,
        f"Receiving {purchase_order} from {purchase_order.supplier.name} "
        f"({_progress(purchase_order)}): scan a bin, then the goods.",
        row(
            state=replace(state, reference=purchase_order.number),
            action=Action.REFERENCE,
            purchase_order=purchase_order,
        ),
    )


def _note(scan: Scan, entry: str) -> str:
    """Describe batch, expiry and serial from a GS1 code, and a typed entry, for the ledger."""
    parts = []
    if scan.batch:
        parts.append(f"batch {scan.batch}")
    if scan.expiry:
        parts.append(f"use by {scan.expiry:%Y-%m-%d}")
    if scan.serial:
        parts.append(f"serial {scan.serial}")
    if entry_kind(entry) == StockScan.Entry.TYPED:
        parts.append("code typed by hand")
    return ", ".join(parts)


def _answer(scan: Scan, message: str, row) -> ScanAnswer:
    """Accept a receipt, in amber when the goods' use-by date has passed."""
    if scan.expiry and scan.expiry < timezone.localdate():
        return ScanAnswer(
            WARN, f"{message}. Look: its use-by date {scan.expiry:%d %b %Y} has passed.", row
        )
    return ScanAnswer(OK, message, row)


def _receive(
    *, user, scan: Scan, product: Product, row, state, entry: str, typed: str
) -> ScanAnswer:
    location: Location | None = state.location
    if location is None:
        raise InvalidInput(
            f"No bin yet: scan the bin label first, then {product.name}.",
            field="code",
            code="no_bin",
        )
    quantity = scan.quantity if scan.quantity is not None else typed
    after = replace(state, quantity_field="1")
    purchase_order = selectors.purchase_order_for_reference(state.reference)
    if purchase_order is None:
        movement = stock_receive(
            product=product,
            location=location,
            quantity=quantity,
            user=user,
            reference=state.reference,
            reason=_note(scan, entry),
        )
        message = (
            f"Received {movement.quantity} {TIMES} {product.name} into {location.code} "
            f"(now {movement.on_hand_after})"
        )
        return _answer(
            scan,
            message,
            row(
                state=after,
                action=Action.RECEIVE,
                product=product,
                movement=movement,
                quantity=movement.quantity,
            ),
        )
    line = next(
        (line for line in purchase_order.lines.all() if line.product_id == product.pk), None
    )
    if line is None:
        raise Conflict(
            f"Not on {purchase_order}: {product.name} ({product.sku}). Put it aside and tell "
            "the office.",
            field="code",
            code="not_on_purchase_order",
        )
    [movement] = purchase_order_receive(
        purchase_order_id=purchase_order.pk,
        lines=[(product, quantity, location)],
        user=user,
        reason=_note(scan, entry),
    )
    line.refresh_from_db(fields=["quantity_received"])
    message = (
        f"Received {movement.quantity} {TIMES} {product.name} into {location.code} "
        f"(now {movement.on_hand_after}). {purchase_order}: {line.quantity_received} of "
        f"{line.quantity_ordered} received"
    )
    if line.quantity_open == 0:
        message += ", line complete"
    if not (scan.expiry and scan.expiry < timezone.localdate()):
        message += "."
    return _answer(
        scan,
        message,
        row(
            state=after,
            action=Action.RECEIVE,
            product=product,
            movement=movement,
            purchase_order=purchase_order,
            quantity=movement.quantity,
        ),
    )


def _undo(*, user, row, state) -> ScanAnswer:
    target = selectors.receive_undo_target(user=user)
    if target is None:
        raise Conflict(
            "Nothing to undo: none of your last receipts is left to take back.",
            field="code",
            code="nothing_to_undo",
        )
    receipt = target.movement
    reversal = purchase_order_receipt_undo(movement=receipt, user=user)
    return ScanAnswer(
        OK,
        f"Undone: {receipt.quantity} {TIMES} {target.product.name} taken back out of "
        f"{receipt.location.code} (now {reversal.on_hand_after}).",
        row(
            state=state,
            action=Action.UNDO,
            undoes=target,
            movement=reversal,
            product=target.product,
            purchase_order=target.purchase_order,
            quantity=-receipt.quantity,
        ),
    )
