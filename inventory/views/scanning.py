"""Warehouse scan screens: receive goods into bins, and count bins, with a barcode scanner.

Each scan is a POST answered at once. With htmx the answer is a partial
that replaces the screen's panel (always status 200: the verdict is in the
``data-scan-status`` attribute); without JavaScript the POST redirects back
to the page (post/redirect/get). What the screen needs to resume after a
reload or a dropped connection (current bin, reference, count tally, the
last answer) lives in the session; every accepted receipt is saved at once.

When the receive screen's reference is a purchase order (scanned PO-000123
barcode or typed), goods are received against it: only products on the order
are taken, each receipt adds to the line's received quantity, and the screen
shows "3 of 10 received" per line. A reference that is not a known purchase
order (a delivery note, an unknown number) receives plain stock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.shortcuts import redirect, render
from django.utils import timezone

from inventory import selectors, services
from inventory.models import Location, Product, PurchaseOrder, StockMovement
from oms.access import staff_view
from oms.errors import DomainError, InvalidInput
from oms.scanning import Command, DocumentType, Scan, ScanKind, recognise
from oms.services import id_or_none, whole_number

logger = logging.getLogger("oms.scanning")

RECEIVE_KEY = "scan_receive"
COUNT_KEY = "scan_count"
HISTORY_SIZE = 10
BINS_TO_COUNT = 20  # shown on the count screen; the rest follow as those are counted
TIMES = "\u00d7"

OK, WARN, ERROR, INFO = "ok", "warn", "error", "info"


@dataclass
class Answer:
    """The verdict on one scan, shown large until the next scan."""

    status: str
    message: str
    code: str = ""


def _screen(perm: str, *, post: bool = False) -> Callable:
    """Guard a scan view: log in first, then the permission (403), then the method."""

    return staff_view(perm, post=post)


def _state(request, key: str, default: dict) -> dict:
    state = dict(default)
    state.update(request.session.get(key) or {})
    return state


def _save(request, key: str, state: dict) -> None:
    request.session[key] = state


def _entry(request) -> str:
    return "scan" if request.POST.get("entry") == "scan" else "typed"


def _log(request, screen: str, code: str, answer: Answer) -> None:
    logger.info(
        "%s scan by %s: code=%r entry=%s status=%s message=%s",
        screen,
        request.user.username,
        code,
        _entry(request),
        answer.status,
        answer.message,
    )


def _answer_from_session(state: dict) -> Answer | None:
    data = state.get("answer")
    return Answer(**data) if data else None


# --- what was scanned -------------------------------------------------------------------------


def _resolve(scan: Scan, *, current: Location | None) -> tuple[Location | None, Product | None]:
    """Look a bin or product scan up; an ambiguous bare code is tried both ways."""
    warehouse = current.warehouse if current else None

    def find_bin() -> Location | None:
        location = selectors.location_find_by_code(scan.value, warehouse=warehouse)
        if location is None and scan.warehouse_code:
            try:
                label_warehouse = selectors.warehouse_get(scan.warehouse_code)
            except DomainError:
                return None
            location = selectors.location_find_by_code(scan.bin_code, warehouse=label_warehouse)
        if location is None and warehouse is not None and not scan.warehouse_code:
            location = selectors.location_find_by_code(scan.value)
        return location

    if scan.kind is ScanKind.BIN:
        location = find_bin()
        if location is None and scan.ambiguous:
            return None, selectors.product_find_by_code(scan.value)
        return location, None
    product = selectors.product_find_by_code(scan.value)
    if product is None and scan.ambiguous:
        return find_bin(), None
    return None, product


def _unknown(scan: Scan) -> Answer:
    if scan.kind is ScanKind.BIN and not scan.ambiguous:
        return Answer(
            ERROR,
            f"Unknown bin {scan.value}: no bin has this label. Check the label, or ask the office.",
            scan.display,
        )
    return Answer(
        ERROR,
        f"Unknown code {scan.display}: no product or bin has it. Put the item aside and "
        "tell the office.",
        scan.display,
    )


def _not_here(scan: Scan, screen: str) -> Answer:
    if scan.kind is ScanKind.SSCC:
        return Answer(
            ERROR,
            f"That is a parcel or pallet label ({scan.value}), not a product. Scan the "
            "product's own barcode.",
            scan.display,
        )
    if scan.kind is ScanKind.COMMAND:
        return Answer(ERROR, f"{scan.value} is not used on the {screen} screen.", scan.display)
    return Answer(
        ERROR,
        f"{scan.value} is a document number, not a bin or a product.",
        scan.display,
    )


def _scan_note(scan: Scan, request) -> str:
    """Describe batch, expiry and serial from a GS1 code, and a typed entry, for the ledger."""
    parts = []
    if scan.batch:
        parts.append(f"batch {scan.batch}")
    if scan.expiry:
        parts.append(f"use by {scan.expiry:%Y-%m-%d}")
    if scan.serial:
        parts.append(f"serial {scan.serial}")
    if _entry(request) == "typed":
        parts.append("code typed by hand")
    return ", ".join(parts)


# --- receive ----------------------------------------------------------------------------------

RECEIVE_DEFAULT = {"location_id": None, "reference": "", "quantity": "1", "answer": None}


def _receive_context(request, state: dict, location: Location | None, **extra) -> dict:
    history = selectors.receive_history(user=request.user, limit=HISTORY_SIZE)
    undo_target = next(
        (row for row in history if row.kind == StockMovement.Kind.RECEIPT and not row.undone),
        None,
    )
    return {
        "location": location,
        "reference": state["reference"],
        "purchase_order": _purchase_order(state["reference"]),
        "quantity": state["quantity"],
        "answer": _answer_from_session(state),
        "history": history,
        "undo_target": undo_target,
        "times": TIMES,
        **extra,
    }


def _receive_respond(request, state: dict, location: Location | None, **flags):
    _save(request, RECEIVE_KEY, state)
    if not request.htmx:
        return redirect("inventory:receive")
    context = _receive_context(request, state, location, oob=True, **flags)
    return render(request, "inventory/_scan_receive_panel.html", context)


@_screen("inventory.receive_stock")
def receive(request):
    """Show the receive screen: one scan field, the current bin, the last receipts."""
    state = _state(request, RECEIVE_KEY, RECEIVE_DEFAULT)
    location = selectors.location_by_id(state["location_id"])
    return render(request, "inventory/receive.html", _receive_context(request, state, location))


@_screen("inventory.receive_stock", post=True)
def receive_scan(request):
    """Answer one scan on the receive screen: set the bin, receive goods, or run a command."""
    state = _state(request, RECEIVE_KEY, RECEIVE_DEFAULT)
    location = selectors.location_by_id(state["location_id"])
    posted_reference = request.POST.get("reference")
    reference_typed = (
        posted_reference is not None and posted_reference.strip()[:100] != (state["reference"])
    )
    if posted_reference is not None:
        state["reference"] = posted_reference.strip()[:100]
    state["quantity"] = (request.POST.get("quantity") or "1").strip() or "1"
    code = request.POST.get("code", "")
    scan = recognise(code)
    flags = {"reset_quantity": False, "reference_changed": False}

    if scan.kind is ScanKind.EMPTY:
        if reference_typed:
            text = state["reference"] or "none"
            answer = Answer(INFO, f"Reference set to {text}. Scan a bin, then the goods.")
        else:
            answer = Answer(INFO, "Scan a bin label, then the goods.")
    elif scan.kind is ScanKind.INVALID:
        answer = Answer(ERROR, scan.error, scan.raw.strip())
    elif scan.kind is ScanKind.COMMAND and scan.command is Command.UNDO:
        answer = _receive_undo(request)
    elif scan.kind is ScanKind.COMMAND and scan.command is Command.DONE:
        state.update(location_id=None, reference="", quantity="1")
        location = None
        flags.update(reset_quantity=True, reference_changed=True)
        answer = Answer(OK, "Receiving finished: bin and reference cleared.", scan.value)
    elif scan.kind is ScanKind.DOCUMENT and scan.document_type is DocumentType.PURCHASE_ORDER:
        answer = _receive_po_scan(state, scan)
        flags["reference_changed"] = answer.status != ERROR
    elif scan.kind in {ScanKind.BIN, ScanKind.PRODUCT}:
        found_bin, product = _resolve(scan, current=location)
        if found_bin is not None:
            if not found_bin.is_active:
                answer = Answer(
                    ERROR, f"Bin {found_bin.code} is closed: choose another bin.", scan.display
                )
            else:
                location = found_bin
                state["location_id"] = found_bin.pk
                answer = Answer(
                    OK,
                    f"Bin {found_bin.code} ({found_bin.warehouse.code}): now scan the goods.",
                    scan.display,
                )
        elif product is not None:
            answer = _receive_product(request, state, scan, product, location)
            flags["reset_quantity"] = answer.status != ERROR
        else:
            answer = _unknown(scan)
    else:
        answer = _not_here(scan, "receive")

    if flags["reset_quantity"]:
        state["quantity"] = "1"
    state["answer"] = asdict(answer)
    _log(request, "receive", code, answer)
    return _receive_respond(request, state, location, **flags)


def _receive_product(
    request, state: dict, scan: Scan, product: Product, location: Location | None
) -> Answer:
    if location is None:
        return Answer(
            ERROR,
            f"No bin yet: scan the bin label first, then {product.name}.",
            scan.display,
        )
    quantity = scan.quantity if scan.quantity is not None else state["quantity"]
    purchase_order = _purchase_order(state["reference"])
    if purchase_order is not None:
        return _receive_against_po(request, purchase_order, scan, product, location, quantity)
    try:
        movement = services.stock_receive(
            product=product,
            location=location,
            quantity=quantity,
            user=request.user,
            reference=state["reference"],
            reason=_scan_note(scan, request),
        )
    except DomainError as error:
        return Answer(ERROR, error.message, scan.display)
    message = (
        f"Received {movement.quantity} {TIMES} {product.name} into {location.code} "
        f"(now {movement.on_hand_after})"
    )
    if scan.expiry and scan.expiry < timezone.localdate():
        return Answer(
            WARN,
            f"{message}. Look: its use-by date {scan.expiry:%d %b %Y} has passed.",
            scan.display,
        )
    return Answer(OK, message, scan.display)


def _purchase_order(reference: str) -> PurchaseOrder | None:
    """Return the purchase order a receive reference names, with its lines, or None."""
    scan = recognise(reference or "")
    if scan.kind is not ScanKind.DOCUMENT or scan.document_type is not DocumentType.PURCHASE_ORDER:
        return None
    return selectors.purchase_order_by_number(scan.value)


def _progress(purchase_order: PurchaseOrder) -> str:
    received = sum(line.quantity_received for line in purchase_order.lines.all())
    ordered = sum(line.quantity_ordered for line in purchase_order.lines.all())
    return f"{received} of {ordered} received"


def _receive_po_scan(state: dict, scan: Scan) -> Answer:
    """Make a scanned purchase order the reference, unless nothing can be received on it."""
    purchase_order = selectors.purchase_order_by_number(scan.value)
    if purchase_order is None:
        state["reference"] = scan.value
        return Answer(OK, f"Reference set to {scan.value}.", scan.value)
    if purchase_order.is_drop_ship:
        return Answer(
            ERROR,
            f"{purchase_order} is a drop-ship order: the supplier ships it straight to the "
            "customer, nothing arrives here.",
            scan.value,
        )
    if purchase_order.status not in PurchaseOrder.RECEIVABLE:
        status = purchase_order.get_status_display().lower()
        hint = (
            "it has not been sent to the supplier yet."
            if purchase_order.status == PurchaseOrder.Status.DRAFT
            else "nothing more can be received against it."
        )
        return Answer(ERROR, f"{purchase_order} is {status}: {hint}", scan.value)
    state["reference"] = purchase_order.number
    return Answer(
        OK,
        f"Receiving {purchase_order} from {purchase_order.supplier.name} "
        f"({_progress(purchase_order)}): scan a bin, then the goods.",
        scan.value,
    )


def _receive_against_po(
    request, purchase_order: PurchaseOrder, scan: Scan, product: Product, location, quantity
) -> Answer:
    """Receive a product against the reference's purchase order; refuse what is not on it."""
    line = next(
        (line for line in purchase_order.lines.all() if line.product_id == product.pk), None
    )
    if line is None:
        return Answer(
            ERROR,
            f"Not on {purchase_order}: {product.name} ({product.sku}). Put it aside and tell "
            "the office.",
            scan.display,
        )
    try:
        [movement] = services.purchase_order_receive(
            purchase_order_id=purchase_order.pk,
            lines=[(product, quantity, location)],
            user=request.user,
            reason=_scan_note(scan, request),
        )
    except DomainError as error:
        return Answer(ERROR, error.message, scan.display)
    line.refresh_from_db(fields=["quantity_received"])
    message = (
        f"Received {movement.quantity} {TIMES} {product.name} into {location.code} "
        f"(now {movement.on_hand_after}). {purchase_order}: {line.quantity_received} of "
        f"{line.quantity_ordered} received"
    )
    if line.quantity_open == 0:
        message += ", line complete"
    if scan.expiry and scan.expiry < timezone.localdate():
        return Answer(
            WARN,
            f"{message}. Look: its use-by date {scan.expiry:%d %b %Y} has passed.",
            scan.display,
        )
    return Answer(OK, message + ".", scan.display)


