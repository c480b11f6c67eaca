from decimal import Decimal

import pytest

from fulfillment import services as floor
from orders.models import OrderLine
from returns.models import (
    CreditNote,
    Disposition,
    Refund,
    Return,
    ReturnLine,
    ReturnReason,
    ReturnReceipt,
)
from returns.reasons import REASONS
from tests.conftest import stock_snapshot
from tests.factories import LocationFactory, ProductFactory
from tests.fulfillment import conftest as floor_fixtures

# The warehouse floor's fixtures: a customer, orders, a carrier and a box.
customer = floor_fixtures.customer
make_order = floor_fixtures.make_order
royal_mail = floor_fixtures.royal_mail
box = floor_fixtures.box


@pytest.fixture(autouse=True)
def reasons(db):
    """The seeded reasons (a flushed database loses the migration's rows)."""
    for position, (code, name, needs_note) in enumerate(REASONS):
        ReturnReason.objects.get_or_create(
            code=code, defaults={"name": name, "needs_note": needs_note, "position": position}
        )


def returns_snapshot():
    """Return everything a refused returns action must leave as it was."""
    return (
        stock_snapshot(),
        sorted(Return.objects.values_list("pk", "status", "version")),
        sorted(
            ReturnLine.objects.values_list(
                "pk",
                "quantity_requested",
                "quantity_authorized",
                "quantity_received",
                "quantity_decided",
            )
        ),
        sorted(OrderLine.objects.values_list("pk", "quantity_returned")),
        ReturnReceipt.objects.filter(undone_at=None).count(),
        Disposition.objects.filter(undone_at=None).count(),
        sorted(Refund.objects.values_list("pk", "status", "amount")),
        CreditNote.objects.count(),
    )


@pytest.fixture
def unchanged():
    return returns_snapshot


@pytest.fixture
def mug_blue(db):
    return ProductFactory(sku="MUG-BLUE", name="Blue mug", barcode="0036000291452", price="12.00")


def ship(order, user, box):
    """Pick, pack and ship every allocated unit of an order (one shipment)."""
    [shipment] = floor.shipment_create_for_order(order_id=order.pk, user=user)
    wave = floor.wave_create(user=user)
    for line in shipment.lines.select_related("product", "location"):
        floor.pick_scan(user=user, code=line.location.barcode, wave_id=wave.pk)
        floor.pick_scan(user=user, code=f"{line.quantity}*{line.product.barcode}", wave_id=wave.pk)
    floor.pack_scan(user=user, code=shipment.number)
    for line in shipment.lines.select_related("product"):
        floor.pack_scan(
            user=user, code=f"{line.quantity}*{line.product.barcode}", shipment_id=shipment.pk
        )
    floor.parcel_close(user=user, shipment_id=shipment.pk, package_type_id=box.pk)
    floor.shipment_ship(shipment_id=shipment.pk, user=user, tracking_number="RM123456785GB")
    order.refresh_from_db()
    return shipment


@pytest.fixture
def shipped_order(make_order, stocked, mug_blue, bin_a, warehouse_user, royal_mail, box):
    """An order of 2 red mugs (9.90) and 1 blue mug (12.00), paid 31.80 and shipped."""
    from inventory import services as inventory_services

    inventory_services.stock_receive(product=mug_blue, location=bin_a, quantity=5, reference="PO-T")
    order = make_order(("MUG-RED", 2), ("MUG-BLUE", 1))
    ship(order, warehouse_user, box)
    return order


@pytest.fixture
def paid_order(shipped_order, sales_user):
    """The shipped order, with what it costs paid by card."""
    from orders.models import Payment

    Payment.objects.create(
        order=shipped_order, method="card", amount=shipped_order.total, reference="ch_1"
    )
    return shipped_order


@pytest.fixture
def bin_c(warehouse):
    return LocationFactory(warehouse=warehouse, code="B-01-01", pick_sequence=30)


def red_line(order):
    return order.lines.get(sku="MUG-RED")


TOTAL = Decimal("31.80")
