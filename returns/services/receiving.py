"""Goods coming back: receiving units into the returns bin, and each unit's disposition.

Every unit received is a return_receipt movement into the warehouse's
returns bin and counts as returned on its order line (orders' service);
every disposition acts through inventory's services: restock moves units to
a sellable bin of the same warehouse, scrap writes them off, quarantine
leaves them, replace also makes a free replacement order. The return is
received once every authorized unit arrived (or receiving is finished
short), inspected once every received unit has a disposition.
"""

from __future__ import annotations

from django.utils import timezone

from inventory import services as inventory_services
from inventory.models import Location
from oms.errors import Conflict, InvalidInput
from oms.services import id_or_none, require_perm, service, whole_number
from orders import services as order_services
from orders.models import Order
from returns.models import Disposition, Return, ReturnLine, ReturnReceipt
from returns.notifications import queue_return_email
from returns.services.base import Status, lock_return, record, save_transition, text
from returns.services.requests import close_if_settled

TIMES = "\u00d7"
Kind = Disposition.Kind
PERM = "returns.receive_return"
PERM_WORDS = "Only warehouse staff and managers receive returns."


def _line(rma: Return, line_id) -> ReturnLine:
    pk = id_or_none(line_id)
    line = (
        ReturnLine.objects.select_related("product", "order_line").filter(pk=pk, rma=rma).first()
        if pk
        else None
    )
    if line is None:
        raise InvalidInput(f"That item is not on return {rma}.", field="line", code="not_on_return")
    return line


def _check_receiving(rma: Return) -> None:
    if rma.status not in Return.RECEIVING:
        if rma.status == Status.REQUESTED:
            why = "it has not been authorized yet: the desk authorizes it first"
        elif rma.status == Status.RECEIVED:
            why = "everything on it has arrived"
        else:
            why = f"it is {rma.get_status_display().lower()}"
        raise Conflict(f"Return {rma} cannot receive goods: {why}.", code="not_receiving")


def _after_receiving(rma: Return, *, user, before: str) -> None:
    lines = list(rma.lines.all())
    if all(line.quantity_received >= line.quantity_authorized for line in lines):
        rma.receive_all()
        rma.received_at = timezone.now()
    elif any(line.quantity_received for line in lines):
        rma.receive_part()
    else:
        rma.unreceive()
    if rma.status != before:
        save_transition(rma, from_status=before, user=user)
        if rma.status == Status.RECEIVED:
            queue_return_email("return_received", rma, user=user)
    else:
        rma.version += 1
        rma.save(update_fields=["version", "updated_at"])
    _maybe_inspected(rma, user=user)


@service
def return_receive(*, return_id, line_id, quantity=1, user=None) -> ReturnReceipt:
    """Receive units of one line of a return into the warehouse's returns bin.

    Refused: a return that is not waiting for goods, an item not on it, one
    unit more than authorized ("one too many"). Nothing is written then.
    """
    require_perm(user, PERM, PERM_WORDS)
    rma, order = lock_return(return_id)
    _check_receiving(rma)
    line = _line(rma, line_id)
    quantity = whole_number(quantity, field="quantity")
    if quantity > line.to_receive:
        raise Conflict(
            f"One too many: return {rma} expects {line.quantity_authorized} {TIMES} "
            f"{line.order_line.sku} and {line.quantity_received} arrived already. "
            "Put this one aside for the office.",
            field="quantity",
            code="too_many",
        )
    movement = inventory_services.stock_return_receive(
        product=line.product,
        warehouse=rma.warehouse,
        quantity=quantity,
        user=user,
        reference=rma.number,
    )
    receipt = ReturnReceipt.objects.create(
        line=line,
        quantity=quantity,
        movement=movement,
        user=user if getattr(user, "pk", None) else None,
    )
    line.quantity_received += quantity
    line.save(update_fields=["quantity_received"])
    order_services.order_units_returned(
        order=order,
        units=[(line.order_line_id, quantity)],
        reference=rma.number,
        note=f"{rma}: {quantity} {TIMES} {line.order_line.sku} received",
        user=user,
    )
    before = rma.status
    record(
        rma,
        user=user,
        note=f"Received {quantity} {TIMES} {line.order_line.sku}",
        data={"receipt_id": receipt.pk},
        to_order=False,
    )
    _after_receiving(rma, user=user, before=before)
    return receipt


