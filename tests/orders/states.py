"""Orders brought to each state through the services, the way the desk and the floor do it."""

from __future__ import annotations

from decimal import Decimal

from fulfillment import services as floor
from fulfillment.models import Carrier, PackageType, Shipment, ShippingMethod
from orders import services
from orders.models import Order
from tests.factories import CustomerFactory, address_data

Status = Order.Status

# Every state an order rests in (confirmed only passes), and on hold from each open state.
RESTING_STATES = [
    "draft",
    "placed",
    "allocated",
    "backordered",
    "processing",
    "partially_shipped",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
]
HELD_STATES = [f"on_hold:{state}" for state in Order.HOLDABLE if state != Status.CONFIRMED]
ALL_STATES = RESTING_STATES + HELD_STATES

SHIPPING_PRICE = Decimal("3.95")


def _floor_kit() -> PackageType:
    """Return a box, with a carrier for the orders' shipping method."""
    if not Carrier.objects.filter(code="RM").exists():
        carrier = Carrier.objects.create(code="RM", name="Royal Post")
        ShippingMethod.objects.create(
            carrier=carrier, code="standard", name="Tracked 48", price=SHIPPING_PRICE
        )
    box, _ = PackageType.objects.get_or_create(name="Small box", defaults={"tare_grams": 100})
    return box


def _ship(shipment: Shipment, units: int, *, warehouse_user, box) -> Shipment:
    wave = floor.wave_create(user=warehouse_user, shipment_ids=[shipment.pk])
    floor.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    floor.pick_scan(user=warehouse_user, code=f"{units}*4006381333931", wave_id=wave.pk)
    floor.pack_scan(user=warehouse_user, code=shipment.number)
    floor.pack_scan(user=warehouse_user, code=f"{units}*4006381333931", shipment_id=shipment.pk)
    floor.parcel_close(user=warehouse_user, shipment_id=shipment.pk, package_type_id=box.pk)
    return floor.shipment_ship(
        shipment_id=shipment.pk, user=warehouse_user, tracking_number=f"RM{shipment.pk}"
    )


def order_in(state: str, *, sales_user, warehouse_user) -> Order:
    """Return an order of red mugs (10 in stock in A-01-01) in ``state``, paid once confirmed.

    ``on_hold:<state>`` is an order put on hold from that state. Needs the red mug
    stocked (the ``stocked`` fixture).
    """
    if state.startswith("on_hold:"):
        order = order_in(state.split(":")[1], sales_user=sales_user, warehouse_user=warehouse_user)
        return services.order_hold(order_id=order.pk, user=sales_user, reason="Customer asked")
    box = _floor_kit()
    quantity = 12 if state in {"backordered", "partially_shipped"} else 2
    order = services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": quantity}],
        shipping_method="standard",
        shipping_price=SHIPPING_PRICE,
        place=state != "draft",
    )
    if state in {"draft", "placed"}:
        return order
    if state == "cancelled":
        return services.order_cancel(order_id=order.pk, user=sales_user, reason="Changed mind")
    order = services.order_confirm(
        order_id=order.pk,
        user=sales_user,
        payment={"method": "card", "amount": str(order.total), "reference": "ch_1"},
    )
    if state in {"allocated", "backordered"}:
        return order
    [shipment] = floor.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    if state == "processing":
        wave = floor.wave_create(user=warehouse_user, shipment_ids=[shipment.pk])
        floor.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
        floor.pick_scan(user=warehouse_user, code="4006381333931", wave_id=wave.pk)
        return Order.objects.get(pk=order.pk)
    _ship(
        shipment, 10 if state == "partially_shipped" else 2, warehouse_user=warehouse_user, box=box
    )
    if state in {"partially_shipped", "shipped"}:
        return Order.objects.get(pk=order.pk)
    floor.tracking_update(tracking_number=f"RM{shipment.pk}", user=warehouse_user)
    if state == "delivered":
        return Order.objects.get(pk=order.pk)
    services.send_follow_ups(days=0)
    return Order.objects.get(pk=order.pk)
