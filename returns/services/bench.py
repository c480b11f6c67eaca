"""The returns bench on the shared scan framework (``oms.scanlog``).

Scan the RMA barcode (or the order's number when it has one open return),
then each item: it is received into the returns bin and waits for its
disposition, given by a command barcode (``CMD-RESTOCK`` then the bin, or a
bin scanned at once; ``CMD-SCRAP``, ``CMD-QUARANTINE``, ``CMD-REPLACE``
then the bin or ``CMD-SCRAP``). ``CMD-UNDO`` takes back the last receipt or
decision; ``CMD-DONE`` puts the return away. Every scan is one
``ReturnScan`` row holding where the bench stands (return, item waiting,
mode), so a reload resumes there.
"""

from __future__ import annotations

from inventory.models import Location, Product
from oms import scanlog
from oms.errors import Conflict, DomainError, InvalidInput, NotFound
from oms.scanlog import OK, WARN, ScanAnswer
from oms.scanning import Command, DocumentType, ScanKind, recognise
from returns.models import Disposition, Return, ReturnLine, ReturnScan
from returns.services import receiving
from returns.services.base import Status

TIMES = "\u00d7"
Action = ReturnScan.Action
DISPOSE = {
    Command.SCRAP: Disposition.Kind.SCRAP,
    Command.QUARANTINE: Disposition.Kind.QUARANTINE,
}


