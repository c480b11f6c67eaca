"""Which earlier order each line of a C-invoice returns: the rule, and what it reads.

A C-invoice of the Online Retail history (``orders.retail``, ``Invoice.credit``)
credits goods sold earlier without naming the invoice that sold them. The rule:

1. A guest's credit (no CustomerID) is not matched: a guest has no identity to
   find earlier orders by.
2. Each goods line (negative quantity; one above zero is counted as "not a
   credit") is looked for among the customer's orders placed before the
   credit, not cancelled, with a line of the same stock code, newest first;
   each takes what it has and the rest goes on to the next older one:
   - an order delivered by the credit's time has what it shipped minus what
     returns that are not void hold (the returnable units of
     ``check_returnable``): those units are returned;
   - an order not delivered at the credit's time takes the units it has
     (ordered, not on returns), but nothing is returned: in truth the credit
     cancelled goods that, in this history, had already left (every invoice
     is imported as shipped), and no return is dated before its delivery.
     They are counted as "credited before the order was delivered", or "its
     order is still open" when it is not delivered today (``--open``);
   - units of a product now drop-ship or deactivated, with no open sellable
     bin to go back to (the bin they left from, else the warehouse's first open
     one), or from another warehouse than the rest of their return, are
     counted, not returned.
   What no earlier order holds is counted: "no earlier order of the item" when
   the customer has none before the credit, "more than is left to return"
   otherwise. Nothing is invented.
   A line whose units went several ways is counted under each of them.
3. The units of one credit returned on one order make one return (RMA), closed
   and refunded at the credit's time (``returns.services.history``). The refund
   is what the order line cost (``line_refund_amount``, as the desk refunds;
   the C-line's own price differs on a few lines), never more than is left of
   the order's payment (a return that would pass it is counted, not written).
4. Lines that are money or services (``NON_PRODUCT_CODES``) are not goods:
   counted by kind. Postage (POST, DOT, C2) on a credit that makes a return is
   refunded as the shipping of the first of its returns when the amount fits in
   that order's shipping charge not yet refunded (and in its payment);
   otherwise it is counted as "postage with no return to carry it".

Times are read on the credits' clock: an order whose invoice is read with the
credits is placed when that invoice says (``--shift`` moves both alike, and an
order left open, placed through the services today, keeps its invoice's time),
delivered as long after as it was; any other order keeps its own times.

Credits are taken in time order, and the units each matches count against the
next ones, as returns written by the desk do; only what is written counts, so
a second run with the same data matches the same units and writes nothing new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models.functions import Lower

from fulfillment.models import ShipmentLine
from inventory.demo.sources import NON_PRODUCT_CODES
from inventory.models import Location
from orders.models import Customer, Order, OrderLine
from orders.retail import POSTAGE_CODES, Invoice
from orders.services.history import customer_email
from returns import selectors
from returns.services.refunds import line_refund_amount

ZERO = Decimal("0.00")
CHUNK = 5000

RETURNED = "returned"
GUEST = "a guest's: no customer to match"
NO_ORDER = "no earlier order of the item"
BEFORE_DELIVERY = "credited before the order was delivered"
STILL_OPEN = "its order is still open"
BEYOND = "more than is left to return"
NOT_RESTOCKABLE = "not restockable (drop-ship or deactivated product, or no open bin)"
PAID_BACK = "more than is left of the order's payment"
NOT_A_CREDIT = "not a credit (a quantity above zero)"
POSTAGE_REFUNDED = "postage refunded as shipping"
POSTAGE_LEFT = "postage with no return to carry it"


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
class Planned:
    """One return to write: units of one credit back on one order."""

    credit: Invoice
    order: SeenOrder
    warehouse_id: int  # where the goods come back to
    lines: dict[int, list] = field(default_factory=dict)  # line id: [SeenLine, units]
    shipping: Decimal = ZERO

    @property
    def goods(self) -> Decimal:
        return sum(
            (
                line_refund_amount(line, units, included=self.order.prices_include_tax)
                for line, units in self.lines.values()
            ),
            ZERO,
        )


@dataclass
class Tally:
    """What became of the lines of the credits read: lines and units by outcome."""

    lines: Counter = field(default_factory=Counter)
    units: Counter = field(default_factory=Counter)

    def add(self, reason: str, units: int, lines: int = 1) -> None:
        self.lines[reason] += lines
        self.units[reason] += units


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
    credits: list[Invoice], clocks: dict[tuple[str, str], datetime]
) -> tuple[dict[str, int], dict[tuple[int, str], list[SeenLine]]]:
    """Read the customers of the credits and their order lines of the credited items.

    ``clocks`` gives the time of the invoices read with the credits, by
    (channel, number): an order made of one is timed by it, as the credits
    are. Returns ({customer email: id}, {(customer id, stock code): lines,
    newest first}). Lines are read in chunks of ids, so the query count
    grows with thousands of lines, not with each.
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
    found: dict[tuple[int, str], list[SeenLine]] = {}
    for pk in wanted:
        line = lines[pk]
        found.setdefault((line.order.customer_id, line.sku), []).append(line)
    for seen in found.values():
        # Newest first; the lines of one order in the order they were written.
        seen.sort(key=lambda line: (line.order.placed_at, line.order.pk), reverse=True)
    return customers, found


