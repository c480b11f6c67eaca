"""Reads for the manager's dashboard about orders: per day by channel, backorders, fill rate.

Every figure is one aggregate query in the database (no rows are pulled into
Python), so each costs the same with the whole history loaded. A period is
``[start, end)`` of moments; days are the shop's local days (TIME_ZONE).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from orders.models import Order, OrderEvent, OrderLine

# Backorder ages, in whole days since the order was placed: (label, from, up to).
AGE_BUCKETS = [
    ("0–2 days", 0, 2),
    ("3–7 days", 3, 7),
    ("8–14 days", 8, 14),
    ("15–30 days", 15, 30),
    ("over 30 days", 31, None),
]


@dataclass(frozen=True)
class Period:
    """The dashboard's filter: moments from ``start`` up to ``end``, one channel or all."""

    start: datetime.datetime
    end: datetime.datetime
    channel: str = ""


def placed_orders(period: Period) -> QuerySet[Order]:
    """Return the orders placed in the period (and channel), cancelled ones left out."""
    qs = Order.objects.filter(placed_at__gte=period.start, placed_at__lt=period.end).exclude(
        status=Order.Status.CANCELLED
    )
    if period.channel:
        qs = qs.filter(channel=period.channel)
    return qs


@dataclass(frozen=True)
class DayRow:
    day: datetime.date
    channel: str
    orders: int
    revenue: Decimal


def orders_per_day(period: Period) -> list[DayRow]:
    """Count the orders and sum their totals per local day and channel (one query)."""
    rows = (
        placed_orders(period)
        .annotate(day=TruncDate("placed_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day", "channel")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by("day", "channel")
    )
    cent = Decimal("0.01")
    return [
        DayRow(r["day"], r["channel"], r["orders"], Decimal(r["revenue"]).quantize(cent))
        for r in rows
    ]


@dataclass(frozen=True)
class Rate:
    """A share: ``part`` of ``whole``; ``percent`` is None when there is nothing to count."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


def fill_rate(period: Period) -> Rate:
    """Share the orders confirmed in the period that stock on hand filled at once.

    An order counts as filled when it was confirmed and never backordered
    (no backorder on its timeline): what the customer was promised at the
    desk shipped from the shelf.
    """
    backordered = OrderEvent.objects.filter(order=OuterRef("pk"), type=OrderEvent.Type.BACKORDERED)
    totals = (
        placed_orders(period)
        .filter(confirmed_at__isnull=False)
        .annotate(was_backordered=Exists(backordered))
        .aggregate(whole=Count("pk"), part=Count("pk", filter=Q(was_backordered=False)))
    )
    return Rate(part=totals["part"], whole=totals["whole"])


@dataclass(frozen=True)
class AgeRow:
    label: str
    orders: int
    units: int


def backorders_by_age(*, now: datetime.datetime | None = None, channel: str = "") -> list[AgeRow]:
    """Count the orders waiting for stock now, and their units, by days since placing."""
    now = now or timezone.now()
    whens = []
    for label, low, _high in reversed(AGE_BUCKETS):
        whens.append(
            When(order__placed_at__lte=now - datetime.timedelta(days=low), then=Value(label))
        )
    lines = OrderLine.objects.filter(
        quantity_backordered__gt=0, order__placed_at__isnull=False
    ).exclude(order__status=Order.Status.CANCELLED)
    if channel:
        lines = lines.filter(order__channel=channel)
    rows = (
        lines.annotate(bucket=Case(*whens, default=Value(AGE_BUCKETS[0][0])))
        .order_by()
        .values("bucket")
        .annotate(
            orders=Count("order", distinct=True), units=Coalesce(Sum("quantity_backordered"), 0)
        )
    )
    found = {r["bucket"]: r for r in rows}
    return [
        AgeRow(label, found.get(label, {}).get("orders", 0), found.get(label, {}).get("units", 0))
        for label, _low, _high in AGE_BUCKETS
    ]