def _receive_undo(request) -> Answer:
    history = selectors.receive_history(user=request.user, limit=HISTORY_SIZE)
    target = next(
        (row for row in history if row.kind == StockMovement.Kind.RECEIPT and not row.undone),
        None,
    )
    if target is None:
        return Answer(ERROR, "Nothing to undo: none of your last receipts is left to take back.")
    try:
        reversal = services.purchase_order_receipt_undo(movement=target, user=request.user)
    except DomainError as error:
        return Answer(ERROR, error.message)
    return Answer(
        OK,
        f"Undone: {target.quantity} {TIMES} {target.product.name} taken back out of "
        f"{target.location.code} (now {reversal.on_hand_after}).",
    )


@_screen("inventory.receive_stock", post=True)
def receive_undo(request):
    """Take back the user's last receipt (button, F2 or the CMD-UNDO scan)."""
    state = _state(request, RECEIVE_KEY, RECEIVE_DEFAULT)
    answer = _receive_undo(request)
    state["answer"] = asdict(answer)
    _log(request, "receive", "undo", answer)
    location = selectors.location_by_id(state["location_id"])
    return _receive_respond(request, state, location)


# --- count ------------------------------------------------------------------------------------

COUNT_DEFAULT = {
    "location_id": None,
    "scans": [],
    "quantity": "1",
    "answer": None,
    "finished": None,
}


