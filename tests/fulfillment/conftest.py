from decimal import Decimal

import pytest

from fulfillment import services
from fulfillment.models import (
    Carrier,
    PackageType,
    Parcel,
    ParcelItem,
    ScanEvent,
    Shipment,
    ShipmentLine,
    ShippingMethod,
    Wave,
)
from inventory import services as inventory_services
from oms.models import OutboundEmail
from orders import services as order_services
from orders.models import LineAllocation, Order, OrderEvent, OrderLine
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, address_data


def floor_snapshot():
    """Return everything a refused warehouse action must leave as it was (the scan log aside)."""
    return (
        stock_snapshot(),
        sorted(Order.objects.values_list("pk", "status", "version")),
        sorted(
            OrderLine.objects.values_list(
                "pk", "quantity_allocated", "quantity_backordered", "quantity_shipped"
            )
        ),
        sorted(LineAllocation.objects.values_list("line_id", "location_id", "quantity")),
        OrderEvent.objects.count(),
        sorted(
            Shipment.objects.values_list(
                "pk", "status", "version", "tracking_number", "wave_id", "carrier_id"
            )
        ),
        sorted(
            ShipmentLine.objects.values_list(
                "pk", "location_id", "quantity", "picked", "packed", "short"
            )
        ),
        sorted(Parcel.objects.values_list("pk", "closed_at", "weight_grams", "tracking_number")),
        sorted(ParcelItem.objects.values_list("pk", "quantity")),
        sorted(Wave.objects.values_list("pk", "status")),
        OutboundEmail.objects.count(),
        ScanEvent.objects.filter(result=ScanEvent.Result.ACCEPTED).count(),
    )


def pack_all(shipment, user, box):
    """Pack every picked unit of a shipment into one parcel and close it."""
    services.pack_scan(user=user, code=shipment.number)
    for line in shipment.lines.all():
        services.pack_scan(
            user=user, code=f"{line.quantity}*{line.product.barcode}", shipment_id=shipment.pk
        )
    services.parcel_close(user=user, shipment_id=shipment.pk, package_type_id=box.pk)
    shipment.refresh_from_db()


@pytest.fixture
def floor():
    return floor_snapshot


def refusals():
    return list(
        ScanEvent.objects.filter(result=ScanEvent.Result.REFUSED)
        .order_by("pk")
        .values_list("message", flat=True)
    )


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ann Lee", email="ann@example.com")


@pytest.fixture
def local_courier(db):
    carrier = Carrier.objects.create(
        code="LOC",
        name="City Courier",
        is_local_courier=True,
        tracking_url_template="https://track.example/{tracking}",
    )
    ShippingMethod.objects.create(
        carrier=carrier, code="courier", name="Same day", price=Decimal("12.50")
    )
    return carrier


@pytest.fixture
def royal_mail(db):
    carrier = Carrier.objects.create(
        code="RM",
        name="Royal Post",
        tracking_url_template="https://rm.example/track?n={tracking}",
    )
    ShippingMethod.objects.create(
        carrier=carrier, code="standard", name="Tracked 48", price=Decimal("3.95")
    )
    return carrier


@pytest.fixture
def box(db):
    return PackageType.objects.create(
        name="Small box", length_mm=300, width_mm=200, height_mm=150, tare_grams=120
    )


@pytest.fixture
def make_order(customer, sales_user):
    """Return a function placing and confirming an order: lines as (sku, quantity)."""

    def make(*lines, policy="partial", method="standard", vip=False, priority=0, who=None):
        order = order_services.order_create(
            customer=who or customer,
            user=sales_user,
            channel="web",
            shipping_address=address_data(),
            lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            shipping_method=method,
            ship_policy=policy,
            place=True,
        )
        if vip or priority:
            order_services.order_update(
                order_id=order.pk, user=sales_user, is_vip=vip, priority=priority
            )
        return order_services.order_confirm(order_id=order.pk, user=sales_user)

    return make


@pytest.fixture
def receive():
    def put(product, location, quantity):
        inventory_services.stock_receive(
            product=product, location=location, quantity=quantity, reference="PO-TEST"
        )

    return put


@pytest.fixture
def picked_wave(make_order, stocked, warehouse_user, royal_mail):
    """A wave of one shipment (2 red mugs from A-01-01), completely picked."""
    order = make_order(("MUG-RED", 2))
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="2*4006381333931", wave_id=wave.pk)
    shipment.refresh_from_db()
    return wave, shipment


def pack_in_parcels(shipment, user, box, *, units_per_parcel: int = 1):
    """Pack a picked shipment, ``units_per_parcel`` units to a parcel, closing each parcel."""
    services.pack_scan(user=user, code=shipment.number)
    for line in shipment.lines.select_related("product"):
        left = line.quantity - line.short
        while left > 0:
            take = min(units_per_parcel, left)
            services.pack_scan(
                user=user, code=f"{take}*{line.product.barcode}", shipment_id=shipment.pk
            )
            services.parcel_close(user=user, shipment_id=shipment.pk, package_type_id=box.pk)
            left -= take
    shipment.refresh_from_db()


@pytest.fixture
def shipped_in_parcels(picked_wave, warehouse_user, box):
    """The picked wave's shipment (2 red mugs), packed one mug a parcel and shipped."""
    wave, shipment = picked_wave
    pack_in_parcels(shipment, warehouse_user, box)
    services.shipment_ship(
        shipment_id=shipment.pk, user=warehouse_user, tracking_number="RM123456789GB"
    )
    shipment.refresh_from_db()
    return wave, shipment


@pytest.fixture
def packed_wave(make_order, stocked, receive, bin_a, warehouse_user, royal_mail, box):
    """A wave of three one-mug orders, picked and packed (three parcels)."""
    receive(stocked, bin_a, 10)
    orders = [make_order(("MUG-RED", 1)) for _ in range(3)]
    for order in orders:
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="3*4006381333931", wave_id=wave.pk)
    for shipment in wave.shipments.order_by("wave_position"):
        pack_in_parcels(shipment, warehouse_user, box)
    return wave, [order.number for order in orders]
