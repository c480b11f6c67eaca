"""The order page shows the warehouse's shipments: carrier, tracking link, what each holds."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulfillment import services
from inventory import services as inventory_services
from tests.factories import LocationFactory, WarehouseFactory
from tests.fulfillment.conftest import pack_all


def ship(order, user, box, tracking):
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=user)
    wave = services.wave_create(user=user, shipment_ids=[shipment.pk])
    services.pick_scan(user=user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    quantity = shipment.lines.get().quantity
    services.pick_scan(user=user, code=f"{quantity}*4006381333931", wave_id=wave.pk)
    shipment.refresh_from_db()
    pack_all(shipment, user, box)
    return services.shipment_ship(shipment_id=shipment.pk, user=user, tracking_number=tracking)


def test_the_order_page_lists_shipments_with_their_tracking_link(
    client, make_order, stocked, sales_user, warehouse_user, royal_mail, box
):
    # given an order whose one shipment left with Royal Post
    order = make_order(("MUG-RED", 2))
    shipment = ship(order, warehouse_user, box, "RM777")
    client.force_login(sales_user)
    # when
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
    # then
    assert f'data-shipment="{shipment.number}"' in page
    assert 'href="https://rm.example/track?n=RM777"' in page
    assert "Royal Post · Tracked 48" in page
    assert "2 × MUG-RED" in page
    assert "data-no-shipments" not in page


def test_the_order_pages_shipments_cost_the_same_queries_for_more_shipments(
    client, make_order, product, stocked, sales_user, warehouse_user, royal_mail, box
):
    # given an order with one shipment, and one with three (one mug in each of three warehouses)
    one = make_order(("MUG-RED", 1))
    services.shipment_create_for_order(order_id=one.pk, user=warehouse_user)
    for code in ["NORTH", "SOUTH", "EAST"]:
        location = LocationFactory(warehouse=WarehouseFactory(code=code), code="A-01-01")
        inventory_services.stock_receive(product=product, location=location, quantity=1)
    three = make_order(("MUG-RED", 12))
    made = services.shipment_create_for_order(order_id=three.pk, user=warehouse_user)
    client.force_login(sales_user)
    # when
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("orders:order_detail", args=[one.pk]))
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("orders:order_detail", args=[three.pk])).content.decode()
    # then
    assert len(made) == 4
    assert page.count("data-shipment=") == 4
    assert len(many) == len(first)
