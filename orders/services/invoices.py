"""Invoices: issued the moment an order has shipped in full, numbered INV-000001, never changed.

The invoice copies what was billed (lines, shipping, tax as taken on the
order: ``OrderLine.tax_amount``, ``Order.shipping_tax``), so later edits of
products or rates never change it. ``invoice_issue`` is called by
``after_shipping`` when the order reaches shipped; ``invoices_issue_due``
issues any that are missing (orders loaded as history), dated now.
Invoices reach the accounting export through ``oms.accounting``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from oms import accounting
from oms.errors import Conflict
from oms.numbers import assign_number
from orders.models import Invoice, InvoiceLine, Order, OrderEvent

CENT = Decimal("0.01")
INVOICED_STATES = [Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.COMPLETED]


def _net(gross: Decimal, tax: Decimal, *, include: bool) -> Decimal:
    return (gross - tax if include else gross).quantize(CENT)


def invoice_issue(*, order: Order, issued_at: datetime.datetime | None = None) -> Invoice:
    """Issue the invoice of an order that shipped in full (once: the same invoice after that)."""
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        return existing
    if order.status not in INVOICED_STATES:
        raise Conflict(f"{order} has not shipped in full, so it is not invoiced yet.")
    include = order.prices_include_tax
    rows = []
    for position, line in enumerate(order.lines.order_by("position", "pk"), start=1):
        gross = (line.unit_price * line.quantity).quantize(CENT)
        net = _net(gross, line.tax_amount, include=include)
        rows.append(
            InvoiceLine(
                position=position,
                sku=line.sku,
                description=line.name,
                quantity=line.quantity,
                unit_price=(net / line.quantity).quantize(Decimal("0.0001")),
                net=net,
                tax_rate=line.tax_rate,
                tax=line.tax_amount,
                total=net + line.tax_amount,
            )
        )
    if order.shipping_price:
        net = _net(order.shipping_price, order.shipping_tax, include=include)
        rows.append(
            InvoiceLine(
                position=len(rows) + 1,
                description=f"Shipping{': ' + order.shipping_method if order.shipping_method else ''}",
                quantity=1,
                unit_price=net,
                net=net,
                tax_rate=order.shipping_tax_rate,
                tax=order.shipping_tax,
                total=net + order.shipping_tax,
            )
        )
    with transaction.atomic():
        invoice = Invoice(
            order=order,
            issued_at=issued_at or timezone.now(),
            customer_name=order.customer.name,
            customer_email=order.customer.email,
            currency=order.currency,
            net_total=order.total - order.tax_total,
            tax_total=order.tax_total,
            total=order.total,
        )
        invoice.save()
        assign_number(invoice, "INV")
        for row in rows:
            row.invoice = invoice
        InvoiceLine.objects.bulk_create(rows)
    return invoice


def invoices_issue_due(*, limit: int = 10_000) -> int:
    """Issue the invoices of orders shipped in full that have none; return how many.

    Such orders were loaded as history (the import writes orders, not
    invoices). Each invoice is dated when its order shipped (the timeline's
    move to shipped; now when there is none), and they are issued in that
    order, so their numbers follow their dates.
    """
    due = list(
        Order.objects.filter(status__in=INVOICED_STATES, invoice__isnull=True)
        .select_related("customer")
        .order_by("pk")[:limit]
    )
    shipped = dict(
        OrderEvent.objects.filter(
            order_id__in=[order.pk for order in due],
            type=OrderEvent.Type.STATUS,
            to_status=Order.Status.SHIPPED,
        )
        .values("order_id")
        .annotate(at=Min("created_at"))
        .values_list("order_id", "at")
    )
    now = timezone.now()
    due.sort(key=lambda order: (shipped.get(order.pk) or now, order.pk))
    for order in due:
        invoice_issue(order=order, issued_at=shipped.get(order.pk) or now)
    return len(due)


def invoice_documents(start: datetime.date, end: datetime.date) -> list[accounting.Document]:
    """Return the invoices issued on the local days from start to end, for the export."""
    zone = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    finish = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    invoices = (
        Invoice.objects.filter(issued_at__gte=begin, issued_at__lt=finish)
        .select_related("order")
        .prefetch_related("lines")
    )
    return [
        accounting.Document(
            kind="invoice",
            number=invoice.number,
            date=timezone.localtime(invoice.issued_at).date(),
            customer=invoice.customer_name,
            email=invoice.customer_email,
            currency=invoice.currency,
            tax_total=invoice.tax_total,
            total=invoice.total,
            reference=invoice.order.number or "",
            lines=tuple(
                accounting.Line(
                    description=line.description,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    net=line.net,
                    tax_rate=line.tax_rate,
                    tax=line.tax,
                    sku=line.sku,
                )
                for line in invoice.lines.all()
            ),
        )
        for invoice in invoices
    ]
