"""Reads of returns and refunds, with what each page needs loaded in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, Sum

from fulfillment.models import Shipment, ShipmentLine
from orders.models import Order, OrderLine, Payment
from returns.models import (
    CreditNote,
    Disposition,
    Refund,
    RefundLine,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnReason,
    ReturnReceipt,
    ReturnScan,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def return_days() -> int:
    """Return the days a customer has to send goods back after delivery (OMS_RETURN_DAYS)."""
    return int(getattr(settings, "OMS_RETURN_DAYS", 30))


def delivery_days() -> int:
    """Return the days a parcel is taken to travel when its delivery is unknown (5)."""
    return int(getattr(settings, "OMS_RETURN_DELIVERY_DAYS", 5))


def return_window_end(order: Order) -> datetime.date | None:
    """Return the last day of an order's return window, or None when nothing has shipped.

    ``OMS_RETURN_DAYS`` from delivery, or from the last shipment's departure
    plus ``OMS_RETURN_DELIVERY_DAYS`` when delivery is unknown.
    """
    if order.delivered_at is not None:
        start = order.delivered_at
    else:
        shipped = (
            Shipment.objects.filter(order=order, shipped_at__isnull=False)
            .order_by("-shipped_at")
            .values_list("shipped_at", flat=True)
            .first()
        )
        if shipped is None:
            return None
        start = shipped + datetime.timedelta(days=delivery_days())
    return (start + datetime.timedelta(days=return_days())).date()


def line_warehouses(order_line_ids) -> dict[int, int]:
    """Return {order line id: warehouse id it shipped from} (the last shipment that shipped it)."""
    rows = (
        ShipmentLine.objects.filter(
            order_line_id__in=list(order_line_ids), shipment__shipped_at__isnull=False
        )
        .order_by("shipment__shipped_at", "pk")
        .values_list("order_line_id", "shipment__warehouse_id")
    )
    return dict(rows)


def claimed_units(order_line_ids, *, exclude_return_id: int | None = None) -> dict[int, int]:
    """Return {order line id: units already on returns}, across every return not void.

    A requested return holds what it asks for, an authorized one what was
    authorized, one whose receiving is over what arrived.
    """
    rows = ReturnLine.objects.filter(order_line_id__in=list(order_line_ids)).exclude(
        rma__status__in=Return.VOID
    )
    if exclude_return_id is not None:
        rows = rows.exclude(rma_id=exclude_return_id)
    claimed: dict[int, int] = {}
    for line_id, status, requested, authorized, received in rows.values_list(
        "order_line_id",
        "rma__status",
        "quantity_requested",
        "quantity_authorized",
        "quantity_received",
    ):
        if status == Return.Status.REQUESTED:
            units = requested
        elif status in Return.RECEIVING:
            units = authorized
        else:
            units = received
        claimed[line_id] = claimed.get(line_id, 0) + units
    return claimed


def amount_paid(order: Order) -> Decimal:
    """Return what the customer paid on an order (every payment recorded)."""
    total = Payment.objects.filter(order=order).aggregate(total=Sum("amount"))["total"]
    return (total or ZERO).quantize(CENT)


def amount_refunded(order: Order) -> Decimal:
    """Return what refunds already take from an order's payments (waiting, approved or paid)."""
    total = Refund.objects.filter(order=order, status__in=Refund.COUNTED).aggregate(
        total=Sum("amount")
    )["total"]
    # SQLite sums decimals as floats: the sum is read back as cents.
    return (total or ZERO).quantize(CENT)


def refund_room(order_ids) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Return {order id: (paid, refunds not rejected, shipping on them)} in two queries."""
    order_ids = list(order_ids)
    paid = dict(
        Payment.objects.filter(order_id__in=order_ids)
        .order_by()
        .values_list("order_id")
        .annotate(total=Sum("amount"))
    )
    refunded = {
        order_id: (amount, shipping)
        for order_id, amount, shipping in Refund.objects.filter(
            order_id__in=order_ids, status__in=Refund.COUNTED
        )
        .order_by()
        .values_list("order_id")
        .annotate(amount=Sum("amount"), shipping=Sum("shipping_amount"))
    }
    # SQLite sums decimals as floats: the sums are read back as cents.
    return {
        pk: (
            (paid.get(pk) or ZERO).quantize(CENT),
            (refunded.get(pk, (ZERO, ZERO))[0] or ZERO).quantize(CENT),
            (refunded.get(pk, (ZERO, ZERO))[1] or ZERO).quantize(CENT),
        )
        for pk in paid.keys() | refunded.keys()
    }


def refunded_units(return_line_ids) -> dict[int, int]:
    """Return {return line id: units already on refunds that are not rejected}."""
    rows = (
        RefundLine.objects.filter(
            return_line_id__in=list(return_line_ids), refund__status__in=Refund.COUNTED
        )
        .values_list("return_line_id")
        .annotate(units=Sum("quantity"))
    )
    return dict(rows)


def reasons() -> list[ReturnReason]:
    return list(ReturnReason.objects.filter(is_active=True))


def return_get(pk: int) -> Return | None:
    """Return one return with its order, customer, lines and what happened to them."""
    lines = Prefetch(
        "lines",
        queryset=ReturnLine.objects.select_related(
            "order_line", "product", "reason"
        ).prefetch_related(
            Prefetch(
                "dispositions",
                queryset=Disposition.objects.select_related(
                    "location", "replacement_order", "user"
                ),
            ),
            Prefetch("receipts", queryset=ReturnReceipt.objects.select_related("user")),
        ),
    )
    return (
        Return.objects.select_related(
            "order",
            "customer",
            "warehouse",
            "created_by",
            "authorized_by",
            "order__shipping_address",
        )
        .prefetch_related(
            lines,
            Prefetch("events", queryset=ReturnEvent.objects.select_related("user")),
            Prefetch(
                "refunds",
                queryset=Refund.objects.select_related(
                    "requested_by", "approved_by", "credit_note"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def return_find(number: str) -> Return | None:
    return Return.objects.filter(number=number.strip().upper()).first()


def returns_list(*, status: str = "", query: str = ""):
    """Return returns, newest first, filtered by status and by RMA, order or customer."""
    rows = Return.objects.select_related("order", "customer").order_by("-created_at", "-pk")
    if status in Return.Status.values:
        rows = rows.filter(status=status)
    query = (query or "").strip()[:100]
    if query:
        rows = rows.filter(
            Q(number__iexact=query)
            | Q(order__number__iexact=query)
            | Q(customer__name__icontains=query)
        )
    return rows


def order_returns(order: Order) -> list[Return]:
    """Return an order's returns with their lines (two queries)."""
    return list(
        Return.objects.filter(order=order)
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line", "reason"))
        )
        .order_by("created_at", "pk")
    )


