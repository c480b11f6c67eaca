"""Orders' part of loading returns of the order history: units come back, and the timeline says so.

The returns app writes returns of the history in bulk (``returns.services.history``)
and hands over what a return made through its services tells an order, one by
one (``order_units_returned``, ``order_return_news``): the units that came back
on each order line, and the lines on the order's timeline (a return opened,
authorized, received, restocked, a refund asked for, approved, paid, the return
closed). Here they are written in a few statements: the lines count the units
as returned, the timeline gets its lines at their historical times, and the
order itself (its status, its version) is left as it is, as a return leaves it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from oms.bulk import insert_rows, reserve_ids
from oms.bulk_updates import update_rows
from oms.errors import Conflict
from oms.locks import lock_rows
from oms.services import service
from orders.models import Order, OrderEvent, OrderLine

TIMES = "\u00d7"


@dataclass(frozen=True)
class ReturnNews:
    """One line the returns desk adds to an order's timeline, at its time.

    With ``units`` ((order line id, units) that came back) it is a receipt:
    those lines count the units as returned, and the timeline line carries
    ``reference`` and the units, as ``order_units_returned`` writes it.
    Otherwise it is news (``order_return_news``): a refund's when ``data``
    names one, a return's else.
    """

    order_id: int
    at: datetime
    note: str
    data: dict = field(default_factory=dict)
    units: tuple[tuple[int, int], ...] = ()
    reference: str = ""


def _count_returned(news: Sequence[ReturnNews], orders: dict[int, Order]) -> list[OrderLine]:
    """Add the units that came back to their order lines; refuse what did not ship."""
    wanted = [(item.order_id, line_id, units) for item in news for line_id, units in item.units]
    if not wanted:
        return []
    lines = OrderLine.objects.in_bulk([line_id for _order, line_id, _units in wanted])
    for order_id, line_id, units in wanted:
        line = lines.get(line_id)
        order = orders.get(order_id)
        if line is None or order is None or line.order_id != order_id:
            raise Conflict(
                f"These units are not on order {order or order_id}.", code="not_on_order"
            )
        if units <= 0 or line.quantity_returned + units > line.quantity_shipped:
            raise Conflict(
                f"Only {line.quantity_shipped - line.quantity_returned} {TIMES} {line.sku} of "
                f"order {order} can still come back: {line.quantity_shipped} shipped, "
                f"{line.quantity_returned} returned.",
                code="more_than_shipped",
            )
        line.quantity_returned += units
    changed = list({line_id: lines[line_id] for _order, line_id, _units in wanted}.values())
    update_rows(
        OrderLine,
        ["id", "quantity_returned"],
        ((line.pk, line.quantity_returned) for line in changed),
    )
    return changed


def _event(item: ReturnNews) -> tuple:
    if item.units:
        kind = OrderEvent.Type.RETURN
        data = {"reference": item.reference, "units": [[i, q] for i, q in item.units]}
    else:
        kind = OrderEvent.Type.REFUND if item.data.get("refund") else OrderEvent.Type.RETURN
        data = item.data
    return (item.order_id, kind, "", "", item.note, data, item.at)


@service
def history_order_returns(*, news: Sequence[ReturnNews]) -> int:
    """Write what returns of the history tell their orders; return the timeline lines written.

    The orders are locked first (``oms.locks``: orders before stock). Refused
    (409) with nothing written: units not on the order named, or more units
    back than shipped.
    """
    if not news:
        return 0
    orders = lock_rows(Order.objects.all(), {item.order_id for item in news})
    _count_returned(news, {order.pk: order for order in orders})
    rows = [_event(item) for item in news]
    ids = iter(reserve_ids(OrderEvent, len(rows)))
    return insert_rows(
        OrderEvent,
        ["id", "order_id", "type", "from_status", "to_status", "note", "data", "created_at"],
        ((next(ids), *row) for row in rows),
    )