def _tally(scans: list) -> dict[int, int]:
    """Add the scans up per product, in the order each product was first scanned."""
    tally: dict[int, int] = {}
    for product_id, quantity in scans:
        tally[product_id] = tally.get(product_id, 0) + quantity
    return tally


def _count_context(request, state: dict, location: Location | None, **extra) -> dict:
    scans = state["scans"]
    tally = _tally(scans)
    products = selectors.products_by_ids(tally) if tally else {}
    rows = [(products[pk], quantity) for pk, quantity in tally.items() if pk in products]
    recent = [
        (products[pk], quantity)
        for pk, quantity in reversed(scans[-HISTORY_SIZE:])
        if pk in products
    ]
    finished = state["finished"]
    to_count = list(selectors.bins_to_count()[: BINS_TO_COUNT + 1]) if location is None else []
    return {
        "bins_to_count": to_count[:BINS_TO_COUNT],
        "more_to_count": len(to_count) > BINS_TO_COUNT,
        "location": location,
        "tally": rows,
        "items_counted": sum(tally.values()),
        "recent": recent,
        "quantity": state["quantity"],
        "answer": _answer_from_session(state),
        "finished": finished,
        "differences": [line for line in finished["lines"] if line["difference"]]
        if finished
        else [],
        "times": TIMES,
        **extra,
    }


