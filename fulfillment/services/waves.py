"""Pick lists (waves): build one from ready shipments, find it, close it once picked."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import F
from django.utils import timezone
from django_fsm import can_proceed

from fulfillment import selectors
from fulfillment.models import Shipment, ShipmentLine, Wave
from fulfillment.services.base import (
    check_perm,
    lock_shipments,
    save_shipment,
)
from oms.errors import Conflict, InvalidInput, NotFound
from oms.numbers import assign_number
from oms.services import parse_id, service, whole_number
from orders.models import Order

# The most orders one wave takes (a tote number each: a smallint column), and the
# most shipments a request may name for one.
MAX_WAVE_ORDERS = 1000
MAX_WAVE_SHIPMENTS = 5000


@service
def wave_create(
    *,
    user=None,
    carrier: str = "",
    min_priority=None,
    vip_only: bool = False,
    max_orders=None,
    shipment_ids: Sequence[int] | None = None,
) -> Wave:
    """Group ready shipments into a pick list: VIP first, then priority, then oldest.

    Filters: carrier code, minimum order priority, VIP orders only, at most
    ``max_orders`` orders (never more than MAX_WAVE_ORDERS: the rest wait for the
    next wave), or exactly the shipments named. Each order gets a tote number
    (and colour). Refused (409) when no shipment is ready.
    """
    check_perm(user, "fulfillment.add_wave", "Only warehouse staff and managers build waves.")
    if min_priority not in (None, ""):
        min_priority = whole_number(
            min_priority,
            field="min_priority",
            label="Priority",
            minimum=Order.MIN_PRIORITY,
            maximum=Order.MAX_PRIORITY,
        )
    else:
        min_priority = None
    if max_orders not in (None, ""):
        max_orders = whole_number(
            max_orders, field="max_orders", label="Maximum orders", maximum=MAX_WAVE_ORDERS
        )
    else:
        max_orders = MAX_WAVE_ORDERS
    candidates = selectors.ready_shipments(
        carrier=carrier or "", min_priority=min_priority, vip_only=bool(vip_only)
    )
    if shipment_ids is not None:
        candidates = candidates.filter(pk__in=list(shipment_ids))
    chosen: list[int] = []
    orders_seen: list[int] = []
    for shipment_id, order_id in candidates.values_list("pk", "order_id"):
        if order_id not in orders_seen:
            if len(orders_seen) >= max_orders:
                continue
            orders_seen.append(order_id)
        chosen.append(shipment_id)
    _, shipments = lock_shipments(chosen)
    live = [
        shipment
        for shipment in shipments.values()
        if shipment.status == Shipment.Status.PENDING and shipment.wave_id is None
    ]
    if not live:
        raise Conflict(
            "No shipment is ready to pick with these filters.", field="shipments", code="empty"
        )
    wave = Wave.objects.create(created_by=user if getattr(user, "pk", None) else None)
    assign_number(wave, "WV")
    totes = {order_id: index for index, order_id in enumerate(orders_seen, start=1)}
    for shipment in sorted(live, key=lambda s: (totes[s.order_id], s.pk)):
        shipment.wave = wave
        shipment.wave_position = totes[shipment.order_id]
        save_shipment(shipment, ["wave", "wave_position"])
    return wave


def get_wave(wave_id) -> Wave:
    """Return a wave by id (as typed or posted), or refuse with NotFound."""
    try:
        wave = Wave.objects.filter(pk=parse_id(wave_id, field="wave")).first()
    except InvalidInput:
        wave = None
    if wave is None:
        raise NotFound("That pick list (wave) does not exist.", field="wave", code="unknown_wave")
    return wave


def finish_wave_if_done(wave: Wave) -> bool:
    """Mark a wave done once nothing on its live shipments is left to pick; tell if it is."""
    lines = ShipmentLine.objects.filter(shipment__wave=wave).exclude(
        shipment__status=Shipment.Status.CANCELLED
    )
    if lines.filter(picked__lt=F("quantity")).exists():
        return False
    if can_proceed(wave.finish):
        wave.finish()
        wave.finished_at = timezone.now()
        wave.save()
    return True