def order_refunds(order: Order) -> list[Refund]:
    return list(
        Refund.objects.filter(order=order).select_related("rma", "credit_note").order_by("pk")
    )


def open_returns_for_order(order: Order) -> list[Return]:
    """Return the order's returns that can still receive goods."""
    return list(
        Return.objects.filter(order=order, status__in=[*Return.RECEIVING, Return.Status.RECEIVED])
    )


def refunds_waiting():
    """Return refunds waiting for a manager or for payment, oldest first, with their context."""
    return (
        Refund.objects.filter(status__in=[Refund.Status.PENDING, Refund.Status.APPROVED])
        .select_related("order", "order__customer", "rma", "requested_by", "approved_by")
        .order_by("created_at", "pk")
    )


def refunds_recent(limit: int = 20):
    return (
        Refund.objects.filter(status__in=[Refund.Status.PAID, Refund.Status.REJECTED])
        .select_related("order", "order__customer", "rma", "credit_note")
        .order_by("-updated_at", "-pk")[:limit]
    )


def order_money(order_ids) -> dict[int, tuple[Decimal, Decimal]]:
    """Return {order id: (paid, refunded so far)} for these orders, in two queries."""
    ids = list(order_ids)
    paid = dict(
        Payment.objects.filter(order_id__in=ids)
        .values_list("order_id")
        .annotate(total=Sum("amount"))
    )
    refunded = dict(
        Refund.objects.filter(order_id__in=ids, status=Refund.Status.PAID)
        .values_list("order_id")
        .annotate(total=Sum("amount"))
    )
    return {
        pk: (paid.get(pk, ZERO).quantize(CENT), refunded.get(pk, ZERO).quantize(CENT)) for pk in ids
    }


def credit_note_get(pk: int) -> CreditNote | None:
    return (
        CreditNote.objects.select_related("refund", "order", "customer", "order__billing_address")
        .filter(pk=pk)
        .first()
    )


def bench_return(user) -> Return | None:
    """Return the return the user's bench is on: the one their last accepted scan opened."""
    last = (
        ReturnScan.objects.filter(user=user, result=ReturnScan.Result.ACCEPTED)
        .exclude(rma=None)
        .order_by("-created_at", "-pk")
        .values_list("rma_id", "data")
        .first()
    )
    if last is None or (last[1] or {}).get("closed"):
        return None
    return return_get(last[0])


def last_bench_scan(user) -> ReturnScan | None:
    return ReturnScan.objects.filter(user=user).order_by("-created_at", "-pk").first()


def bench_history(user, limit: int = 10) -> list[ReturnScan]:
    rows = list(
        ReturnScan.objects.filter(user=user)
        .select_related("undone_by")
        .order_by("-created_at", "-pk")[:limit]
    )
    for row in rows:
        row.undone = hasattr(row, "undone_by") and row.undone_by is not None
    return rows


def order_line_units(order: Order) -> list[OrderLine]:
    """Return an order's lines with what may still come back on a new return."""
    lines = list(order.lines.all())
    claimed = claimed_units([line.pk for line in lines])
    for line in lines:
        line.claimed = claimed.get(line.pk, 0)
        line.returnable = max(line.quantity_shipped - line.claimed, 0)
    return lines


def requests_waiting() -> int:
    """Return how many returns customers asked for wait for the desk to authorize or reject."""
    return Return.objects.filter(status=Return.Status.REQUESTED).count()


def returns_for_api():
    """Return returns with what the API lists of each (lines and their reasons), newest first."""
    return (
        Return.objects.select_related("order", "customer", "warehouse")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line", "reason"))
        )
        .order_by("-created_at", "-pk")
    )


def refunds_for_api():
    """Return refunds with their order, return, lines, people and credit note, newest first."""
    return (
        Refund.objects.select_related("order", "rma", "requested_by", "approved_by", "credit_note")
        .prefetch_related(
            Prefetch("lines", queryset=RefundLine.objects.select_related("return_line__order_line"))
        )
        .order_by("-created_at", "-pk")
    )
