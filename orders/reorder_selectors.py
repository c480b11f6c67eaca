"""Reorder suggestions: what to buy from each supplier, from recent demand and stock.

Demand is what customers ordered (order lines of placed orders, cancelled
orders and drop-ship lines left out), not what shipped: shipments stop
when stock runs out and would hide the demand a reorder must cover. It is
summed per product and week in the database (one query) over the last
``HISTORY_WEEKS`` full weeks, and forecast per week by
``inventory.forecast`` (exponential smoothing, back-tested in
``bench/forecast.py``).

For each active stocked product::

    cover    = supplier's lead time + REVIEW_DAYS (until the next look at this page)
    target   = forecast x cover weeks + SERVICE_Z x spread x sqrt(cover weeks), rounded up,
               and never under reorder point + 1 when a reorder point is set
    position = available (on hand in sellable bins - allocated)
               + on order (open purchase orders, drafts included, not yet received)
               - backordered (units customers wait for, not yet allocated)
    suggest  = target - position, when the position is under the target

Drafts count as on order, so a draft made from this page (or raised by a
backorder) takes its units off the next suggestion.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from inventory.forecast import Forecast, forecast
from inventory.models import Product, PurchaseOrder, PurchaseOrderLine, Supplier
from orders.models import Order, OrderLine

HISTORY_WEEKS = 26
REVIEW_DAYS = 7  # the page is looked at weekly: a suggestion covers until the next look
SERVICE_Z = 1.65  # safety stock for about 95 % of cover periods without running out


@dataclass(frozen=True)
class Suggestion:
    """What one product needs: the forecast, the stock position and the units to order."""

    product: Product
    supplier: Supplier | None
    history: tuple[int, ...]
    forecast: Forecast
    lead_days: int
    on_hand: int
    allocated: int
    on_order: int
    backordered: int
    target: int
    quantity: int

    @property
    def position(self) -> int:
        return self.on_hand - self.allocated + self.on_order - self.backordered


def history_weeks(today: datetime.date | None = None) -> list[datetime.date]:
    """Return the Mondays of the last ``HISTORY_WEEKS`` full weeks, oldest first."""
    today = today or timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    return [this_monday - datetime.timedelta(weeks=n) for n in range(HISTORY_WEEKS, 0, -1)]


def weekly_demand(mondays: list[datetime.date]) -> dict[int, list[int]]:
    """Sum the units ordered per product and week (local weeks from Monday), in one query."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(mondays[0], datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        mondays[-1] + datetime.timedelta(days=7), datetime.time.min, tzinfo=zone
    )
    rows = (
        OrderLine.objects.filter(
            order__placed_at__gte=start, order__placed_at__lt=end, is_drop_ship=False
        )
        .exclude(order__status=Order.Status.CANCELLED)
        .annotate(week=TruncWeek("order__placed_at", tzinfo=zone))
        .order_by()
        .values_list("product_id", "week")
        .annotate(units=Sum("quantity"))
    )
    index = {monday: n for n, monday in enumerate(mondays)}
    demand: dict[int, list[int]] = {}
    for product_id, week, units in rows:
        day = week.date() if isinstance(week, datetime.datetime) else week
        if day in index:
            demand.setdefault(product_id, [0] * len(mondays))[index[day]] += units
    return demand


def _candidates(supplier_ids=None):
    on_order = (
        PurchaseOrderLine.objects.filter(
            product=OuterRef("pk"),
            purchase_order__status__in=PurchaseOrder.OPEN,
            purchase_order__is_drop_ship=False,
        )
        .order_by()
        .values("product")
        .annotate(units=Sum(F("quantity_ordered") - F("quantity_received")))
        .values("units")
    )
    backordered = (
        OrderLine.objects.filter(product=OuterRef("pk"), quantity_backordered__gt=0)
        .exclude(order__status=Order.Status.CANCELLED)
        .order_by()
        .values("product")
        .annotate(units=Sum("quantity_backordered"))
        .values("units")
    )
    qs = (
        Product.objects.active()
        .filter(is_drop_ship=False)
        .select_related("supplier")
        .annotate(
            sellable=Coalesce(
                Sum(
                    "stock_levels__on_hand", filter=Q(stock_levels__location__is_returns_bin=False)
                ),
                0,
            ),
            reserved=Coalesce(Sum("stock_levels__allocated"), 0),
            on_order=Coalesce(Subquery(on_order, output_field=IntegerField()), 0),
            backordered=Coalesce(Subquery(backordered, output_field=IntegerField()), 0),
        )
    )
    if supplier_ids is not None:
        qs = qs.filter(supplier_id__in=supplier_ids)
    return qs


def suggest(
    *,
    product: Product,
    history: list[int],
    on_hand: int,
    allocated: int,
    on_order: int,
    backordered: int,
) -> Suggestion:
    """Work out one product's suggestion from its weekly history and stock position."""
    supplier = product.supplier
    lead_days = supplier.lead_time_days if supplier is not None else 0
    fc = forecast(history)
    cover = (lead_days + REVIEW_DAYS) / 7
    target = math.ceil(round(fc.per_week * cover + SERVICE_Z * fc.spread * math.sqrt(cover), 6))
    if product.reorder_point:
        target = max(target, product.reorder_point + 1)
    position = on_hand - allocated + on_order - backordered
    return Suggestion(
        product=product,
        supplier=supplier,
        history=tuple(history),
        forecast=fc,
        lead_days=lead_days,
        on_hand=on_hand,
        allocated=allocated,
        on_order=on_order,
        backordered=backordered,
        target=target,
        quantity=max(0, target - position),
    )


def reorder_suggestions(
    *, supplier_ids=None, today: datetime.date | None = None
) -> list[Suggestion]:
    """Return the products to reorder (a quantity above 0), by supplier then SKU.

    Two queries whatever the catalogue's size: the weekly demand, and the
    products with their stock, open purchase orders and backorders.
    """
    mondays = history_weeks(today)
    demand = weekly_demand(mondays)
    empty = [0] * len(mondays)
    out = []
    for product in _candidates(supplier_ids):
        s = suggest(
            product=product,
            history=demand.get(product.pk, empty),
            on_hand=product.sellable,
            allocated=product.reserved,
            on_order=product.on_order,
            backordered=product.backordered,
        )
        if s.quantity > 0:
            out.append(s)
    out.sort(
        key=lambda s: (s.supplier is None, s.supplier.code if s.supplier else "", s.product.sku)
    )
    return out


def open_warehouses():
    """Return the warehouses a draft may be delivered to, the first by priority first."""
    from inventory.models import Warehouse

    return Warehouse.objects.filter(is_active=True).order_by("priority", "code")
