"""What the receive and count screens share: their scan log rows and the words of a refusal.

Each scan on these screens is one ``StockScan`` row (``oms.scanlog``). A row
records where the screen stands after the scan (current bin, reference,
what the quantity field holds), so the screen resumes from its last row.
"""

from __future__ import annotations

from dataclasses import replace

from inventory.models import StockScan
from inventory.selectors import ScreenState
from oms.errors import InvalidInput, NotFound
from oms.scanlog import MAX_CODE_LENGTH, ScanLog
from oms.scanning import Command, Scan, ScanKind

RECEIVE, COUNT = StockScan.Screen.RECEIVE, StockScan.Screen.COUNT
BUTTON = ScanLog.Entry.BUTTON
QUANTITY_FIELD_LENGTH = 20
REFERENCE_LENGTH = 100
# A refusal of a button (undo, finish) leaves the quantity field as it was.
KEEP = object()
# Commands a screen answers without repeating the code under the answer.
_QUIET_COMMANDS = {
    RECEIVE: {Command.UNDO},
    COUNT: {Command.DONE, Command.UNDO, Command.CANCEL},
}


def typed_quantity(value) -> str:
    """Return the quantity a scan posted, as typed (1 when empty); services validate it."""
    text = value.strip() if isinstance(value, str) else ""
    return text or "1"


def quantity_field(value) -> str:
    """Return what the quantity field shows after a scan that posted ``value``, bounded."""
    return typed_quantity(value)[:QUANTITY_FIELD_LENGTH]


def reference_field(value) -> str | None:
    """Return a posted reference, trimmed and bounded; None when none was posted."""
    if not isinstance(value, str):
        return None
    return value.strip()[:REFERENCE_LENGTH]


def shown_code(scan: Scan, screen: str) -> str:
    """Return the code shown under a scan's answer: as a person reads it, or none for a command."""
    if scan.kind is ScanKind.EMPTY:
        return ""
    if scan.kind is ScanKind.INVALID:
        return scan.raw.strip()[:MAX_CODE_LENGTH]
    if scan.kind is ScanKind.COMMAND and scan.command in _QUIET_COMMANDS[screen]:
        return ""
    return scan.display[:MAX_CODE_LENGTH]


def scan_row(
    *, user, screen: str, scan: Scan, entry: str, state: ScreenState, **fields
) -> StockScan:
    """Build the log row of one scan, holding the screen's state after it (saved by scan_service)."""
    shown = shown_code(scan, screen)
    data = {"quantity_field": state.quantity_field}
    raw = scan.raw[:MAX_CODE_LENGTH]
    if raw.strip() and raw != shown:
        data["raw"] = raw
    return StockScan(
        user=user if getattr(user, "pk", None) else None,
        screen=screen,
        entry=entry,
        code=shown,
        location=state.location,
        reference=state.reference,
        data=data,
        **fields,
    )


def refused_state(before: ScreenState, *, reference=None, quantity=KEEP) -> ScreenState:
    """Return where a screen stands after a refused scan: as before, with what was typed kept."""
    typed = reference_field(reference)
    return replace(
        before,
        reference=before.reference if typed is None else typed,
        quantity_field=before.quantity_field if quantity is KEEP else quantity_field(quantity),
    )


def refuse_unknown(scan: Scan) -> NotFound:
    """Return the refusal of a code that no bin or product has."""
    if scan.kind is ScanKind.BIN and not scan.ambiguous:
        message = (
            f"Unknown bin {scan.value}: no bin has this label. Check the label, or ask the office."
        )
    else:
        message = (
            f"Unknown code {scan.display}: no product or bin has it. Put the item aside and "
            "tell the office."
        )
    return NotFound(message, field="code", code="unknown_code")


def refuse_elsewhere(scan: Scan, screen: str) -> InvalidInput:
    """Return the refusal of a scan this screen has no use for, saying what it is."""
    if scan.kind is ScanKind.SSCC:
        message = (
            f"That is a parcel or pallet label ({scan.value}), not a product. Scan the "
            "product's own barcode."
        )
    elif scan.kind is ScanKind.COMMAND:
        message = f"{scan.value} is not used on the {screen} screen."
    else:
        message = f"{scan.value} is a document number, not a bin or a product."
    return InvalidInput(message, field="code", code="not_here")
