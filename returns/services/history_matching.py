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
   - an order not delivered at the credit's time takes the units it was
     ordered with (none can have come back), but nothing is returned: the credit
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
from decimal import Decimal

from inventory.demo.sources import NON_PRODUCT_CODES
from orders.retail import POSTAGE_CODES, Invoice
from orders.services.history import customer_email
from returns.services.history_reading import (
    ZERO,
    Replay,
    SeenOrder,
    load_candidates,
)
from returns.services.refunds import line_refund_amount

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
            take = min(seen.quantity, left)  # nothing of it can have come back yet
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
    """Count a credit's money and service lines; its postage may be its first return's shipping."""
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
    credits: list[Invoice],
    tally: Tally,
    invoices: Sequence[Invoice] = (),
    written: Replay | None = None,
) -> list[Planned]:
    """Match the credits, in time order, to the orders they return; count every line's outcome.

    ``invoices`` are those read with the credits (see ``load_candidates``);
    the credits in ``written`` made their returns in an earlier run: what
    those hold is counted again at their time, and they are not matched.
    """
    written = written or Replay()
    credits = sorted(credits, key=lambda credit: (credit.placed_at, credit.number))
    clocks = {(invoice.channel, invoice.number): invoice.placed_at for invoice in invoices}
    customers, candidates, lines, orders = load_candidates(credits, clocks, written)
    planned: list[Planned] = []
    for credit in credits:
        if credit.number in written.lines or credit.number in written.refunds:
            written.apply(credit.number, lines, orders)
            continue
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
