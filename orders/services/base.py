"""What the order services share: locking, transitions, lines, money, totals."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models.functions import Upper
from django.utils import timezone

from inventory.models import Product
from oms import fsm, numbers, tax
from oms.errors import Conflict, InvalidInput, NotFound
from oms.locks import lock_rows
from oms.services import MAX_MONEY, MAX_TEXT, service, whole_number
from orders.events import collect_events, order_event
from orders.models import Order, OrderEvent, OrderLine

Status = Order.Status


@dataclass(frozen=True)
class LineInput:
    sku: str
    quantity: int | str


def lock_order(order_id: int) -> Order:
    """Return the order row locked for this transaction, or refuse with NotFound.

    Orders are locked before shipments and stock (``oms.locks``).
    """
    rows = lock_rows(
        Order.objects.select_related("customer", "shipping_address", "billing_address"),
        [order_id],
    )
    if not rows:
        raise NotFound("That order does not exist.", code="unknown_order")
    return rows[0]


def status_label(value: str) -> str:
    return Status(value).label.lower() if value in Status.values else value


def run_transition(order: Order, name: str, *, user, check_perm: bool = True):
    """Run an order's transition by name (oms.fsm), refusing in the order's words."""
    return fsm.run_transition(
        order,
        name,
        refusal=lambda: (
            f"Order {order} is {status_label(order.status)}: it cannot be "
            f"{_TRANSITION_WORDS.get(name, name)} now."
        ),
        user=user,
        not_allowed=f"Your role does not allow you to {name} orders." if check_perm else "",
    )


_TRANSITION_WORDS = {
    "place": "placed",
    "confirm": "confirmed",
    "cancel": "cancelled",
    "hold": "put on hold",
    "release": "released from hold",
    "complete": "completed",
    "mark_delivered": "delivered",
}


def parse_money(value, *, field: str, label: str) -> Decimal:
    """Return value as an amount with two decimals that a money column holds, or refuse it."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(f"{label} must be an amount such as 19.80.", field=field) from None
    if not amount.is_finite():
        raise InvalidInput(f"{label} must be an amount such as 19.80.", field=field)
    if amount.as_tuple().exponent < -2:
        raise InvalidInput(f"{label} can have at most two decimals.", field=field)
    if abs(amount) > MAX_MONEY:
        raise InvalidInput(f"{label} cannot be more than {MAX_MONEY:,}.", field=field)
    return amount.quantize(Decimal("0.01"))


def order_rates(order: Order, *, on=None) -> tax.Rates:
    """Return the tax rates that apply to an order: its destination, the day, the customer."""
    address = order.shipping_address
    country = address.country if address is not None else tax.seller_country()
    exempt = bool(order.customer.tax_exempt_reference) if order.customer_id else False
    return tax.Rates(country=country, on=on or timezone.localdate(), exempt=exempt)


def set_totals(
    order: Order,
    lines: Sequence[OrderLine],
    *,
    field: str = "lines",
    rates: tax.Rates | None = None,
    tax_classes: dict[int, int | None] | None = None,
) -> None:
    """Set the order's totals and each line's tax from its lines and shipping price.

    Each line (and the shipping charge) records the rate that applies today
    and its tax, rounded per line (``oms.tax``); the order's tax is their sum,
    and its total is what the customer pays. ``tax_classes`` maps product id to
    tax class when the lines' products are not loaded. Refuses (400, naming
    ``field``) a total past what a money column holds: the bounds on lines
    (Order.MAX_LINES), quantities and prices keep every column safe, and this
    keeps their product safe too.
    """
    rates = rates or order_rates(order)
    included = order.prices_include_tax
    subtotal = tax_total = Decimal("0")
    for line in lines:
        tax_class = (
            tax_classes.get(line.product_id)
            if tax_classes is not None
            else line.product.tax_class_id
        )
        charge = tax.charge(
            line.unit_price * line.quantity, rates.rate(tax_class), included=included
        )
        line.tax_rate, line.tax_amount = charge.rate, charge.tax
        subtotal += line.unit_price * line.quantity
        tax_total += charge.tax
    shipping = tax.charge(order.shipping_price, rates.shipping_rate(), included=included)
    order.shipping_tax_rate, order.shipping_tax = shipping.rate, shipping.tax
    tax_total += shipping.tax
    total = subtotal + order.shipping_price + (Decimal("0") if included else tax_total)
    if total > MAX_MONEY:
        raise InvalidInput(
            f"The order's total would be {total:,.2f}, more than one order can hold "
            f"({MAX_MONEY:,}). Split it into several orders.",
            field=field,
            code="total_too_large",
        )
    order.subtotal = subtotal.quantize(Decimal("0.01"))
    order.tax_total = tax_total.quantize(Decimal("0.01"))
    order.tax_note = rates.reason
    order.total = total.quantize(Decimal("0.01"))


