"""Orders' part of loading order history: customers, orders, lines, payments and timelines.

Invoices read by ``orders.retail`` become orders that were placed, confirmed,
paid, shipped and delivered at their historical times (completed once the
follow-up window has passed), each with its own copy of the address, one
captured payment and a short timeline. Written in bulk (``oms.bulk``); the
warehouse then adds the shipments, inventory the ledger. An invoice already
imported (same channel and reference) is left alone, so a second run adds
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models.functions import Lower
from django.utils import timezone

from inventory.models import Product
from oms import tax
from oms.bulk import insert_rows, reserve_ids
from oms.services import service
from orders.models import Address, Customer, Order, OrderEvent, OrderLine, Payment
from orders.retail import Invoice
from orders.services.follow_ups import follow_up_days

EMAIL_DOMAIN = "online-retail.example"
SHIP_AFTER = timedelta(days=1)
DELIVER_AFTER = timedelta(days=3)
Status = Order.Status
# The tables these services write, for a bulk load that checks their keys at the end.
HISTORY_TABLES = (Address, Customer, Order, OrderLine, Payment, OrderEvent)


@dataclass
class ShippedLine:
    line_id: int
    product_id: int
    location_id: int
    quantity: int


@dataclass
class HistoryOrder:
    """An imported order, with what the warehouse needs to add its shipment."""

    order_id: int
    invoice: str
    address_id: int
    shipped_at: datetime
    delivered_at: datetime
    lines: list[ShippedLine] = field(default_factory=list)


def customer_email(invoice: Invoice) -> str:
    """Return the made-up address of the invoice's customer (or of its country's guests)."""
    if invoice.customer_id:
        return f"customer-{invoice.customer_id}@{EMAIL_DOMAIN}"
    return f"guests-{invoice.country.lower()}@{EMAIL_DOMAIN}"


def _customer_name(invoice: Invoice) -> str:
    if invoice.customer_id:
        return f"Customer {invoice.customer_id}"
    return f"Guest orders ({invoice.country_name})"


class HistoryRates:
    """The tax rates of the history, read once per destination and day.

    The data set's prices include VAT, as the shop showed them; a country the
    data set does not name (``ZZ``) is taxed as the seller's own.
    """

    def __init__(self):
        self._rates: dict[tuple[str, object], tax.Rates] = {}

    def __call__(self, invoice: Invoice) -> tax.Rates:
        country = tax.seller_country() if invoice.country == "ZZ" else invoice.country
        key = (country, timezone.localdate(invoice.placed_at))
        found = self._rates.get(key)
        if found is None:
            found = self._rates[key] = tax.Rates(country=country, on=key[1])
        return found


def already_imported(invoices: Sequence[Invoice]) -> set[tuple[str, str]]:
    """Return (channel, invoice number) of the invoices that are orders already."""
    numbers = [invoice.number for invoice in invoices]
    found = set()
    for start in range(0, len(numbers), 5000):
        found.update(
            Order.objects.filter(external_reference__in=numbers[start : start + 5000]).values_list(
                "channel", "external_reference"
            )
        )
    return found


def _address_row(pk, customer_id, name, invoice: Invoice, at) -> tuple:
    return (
        pk,
        customer_id,
        name[:200],
        "",
        "(no street in the history)",
        "",
        "(not given)",
        "",
        "",
        invoice.country,
        "",
        at,
        at,
    )


ADDRESS_COLUMNS = [
    "id",
    "customer_id",
    "name",
    "company",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "created_at",
    "updated_at",
]


@service
def history_customers(*, invoices: Sequence[Invoice]) -> dict[str, int]:
    """Return {customer email: customer id}, creating the customers not known yet."""
    wanted: dict[str, Invoice] = {}
    for invoice in sorted(invoices, key=lambda invoice: invoice.placed_at):
        wanted.setdefault(customer_email(invoice), invoice)
    known = dict(
        Customer.objects.annotate(key=Lower("email"))
        .filter(key__in=list(wanted))
        .values_list("key", "pk")
    )
    missing = [email for email in wanted if email not in known]
    if not missing:
        return known
    customer_ids = reserve_ids(Customer, len(missing))
    address_ids = reserve_ids(Address, len(missing))
    insert_rows(
        Address,
        ADDRESS_COLUMNS,
        (
            _address_row(a, c, _customer_name(wanted[e]), wanted[e], wanted[e].placed_at)
            for e, c, a in zip(missing, customer_ids, address_ids, strict=True)
        ),
    )
    insert_rows(
        Customer,
        [
            "id",
            "name",
            "email",
            "phone",
            "is_vip",
            "notes",
            "tax_exempt_reference",
            "default_shipping_address_id",
            "default_billing_address_id",
            "created_at",
            "updated_at",
        ],
        (
            (
                c,
                _customer_name(wanted[e]),
                e,
                "",
                False,
                "From the online retail history.",
                "",
                a,
                a,
                wanted[e].placed_at,
                wanted[e].placed_at,
            )
            for e, c, a in zip(missing, customer_ids, address_ids, strict=True)
        ),
    )
    known.update(zip(missing, customer_ids, strict=True))
    return known


@service
def history_orders(
    *,
    invoices: Sequence[Invoice],
    products: dict[str, tuple[int, int]],
    customers: dict[str, int],
    now: datetime | None = None,
    rates: HistoryRates | None = None,
) -> list[HistoryOrder]:
    """Write invoices as shipped and delivered orders; return what the warehouse ships for each.

    ``products`` maps a stock code to (product id, bin id) (inventory's
    ``history_products``), ``customers`` an email to a customer id. Each line
    and the postage carry the VAT of the day they were sold (prices include it).
    """
    now = now or timezone.now()
    rates = rates or HistoryRates()
    tax_classes = dict(
        Product.objects.filter(pk__in={pk for pk, _bin in products.values()}).values_list(
            "pk", "tax_class_id"
        )
    )
    complete_before = now - timedelta(days=follow_up_days())
    order_ids = reserve_ids(Order, len(invoices))
    address_ids = reserve_ids(Address, len(invoices))
    line_ids = iter(reserve_ids(OrderLine, sum(len(invoice.lines) for invoice in invoices)))
    orders, lines, made = [], [], []
    payments, events = [], []
    for invoice, order_id, address_id in zip(invoices, order_ids, address_ids, strict=True):
        placed = invoice.placed_at
        shipped, delivered = placed + SHIP_AFTER, placed + DELIVER_AFTER
        status = Status.COMPLETED if delivered < complete_before else Status.DELIVERED
        customer_id = customers[customer_email(invoice)]
        subtotal = sum((line.unit_price * line.quantity for line in invoice.lines), Decimal(0))
        total = (subtotal + invoice.shipping).quantize(Decimal("0.01"))
        order = HistoryOrder(order_id, invoice.number, address_id, shipped, delivered)
        order_rates = rates(invoice)
        shipping = tax.charge(invoice.shipping, order_rates.shipping_rate(), included=True)
        tax_total = shipping.tax
        for position, line in enumerate(invoice.lines):
            product_id, location_id = products[line.stock_code]
            line_tax = tax.charge(
                line.unit_price * line.quantity,
                order_rates.rate(tax_classes.get(product_id)),
                included=True,
            )
            tax_total += line_tax.tax
            line_id = next(line_ids)
            lines.append(
                (
                    line_id,
                    order_id,
                    product_id,
                    line.stock_code,
                    line.description,
                    line.unit_price,
                    line.quantity,
                    0,
                    0,
                    line.quantity,
                    0,
                    False,
                    position,
                    line_tax.rate,
                    line_tax.tax,
                )
            )
            order.lines.append(ShippedLine(line_id, product_id, location_id, line.quantity))
        made.append(order)
        orders.append(
            (
                order_id,
                f"SO-{order_id:06d}",
                invoice.channel,
                invoice.number,
                customer_id,
                address_id,
                address_id,
                "standard",
                "partial",
                0,
                False,
                "",
                "GBP",
                subtotal.quantize(Decimal("0.01")),
                invoice.shipping,
                total,
                status,
                "",
                1,
                placed,
                placed,
                delivered,
                placed,
                delivered,
                True,
                tax_total,
                shipping.rate,
                shipping.tax,
                order_rates.reason,
            )
        )
        if total > 0:
            method = "marketplace" if invoice.channel == "marketplace" else "card"
            payments.append(
                (
                    order_id,
                    method,
                    total,
                    "GBP",
                    f"HIST-{invoice.number}",
                    "captured",
                    placed,
                    placed,
                )
            )
        note = f"Imported from the online retail history: invoice {invoice.number}"
        events += [
            (order_id, OrderEvent.Type.CREATED, "", Status.PLACED, note, placed),
            (order_id, OrderEvent.Type.STATUS, Status.PLACED, Status.CONFIRMED, "", placed),
            (order_id, OrderEvent.Type.STATUS, Status.CONFIRMED, Status.SHIPPED, "", shipped),
            (order_id, OrderEvent.Type.STATUS, Status.SHIPPED, Status.DELIVERED, "", delivered),
        ]
        if status == Status.COMPLETED:
            events.append(
                (
                    order_id,
                    OrderEvent.Type.STATUS,
                    Status.DELIVERED,
                    Status.COMPLETED,
                    "Follow-up window passed",
                    delivered + timedelta(days=follow_up_days()),
                )
            )
    insert_rows(
        Address,
        ADDRESS_COLUMNS,
        (
            _address_row(address_id, None, _customer_name(invoice), invoice, invoice.placed_at)
            for invoice, address_id in zip(invoices, address_ids, strict=True)
        ),
    )
    insert_rows(
        Order,
        [
            "id",
            "number",
            "channel",
            "external_reference",
            "customer_id",
            "shipping_address_id",
            "billing_address_id",
            "shipping_method",
            "ship_policy",
            "priority",
            "is_vip",
            "notes",
            "currency",
            "subtotal",
            "shipping_price",
            "total",
            "status",
            "status_before_hold",
            "version",
            "placed_at",
            "confirmed_at",
            "delivered_at",
            "created_at",
            "updated_at",
            "prices_include_tax",
            "tax_total",
            "shipping_tax_rate",
            "shipping_tax",
            "tax_note",
        ],
        orders,
    )
    insert_rows(
        OrderLine,
        [
            "id",
            "order_id",
            "product_id",
            "sku",
            "name",
            "unit_price",
            "quantity",
            "quantity_allocated",
            "quantity_backordered",
            "quantity_shipped",
            "quantity_returned",
            "is_drop_ship",
            "position",
            "tax_rate",
            "tax_amount",
        ],
        lines,
    )
    payment_ids = iter(reserve_ids(Payment, len(payments)))
    insert_rows(
        Payment,
        [
            "id",
            "order_id",
            "method",
            "amount",
            "currency",
            "reference",
            "status",
            "created_at",
            "updated_at",
        ],
        ((next(payment_ids), *row) for row in payments),
    )
    event_ids = iter(reserve_ids(OrderEvent, len(events)))
    insert_rows(
        OrderEvent,
        ["id", "order_id", "type", "from_status", "to_status", "note", "data", "created_at"],
        ((next(event_ids), *row[:5], {}, row[5]) for row in events),
    )
    return made