def _state(user) -> dict:
    last = (
        ReturnScan.objects.filter(user=user, result=ReturnScan.Result.ACCEPTED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or last.rma_id is None or (last.data or {}).get("closed"):
        return {}
    return {
        "rma_id": last.rma_id,
        **{k: v for k, v in (last.data or {}).items() if k in ("line", "mode")},
    }


def _row(*, user, code: str, entry: str, action: str, state: dict, **fields) -> ReturnScan:
    return ReturnScan(
        user=user if getattr(user, "pk", None) else None,
        screen="returns",
        entry=entry,
        code=code[: scanlog.MAX_CODE_LENGTH],
        action=action,
        rma_id=state.get("rma_id"),
        data={k: v for k, v in state.items() if k in ("line", "mode", "closed") and v},
        **fields,
    )


def _refused(*, error: DomainError, user, code: str = "", entry: str = "", **kwargs) -> ReturnScan:
    state = _state(user)
    row = _row(
        user=user,
        code=(code or "").strip(),
        entry=scanlog.entry_kind(entry),
        action=Action.OTHER,
        state=state,
    )
    row.data = {**row.data, "code": error.code}
    return row


def _open_return(scan, *, user, code, entry) -> ScanAnswer:
    if scan.document_type is DocumentType.RETURN:
        rma = Return.objects.filter(number=scan.value).first()
        if rma is None:
            raise NotFound(
                f"Unknown return {scan.value}: no return has this number.", code="unknown_return"
            )
    elif scan.document_type is DocumentType.ORDER:
        open_ones = list(
            Return.objects.filter(
                order__number=scan.value, status__in=[*Return.RECEIVING, Status.RECEIVED]
            ).order_by("pk")
        )
        if not open_ones:
            raise NotFound(
                f"Order {scan.value} has no return waiting for goods: the desk opens and "
                "authorizes one first.",
                code="no_open_return",
            )
        if len(open_ones) > 1:
            raise InvalidInput(
                f"Order {scan.value} has {len(open_ones)} open returns "
                f"({', '.join(r.number for r in open_ones)}): scan the RMA barcode on the label.",
                code="choose_return",
            )
        rma = open_ones[0]
    else:
        raise InvalidInput(f"{scan.value} is not a return: scan the RMA barcode.", code="not_here")
    if rma.status not in (*Return.RECEIVING, Status.RECEIVED):
        raise Conflict(
            f"Return {rma} is {rma.get_status_display().lower()}: "
            + (
                "the desk has not authorized it yet."
                if rma.status == Status.REQUESTED
                else "nothing more can be received or decided on it."
            ),
            code="closed_return",
        )
    state = {"rma_id": rma.pk}
    left = sum(line.to_receive for line in rma.lines.all())
    return ScanAnswer(
        OK,
        f"{rma}: order {rma.order.number}, {rma.customer.name}. Scan each item"
        + (f" ({left} expected)." if left else "; every item has arrived."),
        _row(user=user, code=rma.number, entry=entry, action=Action.OPEN, state=state),
    )


def _line_for(rma: Return, product: Product) -> ReturnLine:
    lines = [
        line for line in rma.lines.select_related("order_line") if line.product_id == product.pk
    ]
    if not lines:
        raise Conflict(
            f"Not on this return: {product.name} ({product.sku}) is not on {rma}. Put it aside "
            "for the office.",
            code="not_on_return",
        )
    return lines[0]


def _product(scan) -> Product | None:
    from django.db.models import Q

    return Product.objects.filter(Q(barcode=scan.value) | Q(sku__iexact=scan.value)).first()


def _bin(scan, rma: Return) -> Location | None:
    if scan.kind is not ScanKind.BIN:
        return None
    if scan.warehouse_code:
        return Location.objects.select_related("warehouse").filter(barcode=scan.value).first()
    return (
        Location.objects.select_related("warehouse")
        .filter(warehouse=rma.warehouse, code=scan.bin_code)
        .first()
    )


def _dispose(*, user, rma, state, kind, location=None, goods="restock", code, entry) -> ScanAnswer:
    line = (
        ReturnLine.objects.select_related("order_line")
        .filter(pk=state.get("line"), rma=rma)
        .first()
    )
    if line is None or line.to_decide <= 0:
        line = next((x for x in rma.lines.select_related("order_line") if x.to_decide > 0), None)
    if line is None:
        raise Conflict(
            "No item waits for a decision: scan the next item first.", code="nothing_to_decide"
        )
    disposition = receiving.return_dispose(
        return_id=rma.pk, line_id=line.pk, kind=kind, location=location, goods=goods, user=user
    )
    words = f"{disposition.get_kind_display()}: {line.order_line.name}"
    if disposition.location_id:
        words += f" into {disposition.location.code}"
    if disposition.replacement_order_id:
        words += f"; replacement order {disposition.replacement_order}"
    rma.refresh_from_db()
    if rma.status in (Status.INSPECTED, Status.CLOSED):
        words += f". {rma} is inspected."
    new_state = {"rma_id": rma.pk}
    return ScanAnswer(
        OK,
        words,
        _row(
            user=user,
            code=code,
            entry=entry,
            action=Action.DISPOSE,
            state=new_state,
            line=line,
            disposition=disposition,
        ),
    )


def _undo(*, user, state, code, entry) -> ScanAnswer:
    last = (
        ReturnScan.objects.filter(
            user=user,
            result=ReturnScan.Result.ACCEPTED,
            action__in=[Action.RECEIVE, Action.DISPOSE],
            undone_by__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        raise Conflict("Nothing to undo.", code="nothing_to_undo")
    if last.action == Action.RECEIVE:
        receipt = receiving.return_receipt_undo(receipt_id=last.receipt_id, user=user)
        words = f"Undone: {receipt.line.order_line.name} taken back out of the returns bin."
        new_state = {"rma_id": last.rma_id}
    else:
        disposition = receiving.return_disposition_undo(
            disposition_id=last.disposition_id, user=user
        )
        words = (
            f"Undone: {disposition.get_kind_display().lower()} of "
            f"{disposition.line.order_line.name}; it waits for a decision again."
        )
        new_state = {"rma_id": last.rma_id, "line": disposition.line_id}
    return ScanAnswer(
        OK,
        words,
        _row(user=user, code="", entry=entry, action=Action.UNDO, state=new_state, undoes=last),
    )


@scanlog.scan_service(refused=_refused)
def bench_scan(*, user, code: str, entry: str = "") -> ScanAnswer:
    """Answer one scan on the returns bench (see the module's docstring)."""
    entry = scanlog.entry_kind(entry)
    scan = recognise(code)
    if not scan.is_valid:
        raise InvalidInput(scan.error or "Nothing was scanned.", code="invalid_scan")
    state = _state(user)
    if scan.kind is ScanKind.DOCUMENT:
        return _open_return(scan, user=user, code=scan.value, entry=entry)
    if scan.kind is ScanKind.COMMAND and scan.command is Command.UNDO:
        return _undo(user=user, state=state, code=scan.value, entry=entry)
    rma = (
        Return.objects.select_related("warehouse", "order", "customer")
        .filter(pk=state.get("rma_id"))
        .first()
    )
    if rma is None:
        raise InvalidInput(
            "Scan the RMA barcode on the parcel's label (or the order number) first.",
            code="no_return",
        )
    if scan.kind is ScanKind.COMMAND:
        if scan.command is Command.DONE:
            return ScanAnswer(
                OK,
                f"{rma} put away. Scan the next return.",
                _row(
                    user=user,
                    code=scan.value,
                    entry=entry,
                    action=Action.OTHER,
                    state={"rma_id": rma.pk, "closed": True},
                ),
            )
        if scan.command in DISPOSE:
            if state.get("mode") == "replace" and scan.command is Command.SCRAP:
                return _dispose(
                    user=user,
                    rma=rma,
                    state=state,
                    kind=Disposition.Kind.REPLACE,
                    goods="scrap",
                    code=scan.value,
                    entry=entry,
                )
            return _dispose(
                user=user,
                rma=rma,
                state=state,
                kind=DISPOSE[scan.command],
                code=scan.value,
                entry=entry,
            )
        if scan.command in (Command.RESTOCK, Command.REPLACE):
            mode = "restock" if scan.command is Command.RESTOCK else "replace"
            if not any(line.to_decide > 0 for line in rma.lines.all()):
                raise Conflict(
                    "No item waits for a decision: scan the next item first.",
                    code="nothing_to_decide",
                )
            then = (
                "Scan the bin it goes to."
                if mode == "restock"
                else ("Scan the bin the returned item goes to, or CMD-SCRAP to scrap it.")
            )
            return ScanAnswer(
                WARN,
                f"{scan.command.value.capitalize()}: {then}",
                _row(
                    user=user,
                    code=scan.value,
                    entry=entry,
                    action=Action.OTHER,
                    state={**state, "mode": mode},
                ),
            )
        raise InvalidInput(f"{scan.value} is not used on the returns bench.", code="not_here")
    location = _bin(scan, rma)
    if location is not None or (scan.kind is ScanKind.BIN and not scan.ambiguous):
        if location is None:
            raise NotFound(f"Unknown bin {scan.value}.", code="unknown_bin")
        kind = (
            Disposition.Kind.REPLACE if state.get("mode") == "replace" else Disposition.Kind.RESTOCK
        )
        return _dispose(
            user=user,
            rma=rma,
            state=state,
            kind=kind,
            location=location,
            code=scan.value,
            entry=entry,
        )
    product = _product(scan)
    if product is None:
        raise NotFound(
            f"Unknown code {scan.display}: no product has it. Put the item aside for the office.",
            code="unknown_code",
        )
    line = _line_for(rma, product)
    quantity = scan.quantity or 1
    receiving.return_receive(return_id=rma.pk, line_id=line.pk, quantity=quantity, user=user)
    line.refresh_from_db()
    receipt = line.receipts.order_by("-pk").first()
    return ScanAnswer(
        OK,
        f"Received {quantity} {TIMES} {product.name} into the returns bin. Decide: scan the bin "
        "to restock it, or CMD-SCRAP, CMD-QUARANTINE, CMD-REPLACE.",
        _row(
            user=user,
            code=scan.display,
            entry=entry,
            action=Action.RECEIVE,
            state={"rma_id": rma.pk, "line": line.pk},
            line=line,
            receipt=receipt,
        ),
    )