def _count_respond(request, state: dict, location: Location | None, **flags):
    _save(request, COUNT_KEY, state)
    if not request.htmx:
        return redirect("inventory:count")
    context = _count_context(request, state, location, oob=True, **flags)
    return render(request, "inventory/_scan_count_panel.html", context)


@_screen("inventory.count_stock")
def count(request):
    """Show the count screen: scan a bin, scan what is in it, finish the bin."""
    state = _state(request, COUNT_KEY, COUNT_DEFAULT)
    location = selectors.location_by_id(state["location_id"])
    return render(request, "inventory/count.html", _count_context(request, state, location))


@_screen("inventory.count_stock", post=True)
def count_scan(request):
    """Answer one scan on the count screen: start a bin, add to the tally, or run a command."""
    state = _state(request, COUNT_KEY, COUNT_DEFAULT)
    location = selectors.location_by_id(state["location_id"])
    state["quantity"] = (request.POST.get("quantity") or "1").strip() or "1"
    code = request.POST.get("code", "")
    scan = recognise(code)
    reset_quantity = False

    if scan.kind is ScanKind.EMPTY:
        answer = Answer(INFO, "Scan a bin label, then every item in the bin.")
    elif scan.kind is ScanKind.INVALID:
        answer = Answer(ERROR, scan.error, scan.raw.strip())
    elif scan.kind is ScanKind.COMMAND and scan.command is Command.DONE:
        answer, location = _count_finish(request, state, location)
    elif scan.kind is ScanKind.COMMAND and scan.command is Command.UNDO:
        answer = _count_undo(state, location)
    elif scan.kind is ScanKind.COMMAND and scan.command is Command.CANCEL:
        answer, location = _count_discard(state, location)
    elif scan.kind in {ScanKind.BIN, ScanKind.PRODUCT}:
        found_bin, product = _resolve(scan, current=location)
        if found_bin is not None:
            answer, location = _count_bin(state, scan, found_bin, location)
        elif product is not None:
            answer = _count_product(state, scan, product, location)
            reset_quantity = answer.status != ERROR
        else:
            answer = _unknown(scan)
    else:
        answer = _not_here(scan, "count")

    if reset_quantity:
        state["quantity"] = "1"
    state["answer"] = asdict(answer)
    _log(request, "count", code, answer)
    return _count_respond(request, state, location, reset_quantity=reset_quantity)


