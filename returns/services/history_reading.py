"""What the matching of C-invoices reads: the customers' earlier order lines of the items.

``returns.services.history_matching`` states the rule; this reads what it
needs in a few queries (a narrow read of the customers' lines of the credited
items, then in chunks of ids their details, the units returns hold, where
each shipped from and where its returns go back to, and what is left of each
order's payment to refund), and puts every order on the credits' clock.
What returns of the history already written did (``replay``) is taken out,
to be put back at its own credit's time, so a second run sees, credit by
credit, what the first saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models.functions import Lower

from fulfillment.models import ShipmentLine
from inventory.models import Location
from orders.models import Customer, Order, OrderLine
from orders.retail import Invoice
from orders.services.history import customer_email
from returns import selectors
from returns.models import Refund, Return, ReturnLine

ZERO = Decimal("0.00")
CHUNK = 5000


@dataclass
class SeenOrder:
    """An earlier order a credit may return goods of, with the money it has left to refund."""

    pk: int
    number: str
    customer_id: int
    placed_at: datetime
    delivered_at: datetime | None
    currency: str
    shipping_price: Decimal
    shipping_tax_rate: Decimal
    prices_include_tax: bool
    room: Decimal = ZERO  # paid minus refunds not rejected
    shipping_room: Decimal = ZERO  # shipping charged minus shipping refunded


@dataclass
class SeenLine:
    """An order line of that order, with the units already on returns not void."""

    pk: int
    order: SeenOrder
    product_id: int
    sku: str
    name: str
    unit_price: Decimal
    quantity: int
    quantity_shipped: int
    tax_rate: Decimal
    tax_amount: Decimal
    claimed: int
    warehouse_id: int | None = None  # where it shipped from
    bin: tuple[int, str] | None = None  # the sellable bin returned units go back to


@dataclass
class Replay:
    """What the returns of credits written before did, to be done again at their time."""

    lines: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # (line, units)
    refunds: dict[str, list[tuple[int, Decimal, Decimal]]] = field(default_factory=dict)

    def apply(self, number: str, lines: dict, orders: dict, sign: int = 1) -> None:
        """Count a written credit's units on its lines, its refunds on its orders (or undo it)."""
        for line_id, units in self.lines.get(number, []):
            if line_id in lines:
                lines[line_id].claimed += sign * units
        for order_id, amount, shipping in self.refunds.get(number, []):
            if order_id in orders:
                orders[order_id].room -= sign * amount
                orders[order_id].shipping_room -= sign * shipping


def replay(numbers: list[str]) -> Replay:
    """Read what the returns of these credits, written by an earlier run, hold and refunded."""
    done = Replay()
    for start in range(0, len(numbers), CHUNK):
        mine = {
            "rma__source": Return.Source.HISTORY,
            "rma__external_reference__in": numbers[start : start + CHUNK],
        }
        for number, line_id, units in ReturnLine.objects.filter(**mine).values_list(
            "rma__external_reference", "order_line_id", "quantity_received"
        ):
            done.lines.setdefault(number, []).append((line_id, units))
        for number, order_id, amount, shipping in Refund.objects.filter(
            **mine, status__in=Refund.COUNTED
        ).values_list("rma__external_reference", "order_id", "amount", "shipping_amount"):
            done.refunds.setdefault(number, []).append((order_id, amount, shipping))
    return done


def _customers(credits: list[Invoice]) -> dict[str, int]:
    emails = sorted({customer_email(credit) for credit in credits if credit.customer_id})
    found: dict[str, int] = {}
    for start in range(0, len(emails), CHUNK):
        found.update(
            Customer.objects.annotate(key=Lower("email"))
            .filter(key__in=emails[start : start + CHUNK])
            .values_list("key", "pk")
        )
    return found


def _open_bins() -> dict[int, tuple[int, str]]:
    """Return {warehouse id: (id, code) of its first open sellable bin in walking order}."""
    first: dict[int, tuple[int, str]] = {}
    for pk, code, warehouse_id in (
        Location.objects.filter(is_active=True, is_returns_bin=False)
        .order_by("warehouse_id", "pick_sequence", "code")
        .values_list("pk", "code", "warehouse_id")
    ):
        first.setdefault(warehouse_id, (pk, code))
    return first


def _bins(ids: list[int], lines: dict[int, SeenLine], stockable: set[int], first_open) -> None:
    """Give each line the warehouse it shipped from and the bin its returns go back to."""
    shipped = (
        ShipmentLine.objects.filter(order_line_id__in=ids, shipment__shipped_at__isnull=False)
        .order_by("shipment__shipped_at", "pk")
        .values_list(
            "order_line_id",
            "shipment__warehouse_id",
            "location_id",
            "location__code",
            "location__is_active",
            "location__is_returns_bin",
            "location__warehouse_id",
        )
    )
    for line_id, warehouse_id, bin_id, code, active, returns_bin, bin_warehouse in shipped:
        line = lines[line_id]
        line.warehouse_id = warehouse_id
        sellable = active and not returns_bin and bin_warehouse == warehouse_id
        line.bin = (bin_id, code) if sellable else first_open.get(warehouse_id)
        if line.product_id not in stockable:
            line.bin = None


