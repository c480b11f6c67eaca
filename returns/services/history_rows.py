"""The rows a return of the history leaves behind, built as the returns services write them.

``returns.services.history`` draws the ids and writes; here each planned
return (``history_matching.Planned``) becomes its rows and both timelines, in
the order and the words of the services: ``return_create`` (requested),
``return_authorize`` (late, with a reason, after the window), ``return_receive``
line by line (authorized, partially received, received), ``return_dispose``
(restock) line by line (inspected once every unit is decided),
``refund_request``, ``refund_approve`` and ``refund_pay`` (the credit note),
and the return closed when its refund is settled. Everything happens at the
C-invoice's time; no one did it (no user).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from inventory.services.history import Returned
from oms.bulk import reserve_ids
from orders.services.history_returns import ReturnNews
from returns import selectors
from returns.models import (
    CreditNote,
    Disposition,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    ReturnReason,
    ReturnReceipt,
)
from returns.services.base import status_label
from returns.services.history_matching import Planned
from returns.services.refunds import credit_note_rows, credit_note_totals, line_refund_amount

Status = Return.Status
TIMES = "\u00d7"
LATE = "Credited after the return window (order history)"


class Timeline:
    """The returns' timelines and their orders', written as ``returns.services.base.record`` does."""

    def __init__(self):
        self.events: list[dict] = []
        self.news: list[ReturnNews] = []

    def record(self, rma, *, note="", before="", after="", data=None, to_order=True) -> None:
        """Write one line on the return's timeline and (``to_order``) on its order's."""
        rma_id, number, order_id, at = rma
        self.events.append(
            {
                "rma_id": rma_id,
                "from_status": before,
                "to_status": after if before else "",
                "note": note,
                "data": data or {},
                "created_at": at,
            }
        )
        if not to_order:
            return
        words = note
        if before and before != after:
            words = f"{number}: {status_label(before)} → {status_label(after)}" + (
                f" ({note})" if note else ""
            )
        elif not note.startswith(number):
            words = f"{number}: {note}"
        self.news.append(ReturnNews(order_id, at, words, {"return_id": rma_id, **(data or {})}))

    def units_back(self, rma, seen, units: int) -> None:
        """Write what ``order_units_returned`` writes on the order for units received."""
        _rma_id, number, order_id, at = rma
        self.news.append(
            ReturnNews(
                order_id,
                at,
                f"{number}: {units} {TIMES} {seen.sku} received",
                units=((seen.pk, units),),
                reference=number,
            )
        )


class Ids:
    """The ids of everything the plans write, drawn before any of it is written."""

    def __init__(self, plans: Sequence[Planned]):
        lines = sum(len(plan.lines) for plan in plans)
        refunded = [plan for plan in plans if plan.goods + plan.shipping > 0]
        self.returns = iter(reserve_ids(Return, len(plans)))
        self.lines = iter(reserve_ids(ReturnLine, lines))
        self.receipts = iter(reserve_ids(ReturnReceipt, lines))
        self.dispositions = iter(reserve_ids(Disposition, lines))
        self.refunds = iter(reserve_ids(Refund, len(refunded)))
        self.refund_lines = iter(reserve_ids(RefundLine, sum(len(p.lines) for p in refunded)))
        self.notes = iter(reserve_ids(CreditNote, len(refunded)))


@dataclass
class Rows:
    """Rows to write, per model, as {column: value}; and the units inventory books."""

    returns: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    receipts: list[dict] = field(default_factory=list)
    dispositions: list[dict] = field(default_factory=list)
    refunds: list[dict] = field(default_factory=list)
    refund_lines: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    returned: list[Returned] = field(default_factory=list)  # one per return line, in order


def window(delivered_at: datetime, today) -> tuple:
    """Return (window end, why it was authorized late) as ``return_authorize`` leaves them."""
    ends = (delivered_at + timedelta(days=selectors.return_days())).date()
    if today <= ends:
        return ends, ""
    return today + timedelta(days=selectors.return_days()), LATE


def plan_rows(plan: Planned, ids: Ids, rows: Rows, timeline: Timeline, reason: ReturnReason):
    """Add one return's rows and both timelines, in the order the services write them."""
    credit, order, at = plan.credit, plan.order, plan.credit.placed_at
    rma_id = next(ids.returns)
    number = f"RMA-{rma_id:06d}"
    rma = (rma_id, number, order.pk, at)
    ends, late = window(order.delivered_at, timezone.localdate(at))
    lines = [
        (next(ids.lines), seen, units, next(ids.receipts), next(ids.dispositions))
        for seen, units in plan.lines.values()
    ]
    summary = ", ".join(
        f"{units} {TIMES} {seen.sku} ({reason.code})" for _, seen, units, *_ in lines
    )
    timeline.record(
        rma,
        note=f"{number} requested ({Return.Source.HISTORY.label}): {summary}",
        data={"lines": [[seen.pk, units] for _, seen, units, *_ in lines]},
    )
    timeline.record(rma, before=Status.REQUESTED, after=Status.AUTHORIZED, note=late)
    status = Status.AUTHORIZED
    for index, (line_id, seen, units, receipt_id, _disposition) in enumerate(lines):
        rows.lines.append(
            {
                "id": line_id,
                "rma_id": rma_id,
                "order_line_id": seen.pk,
                "product_id": seen.product_id,
                "quantity_requested": units,
                "quantity_authorized": units,
                "quantity_received": units,
                "quantity_decided": units,
                "reason_id": reason.pk,
                "note": f"No reason in the history: credited on {credit.number}",
            }
        )
        rows.receipts.append(
            {
                "id": receipt_id,
                "line_id": line_id,
                "quantity": units,
                "movement_id": None,  # the ledger's row, once inventory wrote it
                "created_at": at,
            }
        )
        rows.returned.append(
            Returned(seen.product_id, plan.warehouse_id, seen.bin[0], units, at, number)
        )
        timeline.units_back(rma, seen, units)
        text = f"Received {units} {TIMES} {seen.sku}"
        timeline.record(rma, note=text, data={"receipt_id": receipt_id}, to_order=False)
        after = Status.RECEIVED if index == len(lines) - 1 else Status.PARTIALLY_RECEIVED
        if after != status:
            timeline.record(rma, before=status, after=after)
            status = after
    for line_id, seen, units, _receipt, disposition_id in lines:
        bin_id, code = seen.bin
        rows.dispositions.append(
            {
                "id": disposition_id,
                "line_id": line_id,
                "quantity": units,
                "kind": Disposition.Kind.RESTOCK,
                "location_id": bin_id,
                "goods_restocked": True,
                "movement_id": None,  # the restock into the bin, once inventory wrote it
                "note": "",
                "created_at": at,
            }
        )
        timeline.record(
            rma,
            note=f"Restock {units} {TIMES} {seen.sku} into {code}",
            data={"disposition_id": disposition_id},
        )
    timeline.record(rma, before=Status.RECEIVED, after=Status.INSPECTED, note="Every unit decided")
    closing = _refund_rows(plan, rma, lines, ids, rows, timeline) or "Nothing to refund"
    timeline.record(rma, before=Status.INSPECTED, after=Status.CLOSED, note=closing)
    rows.returns.append(
        {
            "id": rma_id,
            "created_at": at,
            "updated_at": at,
            "number": number,
            "order_id": order.pk,
            "customer_id": order.customer_id,
            "warehouse_id": plan.warehouse_id,
            "source": Return.Source.HISTORY,
            "external_reference": credit.number,
            "status": Status.CLOSED,
            "window_ends_on": ends,
            "outside_window_reason": late,
            "notes": "",
            "carrier": "",
            "tracking_number": "",
            "authorized_at": at,
            "received_at": at,
            "inspected_at": at,
            "closed_at": at,
            # created, authorized, each line received and decided, inspected, closed
            "version": 4 + 2 * len(lines),
        }
    )