def _count_bin(
    state: dict, scan: Scan, found: Location, current: Location | None
) -> tuple[Answer, Location | None]:
    if current is not None and found.pk == current.pk:
        return Answer(INFO, f"Already counting bin {found.code}: scan the items.", scan.display), (
            current
        )
    if current is not None and state["scans"]:
        return (
            Answer(
                ERROR,
                f"Finish bin {current.code} first (Finish bin, F4 or CMD-DONE), or undo its scans.",
                scan.display,
            ),
            current,
        )
    if not found.is_active:
        return Answer(ERROR, f"Bin {found.code} is closed: it cannot be counted.", scan.display), (
            current
        )
    state.update(location_id=found.pk, scans=[], finished=None)
    return (
        Answer(
            OK,
            f"Counting bin {found.code} ({found.warehouse.code}): scan every item in it, "
            "then Finish bin.",
            scan.display,
        ),
        found,
    )


def _count_product(state: dict, scan: Scan, product: Product, location: Location | None) -> Answer:
    if location is None:
        return Answer(
            ERROR, f"No bin yet: scan the bin label first, then {product.name}.", scan.display
        )
    try:
        quantity = (
            scan.quantity
            if scan.quantity is not None
            else whole_number(state["quantity"], field="quantity")
        )
    except InvalidInput as error:
        return Answer(ERROR, error.message, scan.display)
    state["scans"] = [*state["scans"], [product.pk, quantity]]
    so_far = _tally(state["scans"])[product.pk]
    return Answer(
        OK,
        f"Counted {quantity} {TIMES} {product.name} ({so_far} so far in {location.code})",
        scan.display,
    )


def _count_undo(state: dict, location: Location | None) -> Answer:
    if not state["scans"]:
        return Answer(ERROR, "Nothing to undo: no item has been counted in this bin yet.")
    *rest, (product_id, quantity) = state["scans"]
    state["scans"] = rest
    product = selectors.products_by_ids([product_id]).get(product_id)
    name = product.name if product else "item"
    left = _tally(rest).get(product_id, 0)
    where = f" in {location.code}" if location else ""
    return Answer(
        OK, f"Undone: {quantity} {TIMES} {name} taken off the count ({left} left{where})."
    )


def _count_discard(state: dict, location: Location | None) -> tuple[Answer, None]:
    had = bool(state["scans"])
    state.update(location_id=None, scans=[], finished=None)
    if location is None:
        return Answer(INFO, "Nothing to discard: scan a bin label to start counting."), None
    if had:
        return Answer(WARN, f"Count of bin {location.code} discarded: nothing was written."), None
    return Answer(INFO, f"Stopped counting bin {location.code}: nothing was written."), None


def _line(line: services.CountLine) -> dict:
    return {
        "product_id": line.product.pk,
        "sku": line.product.sku,
        "name": line.product.name,
        "expected": line.expected,
        "counted": line.counted,
        "difference": line.difference,
        "pending": line.pending is not None,
    }


def _sent_for_approval(lines) -> str:
    """Say how many differences wait for a manager, or nothing when none do."""
    waiting = sum(1 for line in lines if line.pending is not None)
    if not waiting:
        return ""
    return (
        f"{waiting} difference{'s' if waiting != 1 else ''} too large to book: sent for a "
        "manager's approval (not booked yet)."
    )