@service
def return_receipt_undo(*, receipt_id, user=None) -> ReturnReceipt:
    """Take back units received by mistake, while they have no disposition yet."""
    require_perm(user, PERM, PERM_WORDS)
    pk = id_or_none(receipt_id)
    found = ReturnReceipt.objects.filter(pk=pk).values_list("line__rma_id", flat=True).first()
    if found is None:
        raise InvalidInput("That receipt does not exist.", code="unknown_receipt")
    rma, order = lock_return(found)
    receipt = ReturnReceipt.objects.select_related("line__product", "line__order_line").get(pk=pk)
    line = receipt.line
    if receipt.undone_at is not None:
        raise Conflict("That receipt was already undone.", code="already_undone")
    if line.to_decide < receipt.quantity:
        raise Conflict(
            f"{line.order_line.sku} already has its disposition: undo that first.",
            code="decided",
        )
    if rma.status not in Return.INSPECTING:
        raise Conflict(
            f"Return {rma} is {rma.get_status_display().lower()}: its receipts can no longer be "
            "undone.",
            code="illegal_transition",
        )
    inventory_services.stock_return_receipt_undo(
        product=line.product,
        warehouse=rma.warehouse,
        quantity=receipt.quantity,
        user=user,
        reference=rma.number,
    )
    receipt.undone_at = timezone.now()
    receipt.save(update_fields=["undone_at"])
    line.quantity_received -= receipt.quantity
    line.save(update_fields=["quantity_received"])
    order_services.order_units_returned(
        order=order,
        units=[(line.order_line_id, -receipt.quantity)],
        reference=rma.number,
        note=f"{rma}: receipt of {receipt.quantity} {TIMES} {line.order_line.sku} undone",
        user=user,
    )
    before = rma.status
    record(
        rma,
        user=user,
        note=f"Undid receipt of {receipt.quantity} {TIMES} {line.order_line.sku}",
        to_order=False,
    )
    if before == Status.RECEIVED:
        rma.reopen_receiving()
        before_part = Status.RECEIVED
        if not any(x.quantity_received for x in rma.lines.all()):
            rma.unreceive()
        save_transition(rma, from_status=before_part, user=user, note="Receipt undone")
    elif not any(x.quantity_received for x in rma.lines.all()):
        rma.unreceive()
        save_transition(rma, from_status=before, user=user, note="Receipt undone")
    return receipt


@service
def return_receiving_finish(*, return_id, user=None, note: str = "") -> Return:
    """Stop waiting for the rest: the return counts what arrived (the rest may be returned again)."""
    require_perm(user, PERM, PERM_WORDS)
    rma, _ = lock_return(return_id)
    if rma.status != Status.PARTIALLY_RECEIVED:
        raise Conflict(
            f"Return {rma} is {rma.get_status_display().lower()}: only a partly received return "
            "can stop waiting for the rest.",
            code="illegal_transition",
        )
    rma.receive_all()
    rma.received_at = timezone.now()
    save_transition(
        rma,
        from_status=Status.PARTIALLY_RECEIVED,
        user=user,
        note=text(note, field="note", label="a note", limit=255) or "The rest will not come",
    )
    _maybe_inspected(rma, user=user)
    return rma


def _maybe_inspected(rma: Return, *, user) -> None:
    if (
        rma.status == Status.RECEIVED
        and all(line.quantity_decided >= line.quantity_received for line in rma.lines.all())
        and any(line.quantity_received for line in rma.lines.all())
    ):
        rma.mark_inspected()
        rma.inspected_at = timezone.now()
        save_transition(rma, from_status=Status.RECEIVED, user=user, note="Every unit decided")
        close_if_settled(rma, user=user, note="Nothing left to refund")


def _location(value, *, rma: Return) -> Location:
    if isinstance(value, Location):
        location = value
    else:
        pk = id_or_none(value)
        location = None
        if pk:
            location = Location.objects.select_related("warehouse").filter(pk=pk).first()
        elif isinstance(value, str) and value.strip():
            location = (
                Location.objects.select_related("warehouse")
                .filter(warehouse=rma.warehouse, code__iexact=value.strip()[:48])
                .first()
            )
        if location is None:
            raise InvalidInput(
                "Choose the bin the goods go to (scan its label).",
                field="location",
                code="unknown_location",
            )
    inventory_services.check_restock_bin(warehouse=rma.warehouse, location=location)
    return location