def _refund_rows(plan: Planned, rma, lines, ids: Ids, rows: Rows, timeline: Timeline) -> str:
    """Add the paid refund of a return and its credit note; return the closing note ("" if none)."""
    order, credit, at = plan.order, plan.credit, plan.credit.placed_at
    goods = [
        (seen, units, line_refund_amount(seen, units, included=order.prices_include_tax), line_id)
        for line_id, seen, units, *_ in lines
    ]
    amount = sum((value for _, _, value, _ in goods), Decimal("0.00")) + plan.shipping
    if amount <= 0:
        return ""
    refund_id, note_id = next(ids.refunds), next(ids.notes)
    refund, note = f"RF-{refund_id:06d}", f"CN-{note_id:06d}"
    why, reference = f"Credited on {credit.number} in the order history", f"HIST-{credit.number}"
    rows.refunds.append(
        {
            "id": refund_id,
            "created_at": at,
            "updated_at": at,
            "number": refund,
            "order_id": order.pk,
            "rma_id": rma[0],
            "status": Refund.Status.PAID,
            "amount": amount,
            "shipping_amount": plan.shipping,
            "currency": order.currency,
            "method": Refund.Method.ORIGINAL,
            "reason": why,
            "provider_reference": reference,
            "rejection_reason": "",
            "approved_at": at,
            "paid_at": at,
        }
    )
    rows.refund_lines.extend(
        {
            "id": next(ids.refund_lines),
            "refund_id": refund_id,
            "return_line_id": line_id,
            "quantity": units,
            "amount": value,
        }
        for _seen, units, value, line_id in goods
    )
    printed = credit_note_rows(
        [(seen, units, value) for seen, units, value, _ in goods],
        shipping=plan.shipping,
        shipping_rate=order.shipping_tax_rate,
        amount=amount,
        reason=why,
    )
    net, vat = credit_note_totals(printed)
    rows.notes.append(
        {
            "id": note_id,
            "number": note,
            "refund_id": refund_id,
            "order_id": order.pk,
            "customer_id": order.customer_id,
            "issued_on": timezone.localdate(at),
            "currency": order.currency,
            "net": net,
            "tax": vat,
            "gross": net + vat,
            "lines": printed,
            "created_at": at,
        }
    )
    money = f"{refund} of {amount} {order.currency}"
    timeline.record(rma, note=f"{money} asked for: {why}", data={"refund": refund_id})
    timeline.record(rma, note=f"{money} approved", data={"refund": refund_id})
    timeline.record(
        rma, note=f"{money} paid ({reference}); credit note {note}", data={"refund": refund_id}
    )
    return f"{refund} settled"