def _count_finish(
    request, state: dict, location: Location | None
) -> tuple[Answer, Location | None]:
    """Write the tally in one transaction, then list the differences and what was not scanned."""
    if location is None:
        return Answer(ERROR, "Scan a bin first: there is no count to finish."), None
    tally = _tally(state["scans"])
    products = selectors.products_by_ids(tally)
    try:
        lines = services.stock_count_bin(
            location=location,
            counts=[(products[pk], quantity) for pk, quantity in tally.items()],
            user=request.user,
            reference=f"COUNT {location}",
        )
    except DomainError as error:
        return Answer(ERROR, f"Nothing was saved. {error.message}"), location
    unscanned = [
        {
            "product_id": level.product_id,
            "sku": level.product.sku,
            "name": level.product.name,
            "on_hand": level.on_hand,
            "allocated": level.allocated,
        }
        for level in selectors.stock_in_bin(location)
        if level.product_id not in tally
    ]
    by_pk = {line.product.pk: line for line in lines}
    state["finished"] = {
        "location_id": location.pk,
        "location": location.code,
        "lines": [_line(by_pk[pk]) for pk in tally],
        "unscanned": unscanned,
    }
    state.update(location_id=None, scans=[])
    differences = sum(1 for line in lines if line.difference)
    if not lines and not unscanned:
        return Answer(INFO, f"Bin {location.code} finished: nothing counted, none expected."), None
    parts = [f"Bin {location.code} counted."]
    if differences:
        parts.append(f"{differences} difference{'s' if differences != 1 else ''} found.")
    elif lines:
        parts.append("Everything scanned matches.")
    if _sent_for_approval(lines):
        parts.append(_sent_for_approval(lines))
    if unscanned:
        count_text = len(unscanned)
        parts.append(
            f"{count_text} product{'s' if count_text != 1 else ''} with stock here "
            f"{'were' if count_text != 1 else 'was'} not scanned."
        )
    status = WARN if differences or unscanned else OK
    return Answer(status, " ".join(parts)), None


def _count_zero(request, state: dict) -> Answer:
    """Record the ticked products that were not scanned in the finished bin as zero."""
    finished = state["finished"]
    if not finished:
        return Answer(ERROR, "There is no finished bin to correct: scan a bin first.")
    allowed = {row["product_id"] for row in finished["unscanned"]}
    ticked = set()
    for value in request.POST.getlist("zero"):
        product_id = id_or_none(value)
        if product_id in allowed:
            ticked.add(product_id)
    if not ticked:
        return Answer(INFO, "Nothing ticked: products not scanned keep their stock.")
    location = selectors.location_by_id(finished["location_id"])
    products = selectors.products_by_ids(ticked)
    try:
        lines = services.stock_count_bin(
            location=location,
            counts=[(products[pk], 0) for pk in sorted(ticked)],
            user=request.user,
            reference=f"COUNT {location}",
        )
    except DomainError as error:
        return Answer(ERROR, f"Nothing was saved. {error.message}")
    finished["lines"] = [*finished["lines"], *(_line(line) for line in lines)]
    finished["unscanned"] = [
        row for row in finished["unscanned"] if row["product_id"] not in ticked
    ]
    names = ", ".join(f"{line.product.name} (was {line.expected})" for line in lines)
    waiting = _sent_for_approval(lines)
    return Answer(
        WARN, f"Counted as zero in {location.code}: {names}." + (f" {waiting}" if waiting else "")
    )


@_screen("inventory.count_stock", post=True)
def count_finish(request):
    """Finish the bin (button, F4 or CMD-DONE), or count ticked unscanned products as zero."""
    state = _state(request, COUNT_KEY, COUNT_DEFAULT)
    location = selectors.location_by_id(state["location_id"])
    if request.POST.get("step") == "zero":
        answer = _count_zero(request, state)
    else:
        answer, location = _count_finish(request, state, location)
    state["answer"] = asdict(answer)
    _log(request, "count", request.POST.get("step") or "finish", answer)
    return _count_respond(request, state, location)


@_screen("inventory.count_stock", post=True)
def count_undo(request):
    """Take the last scan off the bin's tally (button, F2 or the CMD-UNDO scan)."""
    state = _state(request, COUNT_KEY, COUNT_DEFAULT)
    location = selectors.location_by_id(state["location_id"])
    answer = _count_undo(state, location)
    state["answer"] = asdict(answer)
    _log(request, "count", "undo", answer)
    return _count_respond(request, state, location)
