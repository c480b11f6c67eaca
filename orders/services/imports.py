"""Marketplace orders from a manager's file shaped like the Online Retail data set.

Each invoice (the rows sharing an InvoiceNo) becomes one marketplace order,
placed, at the prices the marketplace sold at, for the customer its
CustomerID names (the same made-up address the order history uses, so the
two meet), or its country's guest customer. The rules of ``orders.retail``
apply: postage codes become the shipping price, other money codes (fees,
discounts, manual corrections) are left out and said so. An invoice is all or
nothing: one unreadable line, unknown SKU or cancellation refuses the whole
invoice with the line numbers, never half an order. An invoice already
imported (its number is the order's external reference on the marketplace
channel) is skipped, so the same file imported again creates nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from inventory.demo.sources import NON_PRODUCT_CODES
from oms.errors import InvalidInput
from oms.services import require_perm, service
from orders.models import Order
from orders.retail import (
    COUNTRIES,
    POSTAGE_CODES,
    Invoice,
    Line,
    _customer,
    _moment,
    _price,
    _quantity,
)
from orders.services.customers import customer_get_or_create
from orders.services.history import _customer_name, customer_email
from orders.services.orders import order_create

IMPORT_PERM = "orders.import_order"
CHANNEL = Order.Channel.MARKETPLACE
COLUMNS = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)


@dataclass
class MarketplaceInvoice:
    """An invoice read from a file, with the file's line number of each order line."""

    invoice: Invoice
    line_numbers: list[int] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class MarketplaceImport:
    kind: str  # "new" or "skip"
    summary: str
    order: Order | None = None


def marketplace_invoice_read(rows: list[tuple[int, dict]]) -> MarketplaceInvoice:
    """Read one invoice's rows (line number, row by column), or refuse it with every reason."""
    problems: list[str] = []
    first_line, first = rows[0]
    number = str(first.get("InvoiceNo") or "").strip().upper()
    if not number or len(number) > 20:
        raise InvalidInput(f"Line {first_line}: InvoiceNo is missing or longer than 20 characters.")
    if number.startswith("C"):
        raise InvalidInput(
            f"Invoice {number} is a cancellation: cancel or return the order on its page; "
            "cancellations are not imported."
        )
    country_name = str(first.get("Country") or "").strip()
    country = COUNTRIES.get(country_name)
    if country is None or country == "ZZ":
        raise InvalidInput(
            f"Line {first_line}: the country {country_name or '(empty)'!r} is not one we know; "
            "give the country the order ships to."
        )
    try:
        placed_at = _moment(str(first.get("InvoiceDate") or ""))
        customer_id = _customer(str(first.get("CustomerID") or ""))
    except (ValueError, InvalidOperation):
        raise InvalidInput(
            f"Line {first_line}: InvoiceDate (YYYY-MM-DD HH:MM:SS) or CustomerID cannot be read."
        ) from None
    invoice = Invoice(number, placed_at, customer_id, country, country_name)
    read = MarketplaceInvoice(invoice=invoice)
    for line, row in rows:
        code = str(row.get("StockCode") or "").strip().upper()
        try:
            quantity = _quantity(str(row.get("Quantity") or "").strip())
            price = _price(str(row.get("UnitPrice") or ""))
        except (ValueError, InvalidOperation):
            problems.append(f"Line {line}: Quantity or UnitPrice is not a number.")
            continue
        if str(row.get("CustomerID") or "").strip() != str(first.get("CustomerID") or "").strip():
            problems.append(f"Line {line}: another CustomerID than line {first_line}.")
            continue
        if code in POSTAGE_CODES:
            invoice.shipping += max(price, Decimal("0")) * max(quantity, 0)
            continue
        if code in NON_PRODUCT_CODES:
            read.left_out[NON_PRODUCT_CODES[code]] += 1
            continue
        if not code:
            problems.append(f"Line {line}: StockCode is empty.")
        elif quantity < 1:
            problems.append(f"Line {line}: Quantity must be at least 1.")
        elif price < 0:
            problems.append(f"Line {line}: UnitPrice cannot be negative.")
        else:
            description = " ".join(str(row.get("Description") or "").split())[:255]
            invoice.lines.append(Line(code, description, quantity, price))
            read.line_numbers.append(line)
    if problems:
        raise InvalidInput(problems[0], errors={"rows": problems})
    if not invoice.lines:
        raise InvalidInput(f"Invoice {number} has no goods, only charges: nothing to send.")
    return read


def _line_words(error: InvalidInput, line_numbers: list[int]) -> list[str]:
    """Say an order service's refusal per line (``lines[2].sku``) by the file's line number."""
    words = []
    for name, messages in (error.errors or {"": [error.message]}).items():
        where = ""
        if name.startswith("lines[") and "]" in name:
            index = name[6 : name.index("]")]
            if index.isdigit() and int(index) < len(line_numbers):
                where = f"Line {line_numbers[int(index)]}: "
        words.extend(f"{where}{message}" for message in messages)
    return words


@service
def marketplace_order_import(
    *, read: MarketplaceInvoice, user=None, source: str = ""
) -> MarketplaceImport:
    """Place the marketplace order of one invoice, unless that invoice is an order already."""
    require_perm(user, IMPORT_PERM, "Only managers import marketplace orders.")
    invoice = read.invoice
    existing = Order.objects.filter(channel=CHANNEL, external_reference=invoice.number).first()
    if existing is not None:
        return MarketplaceImport("skip", f"Invoice {invoice.number} is order {existing} already.")
    customer = customer_get_or_create(
        email=customer_email(invoice), name=_customer_name(invoice), user=user
    )
    name = customer.name[:200]
    try:
        order = order_create(
            customer=customer,
            lines=[{"sku": line.stock_code, "quantity": line.quantity} for line in invoice.lines],
            unit_prices=[line.unit_price for line in invoice.lines],
            user=user,
            channel=CHANNEL,
            external_reference=invoice.number,
            shipping_address={
                "name": name,
                "line1": "(not given in the marketplace file)",
                "city": "(not given)",
                "country": invoice.country,
            },
            shipping_price=invoice.shipping,
            notes=(
                f"Imported from {source or 'a marketplace file'}: invoice {invoice.number} "
                f"of {invoice.placed_at:%Y-%m-%d %H:%M}."
            ),
            place=True,
        )
    except InvalidInput as error:
        words = _line_words(error, read.line_numbers)
        raise InvalidInput(words[0], errors={"rows": words}) from None
    left = "; left out: " + ", ".join(f"{n} {what}" for what, n in read.left_out.items())
    summary = (
        f"{order.number}: {len(invoice.lines)} line(s) for {customer.name}, "
        f"{order.total} {order.currency}" + (left if read.left_out else "")
    )
    return MarketplaceImport("new", summary, order)
