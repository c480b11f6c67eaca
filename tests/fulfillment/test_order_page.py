"""The order page shows the warehouse's shipments: carrier, tracking link, what each holds."""

from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulfillment import services
from fulfillment.models import ShipmentLine
from inventory import services as inventory_services
from tests.factories import LocationFactory, ProductFactory, WarehouseFactory
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


def test_a_shipment_of_many_lines_lists_twenty_and_counts_the_rest_in_the_same_queries(
    client, make_order, stocked, bin_a, sales_user, warehouse_user
):
    # given an order of one line and one of 23 lines, each with its shipment
    one = make_order(("MUG-RED", 1))
    services.shipment_create_for_order(order_id=one.pk, user=warehouse_user)
    skus = [f"CUP-{n:02d}" for n in range(23)]
    for sku in skus:
        inventory_services.stock_receive(
            product=ProductFactory(sku=sku, name=f"Cup {sku}"), location=bin_a, quantity=1
        )
    many = make_order(*[(sku, 1) for sku in skus])
    services.shipment_create_for_order(order_id=many.pk, user=warehouse_user)
    client.force_login(sales_user)
    # when
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("orders:order_detail", args=[one.pk]))
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=ShipmentLine)
    try:
        with CaptureQueriesContext(connection) as big:
            page = client.get(reverse("orders:order_detail", args=[many.pk])).content.decode()
    finally:
        post_init.disconnect(count, sender=ShipmentLine)
    # then the section names the first twenty lines and counts the other three,
    # having loaded those twenty only
    section = page.split("data-order-shipments")[1].split("</section>")[0]
    assert [sku for sku in skus if f"1 × {sku}" in section] == skus[:20]
    assert "and 3 more lines" in section
    assert len(loaded) == 20
    assert len(big) == len(small)
    assert (
        "more line"
        not in client.get(reverse("orders:order_detail", args=[one.pk]))
        .content.decode()
        .split("data-order-shipments")[1]
        .split("</section>")[0]
    )