def _on_the_credits_clock(order: SeenOrder, clock: datetime | None) -> None:
    """Move an order's times by what its invoice's time read now says (``--shift``, ``--open``)."""
    if clock is None or clock == order.placed_at:
        return
    moved = clock - order.placed_at
    order.placed_at = clock
    if order.delivered_at is not None:
        order.delivered_at += moved


def _wanted(credits: list[Invoice], customers: dict[str, int]) -> list[int]:
    """Return the ids of the order lines of every credited (customer, item), in one narrow read.

    The database is asked for the lines of the customers and the items (one
    query, three small columns); the pairs that were credited are kept here.
    """
    pairs = {
        (customers[customer_email(credit)], line.stock_code)
        for credit in credits
        if credit.customer_id and customer_email(credit) in customers
        for line in credit.lines
    }
    if not pairs:
        return []
    rows = (
        OrderLine.objects.filter(
            order__customer_id__in=sorted({customer for customer, _code in pairs}),
            sku__in=sorted({code for _customer, code in pairs}),
        )
        .exclude(order__status__in=[Order.Status.CANCELLED, Order.Status.DRAFT])
        .values_list("pk", "order__customer_id", "sku")
    )
    return sorted(pk for pk, customer, code in rows if (customer, code) in pairs)


LINE_COLUMNS = [
    "pk",
    "product_id",
    "sku",
    "name",
    "unit_price",
    "quantity",
    "quantity_shipped",
    "tax_rate",
    "tax_amount",
    "product__is_active",
    "product__is_drop_ship",
    "order_id",
    "order__number",
    "order__customer_id",
    "order__placed_at",
    "order__delivered_at",
    "order__currency",
    "order__shipping_price",
    "order__shipping_tax_rate",
    "order__prices_include_tax",
    "order__channel",
    "order__external_reference",
]


def load_candidates(
    credits: list[Invoice], clocks: dict[tuple[str, str], datetime], written: Replay
) -> tuple[dict[str, int], dict[tuple[int, str], list[SeenLine]], dict, dict]:
    """Read the customers of the credits and their order lines of the credited items.

    ``clocks`` gives the time of the invoices read with the credits, by
    (channel, number): an order made of one is timed by it, as the credits
    are; ``written`` is taken out of what they hold. Returns ({customer
    email: id}, {(customer id, stock code): lines, newest first}, the lines
    and the orders by id). Lines are read in chunks of ids, so the query
    count grows with thousands of lines, not with each.
    """
    customers = _customers(credits)
    wanted = _wanted(credits, customers)
    orders: dict[int, SeenOrder] = {}
    lines: dict[int, SeenLine] = {}
    stockable: set[int] = set()
    first_open = _open_bins() if wanted else {}
    for start in range(0, len(wanted), CHUNK):
        ids = wanted[start : start + CHUNK]
        claimed = selectors.claimed_units(ids)
        for row in OrderLine.objects.filter(pk__in=ids).values_list(*LINE_COLUMNS):
            pk, product_id, sku, name, price, quantity, shipped, rate, tax_amount = row[:9]
            if row[9] and not row[10]:
                stockable.add(product_id)
            order = orders.get(row[11])
            if order is None:
                order = orders[row[11]] = SeenOrder(row[11], *row[12:20])
                _on_the_credits_clock(order, clocks.get((row[20], row[21])))
            lines[pk] = SeenLine(
                pk,
                order,
                product_id,
                sku,
                name,
                price,
                quantity,
                shipped,
                rate,
                tax_amount,
                claimed.get(pk, 0),
            )
        _bins(ids, lines, stockable, first_open)
    order_ids = sorted(orders)
    for start in range(0, len(order_ids), CHUNK):
        room = selectors.refund_room(order_ids[start : start + CHUNK])
        for pk in order_ids[start : start + CHUNK]:
            paid, taken, shipping_taken = room.get(pk, (ZERO, ZERO, ZERO))
            orders[pk].room = paid - taken
            orders[pk].shipping_room = orders[pk].shipping_price - shipping_taken
    for number in written.lines.keys() | written.refunds.keys():
        written.apply(number, lines, orders, sign=-1)
    found: dict[tuple[int, str], list[SeenLine]] = {}
    for pk in wanted:
        line = lines[pk]
        found.setdefault((line.order.customer_id, line.sku), []).append(line)
    for seen in found.values():
        # Newest first; the lines of one order in the order they were written.
        seen.sort(key=lambda line: (line.order.placed_at, line.order.pk), reverse=True)
    return customers, found, lines, orders