def resolve_lines(lines: Sequence) -> list[tuple[Product, int]]:
    """Return (product, quantity) for lines given by SKU (any case), or refuse them.

    Every SKU is looked up in one query. Refused with a message per line: no
    lines, more than Order.MAX_LINES, an unknown or inactive SKU, a quantity
    that is not a whole number from 1 to oms.services.MAX_QUANTITY.
    """
    if not lines:
        raise InvalidInput("An order needs at least one line.", field="lines", code="empty_order")
    if len(lines) > Order.MAX_LINES:
        raise InvalidInput(
            f"An order can have at most {Order.MAX_LINES} lines; this one has {len(lines)}.",
            field="lines",
            code="too_many_lines",
        )
    wanted: list[tuple[str, object]] = []
    for line in lines:
        if isinstance(line, dict):
            wanted.append((str(line.get("sku") or "").strip(), line.get("quantity")))
        else:
            wanted.append((str(line.sku or "").strip(), line.quantity))
    keys = {sku.upper() for sku, _ in wanted if sku}
    by_sku = {
        product.sku_key: product
        for product in Product.objects.annotate(sku_key=Upper("sku")).filter(sku_key__in=keys)
    }
    errors: dict[str, list[str]] = {}
    resolved: list[tuple[Product, int]] = []
    for index, (sku, quantity) in enumerate(wanted):
        product = by_sku.get(sku.upper())
        if product is None:
            errors[f"lines[{index}].sku"] = [f"There is no product with SKU {sku!r}."]
            continue
        if not product.is_active:
            errors[f"lines[{index}].sku"] = [f"{product.sku} {product.name} is no longer sold."]
            continue
        try:
            qty = whole_number(quantity, field=f"lines[{index}].quantity")
        except InvalidInput as error:
            errors.update(error.errors)
            continue
        resolved.append((product, qty))
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors, code="bad_lines")
    return resolved


def check_order_fields(fields: dict) -> dict:
    """Return the plain fields of an order (method, policy, priority, VIP, notes) checked.

    Each is optional; what is given must fit its column and its bounds.
    """
    checked = dict(fields)
    if "shipping_method" in checked:
        method = str(checked["shipping_method"] or "").strip()
        if len(method) > 50:
            raise InvalidInput(
                "A shipping method is at most 50 characters.", field="shipping_method"
            )
        checked["shipping_method"] = method
    if "ship_policy" in checked and checked["ship_policy"] not in Order.ShipPolicy.values:
        raise InvalidInput("Ship policy must be 'partial' or 'complete'.", field="ship_policy")
    if "priority" in checked:
        checked["priority"] = whole_number(
            checked["priority"],
            field="priority",
            label="Priority",
            minimum=Order.MIN_PRIORITY,
            maximum=Order.MAX_PRIORITY,
        )
    if "is_vip" in checked:
        checked["is_vip"] = bool(checked["is_vip"])
    if "notes" in checked:
        notes = str(checked["notes"] or "")
        if len(notes) > MAX_TEXT:
            raise InvalidInput(f"Notes can be at most {MAX_TEXT:,} characters.", field="notes")
        checked["notes"] = notes
    return checked


def assign_number(order: Order) -> None:
    """Give a saved order its number (SO-000042)."""
    numbers.assign_number(order, "SO")


class StaleEdit(Conflict):
    """Someone else changed the order since the editor loaded it."""

    default_code = "stale"


def save_transition(order: Order, *, from_status: str, user, note: str = "") -> None:
    """Save an order after a transition: bump its version and write the status event."""
    order.version += 1
    order.save()
    order_event(
        order=order,
        type=OrderEvent.Type.STATUS,
        user=user,
        from_status=from_status,
        to_status=order.status,
        note=note,
    )


def order_service(func: Callable) -> Callable:
    """Make an order service atomic (see oms.services.service) and write its events at once."""

    @service
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with collect_events():
            return func(*args, **kwargs)

    return wrapper