@service
def return_dispose(
    *,
    return_id,
    line_id,
    kind: str,
    quantity=1,
    location=None,
    goods: str = "restock",
    note: str = "",
    user=None,
) -> Disposition:
    """Decide what becomes of received units: restock into a bin, scrap, quarantine or replace.

    Replace restocks (``goods="restock"``, into ``location``) or scraps the
    returned units and makes a free replacement order, allocated like any
    order. Refused: more units than received and undecided, a restock bin
    of another warehouse or the returns bin, a return not being inspected.
    """
    require_perm(user, PERM, PERM_WORDS)
    rma, order = lock_return(return_id)
    if rma.status not in Return.INSPECTING:
        raise Conflict(
            f"Return {rma} is {rma.get_status_display().lower()}: "
            + (
                "nothing has arrived to inspect."
                if rma.status in (Status.REQUESTED, Status.AUTHORIZED)
                else "its inspection is over."
            ),
            code="illegal_transition",
        )
    if kind not in Kind.values:
        raise InvalidInput(
            "Choose restock, scrap, quarantine or replace.", field="kind", code="unknown_kind"
        )
    line = _line(rma, line_id)
    quantity = whole_number(quantity, field="quantity")
    if quantity > line.to_decide:
        raise Conflict(
            f"Only {line.to_decide} {TIMES} {line.order_line.sku} received on {rma} wait for a "
            "decision.",
            field="quantity",
            code="too_many",
        )
    note = text(note, field="note", label="a note", limit=500)
    restock = kind == Kind.RESTOCK or (kind == Kind.REPLACE and goods == "restock")
    if kind == Kind.REPLACE and goods not in ("restock", "scrap"):
        raise InvalidInput(
            "Say whether the returned goods are restocked or scrapped.", field="goods"
        )
    target = _location(location, rma=rma) if restock else None
    replacement = None
    if kind == Kind.REPLACE:
        # Orders before stock (oms.locks): the replacement is made before any stock moves.
        replacement = order_services.order_replacement_create(
            order=order, units=[(line.order_line_id, quantity)], reference=rma.number, user=user
        )
    movement = None
    if restock:
        movement = inventory_services.stock_return_restock(
            product=line.product,
            warehouse=rma.warehouse,
            location=target,
            quantity=quantity,
            user=user,
            reference=rma.number,
        )
    elif kind in (Kind.SCRAP, Kind.REPLACE):
        movement = inventory_services.stock_return_scrap(
            product=line.product,
            warehouse=rma.warehouse,
            quantity=quantity,
            user=user,
            reference=rma.number,
            reason=note or line.reason.name,
        )
    disposition = Disposition.objects.create(
        line=line,
        quantity=quantity,
        kind=kind,
        location=target,
        goods_restocked=restock,
        movement=movement,
        replacement_order=replacement,
        note=note,
        user=user if getattr(user, "pk", None) else None,
    )
    line.quantity_decided += quantity
    line.save(update_fields=["quantity_decided"])
    words = f"{disposition.get_kind_display()} {quantity} {TIMES} {line.order_line.sku}"
    if target is not None:
        words += f" into {target.code}"
    if replacement is not None:
        words += f"; replacement order {replacement}"
    record(rma, user=user, note=words, data={"disposition_id": disposition.pk})
    rma.version += 1
    rma.save(update_fields=["version", "updated_at"])
    _maybe_inspected(rma, user=user)
    return disposition


@service
def return_disposition_undo(*, disposition_id, user=None) -> Disposition:
    """Take back a disposition: the units go back into the returns bin to be decided again."""
    require_perm(user, PERM, PERM_WORDS)
    pk = id_or_none(disposition_id)
    found = Disposition.objects.filter(pk=pk).values_list("line__rma_id", flat=True).first()
    if found is None:
        raise InvalidInput("That disposition does not exist.", code="unknown_disposition")
    rma, _ = lock_return(found)
    disposition = Disposition.objects.select_related(
        "line__product", "line__order_line", "location", "replacement_order"
    ).get(pk=pk)
    if disposition.undone_at is not None:
        raise Conflict("That decision was already undone.", code="already_undone")
    if rma.status not in (*Return.INSPECTING, Status.INSPECTED):
        raise Conflict(
            f"Return {rma} is {rma.get_status_display().lower()}: its decisions stand.",
            code="illegal_transition",
        )
    line = disposition.line
    if disposition.replacement_order_id:
        if disposition.replacement_order.status not in Order.CANCELLABLE:
            raise Conflict(
                f"The replacement order {disposition.replacement_order} has shipped: the "
                "decision stands.",
                code="replacement_shipped",
            )
        order_services.order_cancel(
            order_id=disposition.replacement_order_id,
            user=None,
            reason=f"Replacement on {rma} undone",
        )
    if disposition.goods_restocked:
        inventory_services.stock_return_restock_undo(
            product=line.product,
            warehouse=rma.warehouse,
            location=disposition.location,
            quantity=disposition.quantity,
            user=user,
            reference=rma.number,
        )
    elif disposition.kind in (Kind.SCRAP, Kind.REPLACE):
        inventory_services.stock_return_scrap(
            product=line.product,
            warehouse=rma.warehouse,
            quantity=disposition.quantity,
            user=user,
            reference=rma.number,
            undo=True,
        )
    disposition.undone_at = timezone.now()
    disposition.save(update_fields=["undone_at"])
    line.quantity_decided -= disposition.quantity
    line.save(update_fields=["quantity_decided"])
    record(
        rma,
        user=user,
        note=f"Undid: {disposition.get_kind_display()} {disposition.quantity} "
        f"{TIMES} {line.order_line.sku}",
    )
    if rma.status == Status.INSPECTED:
        rma.reopen_inspection()
        save_transition(rma, from_status=Status.INSPECTED, user=user, note="Decision undone")
    return disposition
