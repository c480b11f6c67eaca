"""Reads for the manager's dashboard about the warehouse floor: time to ship, perfect orders,
pick and pack rates. Each figure is aggregated in the database (see orders.report_selectors).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncHour

from fulfillment.models import ScanEvent, Shipment
from orders.models import Order, OrderLine
from orders.report_selectors import Period, Rate, placed_orders

SHIPPED_STATES = [Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.COMPLETED]
LEFT = [Shipment.Status.SHIPPED, Shipment.Status.DELIVERED]


def ship_target() -> datetime.timedelta:
    """Return how soon after placing an order must ship to be on time (OMS_SHIP_TARGET_HOURS)."""
    return datetime.timedelta(hours=getattr(settings, "OMS_SHIP_TARGET_HOURS", 48))


def _shipped_orders(period: Period) -> QuerySet[Order]:
    """Orders placed in the period that have shipped in full, with their last departure.

    The departures are per-order subqueries (not a join and GROUP BY), so the
    rates below can aggregate over them in the same query.
    """
    left = Shipment.objects.filter(order=OuterRef("pk"), status__in=LEFT).order_by()
    last = left.order_by("-shipped_at").values("shipped_at")[:1]
    sent = left.values("order").annotate(n=Count("pk")).values("n")
    return (
        placed_orders(period)
        .filter(status__in=SHIPPED_STATES)
        # A semi-join (one pass over shipments), not the subquery once per order.
        .filter(Exists(left.filter(shipped_at__isnull=False)))
        .annotate(
            last_shipped=Subquery(last),
            shipments_sent=Subquery(sent, output_field=IntegerField()),
        )
        .annotate(
            wait=ExpressionWrapper(F("last_shipped") - F("placed_at"), output_field=DurationField())
        )
    )


@dataclass(frozen=True)
class TimeToShip:
    """Time from placing to the last shipment leaving, over ``orders`` shipped orders."""

    orders: int
    p50: datetime.timedelta | None
    p90: datetime.timedelta | None


def _nearest_rank(qs: QuerySet, n: int, share: float) -> datetime.timedelta | None:
    if not n:
        return None
    rank = max(1, math.ceil(share * n))
    return qs.order_by("wait", "pk").values_list("wait", flat=True)[rank - 1]


class _PercentileDisc(Aggregate):
    """PostgreSQL's ``percentile_disc``: the nearest-rank percentile, in the aggregate itself."""

    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float):
        super().__init__(expression, fraction=float(fraction))


def time_to_ship(period: Period) -> TimeToShip:
    """Return the median and 90th percentile wait (nearest rank: the ⌈p·n⌉-th smallest).

    One aggregate on PostgreSQL (``percentile_disc`` is the nearest rank);
    elsewhere three queries: a count, then one row at each rank.
    """
    qs = _shipped_orders(period)
    if connection.vendor == "postgresql":
        found = qs.aggregate(
            n=Count("pk"), p50=_PercentileDisc("wait", 0.5), p90=_PercentileDisc("wait", 0.9)
        )
        return TimeToShip(orders=found["n"], p50=found["p50"], p90=found["p90"])
    n = qs.count()
    return TimeToShip(orders=n, p50=_nearest_rank(qs, n, 0.5), p90=_nearest_rank(qs, n, 0.9))


def perfect_order_rate(period: Period) -> Rate:
    """Share the fully shipped orders that were perfect: one shipment, on time, nothing returned.

    On time is within ``ship_target()`` of placing; returned is any line with
    a unit returned (the returns app books those on the order's lines).
    """
    returned = OrderLine.objects.filter(order=OuterRef("pk"), quantity_returned__gt=0)
    totals = (
        _shipped_orders(period)
        .annotate(was_returned=Exists(returned))
        .aggregate(
            whole=Count("pk"),
            part=Count(
                "pk", filter=Q(shipments_sent=1, wait__lte=ship_target(), was_returned=False)
            ),
        )
    )
    return Rate(part=totals["part"], whole=totals["whole"])


@dataclass(frozen=True)
class RateRow:
    person: str
    screen: str
    units: int
    scans: int
    hours: int

    @property
    def per_hour(self) -> float:
        return round(self.units / self.hours, 1) if self.hours else 0.0


def pick_pack_rates(period: Period) -> list[RateRow]:
    """Units picked and packed per active hour per person in the period.

    Counts accepted pick and pack scans that were not undone; an active
    hour is a clock hour in which the person scanned at least once on that
    screen (breaks and other work are not counted against them).
    """
    scans = ScanEvent.objects.filter(
        created_at__gte=period.start,
        created_at__lt=period.end,
        result=ScanEvent.Result.ACCEPTED,
        action__in=[ScanEvent.Action.PICK, ScanEvent.Action.PACK],
        undone_by__isnull=True,
        user__isnull=False,
    )
    rows = (
        scans.order_by()
        .values("user__username", "action")
        .annotate(
            units=Sum("quantity"),
            scans=Count("pk"),
            hours=Count(TruncHour("created_at"), distinct=True),
        )
        .order_by("action", "user__username")
    )
    return [
        RateRow(r["user__username"], r["action"], r["units"] or 0, r["scans"], r["hours"])
        for r in rows
    ]