def _match_line(credit: Invoice, line, customer_id, candidates, plans) -> Counter:
    """Walk the customer's earlier lines of the item, newest first; return units by outcome.

    Units returned are added to ``plans`` and counted under the order they
    come back on (``(RETURNED, order id)``); the rest under their reason.
    """
    outcome: Counter = Counter()
    left = -line.quantity
    if left <= 0:
        outcome[NOT_A_CREDIT] = abs(line.quantity)
        return outcome
    if customer_id is None:
        outcome[GUEST if not credit.customer_id else NO_ORDER] = left
        return outcome
    earlier = [
        seen
        for seen in candidates.get((customer_id, line.stock_code), [])
        if seen.order.placed_at < credit.placed_at
    ]
    for seen in earlier:
        if not left:
            break
        delivered = seen.order.delivered_at
        if delivered is None or delivered > credit.placed_at:
            take = min(max(seen.quantity - seen.claimed, 0), left)
            outcome[STILL_OPEN if delivered is None else BEFORE_DELIVERY] += take
        else:
            take = min(max(seen.quantity_shipped - seen.claimed, 0), left)
            plan = plans.get(seen.order.pk)
            if take and (seen.bin is None or (plan and plan.warehouse_id != seen.warehouse_id)):
                outcome[NOT_RESTOCKABLE] += take
            elif take:
                if plan is None:
                    plan = plans[seen.order.pk] = Planned(credit, seen.order, seen.warehouse_id)
                plan.lines.setdefault(seen.pk, [seen, 0])[1] += take
                seen.claimed += take
                outcome[(RETURNED, seen.order.pk)] += take
        left -= take
    if left:
        outcome[BEYOND if earlier else NO_ORDER] += left
    return outcome


def _settle(plans: dict[int, Planned]) -> set[int]:
    """Keep the returns whose refund fits in what is left of their order's payment.

    Returns the orders whose return is dropped; their units are free again.
    """
    dropped = set()
    for order_id, plan in plans.items():
        goods = plan.goods
        if goods > plan.order.room:
            for seen, units in plan.lines.values():
                seen.claimed -= units
            dropped.add(order_id)
            continue
        plan.order.room -= goods
    return dropped


def _count(outcomes: list[Counter], dropped: set[int], tally: Tally) -> None:
    """Count each credit line once under every outcome its units had."""
    for outcome in outcomes:
        units: Counter = Counter()
        for key, count in outcome.items():
            if isinstance(key, tuple):
                units[PAID_BACK if key[1] in dropped else RETURNED] += count
            else:
                units[key] += count
        for reason, count in units.items():
            if count:
                tally.add(reason, count)


def _charges(credit: Invoice, kept: list[Planned], tally: Tally) -> None:
    postage = [charge for charge in credit.charges if charge.stock_code in POSTAGE_CODES]
    for charge in credit.charges:
        if charge.stock_code not in POSTAGE_CODES:
            tally.add(f"not goods ({NON_PRODUCT_CODES[charge.stock_code]})", abs(charge.quantity))
    if not postage:
        return
    amount = sum((c.unit_price * -c.quantity for c in postage), ZERO).quantize(Decimal("0.01"))
    units = sum(abs(c.quantity) for c in postage)
    plan = kept[0] if kept else None
    order = plan.order if plan else None
    if order is None or amount <= 0 or amount > min(order.shipping_room, order.room):
        tally.add(POSTAGE_LEFT, units, lines=len(postage))
        return
    plan.shipping = amount
    order.shipping_room -= amount
    order.room -= amount
    tally.add(POSTAGE_REFUNDED, units, lines=len(postage))


def match_credits(
    credits: list[Invoice], tally: Tally, invoices: Sequence[Invoice] = ()
) -> list[Planned]:
    """Match the credits, in time order, to the orders they return; count every line's outcome.

    ``invoices`` are those read with the credits (see ``load_candidates``).
    """
    credits = sorted(credits, key=lambda credit: (credit.placed_at, credit.number))
    clocks = {(invoice.channel, invoice.number): invoice.placed_at for invoice in invoices}
    customers, candidates = load_candidates(credits, clocks)
    planned: list[Planned] = []
    for credit in credits:
        customer_id = customers.get(customer_email(credit)) if credit.customer_id else None
        plans: dict[int, Planned] = {}
        outcomes = [
            _match_line(credit, line, customer_id, candidates, plans) for line in credit.lines
        ]
        dropped = _settle(plans)
        _count(outcomes, dropped, tally)
        kept = [plan for order_id, plan in plans.items() if order_id not in dropped]
        _charges(credit, kept, tally)
        planned.extend(kept)
    return planned
