"""A shipment keeps the address it is picked and packed for; holding an order opens nothing.

Labels, packing slips, the shipment page and the API read the shipment's own
address (``Shipment.ship_to``), not the order's live one.
"""

import pytest
from django.urls import reverse

from fulfillment import services
from fulfillment.documents import shipment_label_contexts
from fulfillment.models import Shipment
from oms.errors import Conflict, TransitionRefused
from orders import services as order_services
from orders.models import Address, Order, OrderEvent
from tests.documents.reading import page_texts
from tests.factories import address_data
from tests.orders.states import order_in

NEW_ADDRESS = address_data(name="Ann Lee", line1="9 New Road", city="York", postal_code="YO1 7HH")


@pytest.fixture
def order_at(stocked, sales_user, warehouse_user):
    def make(state):
        return order_in(state, sales_user=sales_user, warehouse_user=warehouse_user)

    return make


def test_a_shipment_is_made_for_the_order_address(make_order, stocked, warehouse_user):
    # given
    order = make_order(("MUG-RED", 2))
    # when
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    order.refresh_from_db()
    assert shipment.ship_to_id == order.shipping_address_id
    assert shipment.ship_to.line1 == "1 High St"


def test_a_held_processing_order_keeps_its_address(order_at, sales_user, api_as, client, floor):
    # given: picking started, then the order was put on hold
    order = order_at("on_hold:processing")
    client.force_login(sales_user)
    before = floor()
    addresses = Address.objects.count()
    # when
    with pytest.raises(TransitionRefused, match=r"on hold \(it was processing\)"):
        order_services.order_update(
            order_id=order.pk, user=sales_user, shipping_address=NEW_ADDRESS
        )
    api = api_as(sales_user).patch(
        f"/api/v1/orders/{order.pk}/", {"shipping_address": NEW_ADDRESS}, format="json"
    )
    page = client.get(reverse("orders:order_detail", args=[order.pk]))
    # then
    assert api.status_code == 409
    assert "shipping_address" not in page.context["editable"]
    assert 'name="shipping_address-line1"' not in page.content.decode()
    assert floor() == before
    assert Address.objects.count() == addresses


def test_a_pending_shipment_follows_the_new_address(order_at, sales_user, warehouse_user):
    # given: allocated, its shipment made but nothing picked, then held
    order = order_at("allocated")
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    order_services.order_hold(order_id=order.pk, user=sales_user, reason="Customer moving")
    # when
    order = order_services.order_update(
        order_id=order.pk, user=sales_user, shipping_address=NEW_ADDRESS
    )
    # then
    shipment.refresh_from_db()
    assert shipment.ship_to_id == order.shipping_address_id
    assert shipment_label_contexts(shipment)[0]["recipient"]["city"] == "York"
    assert order.events.filter(
        type=OrderEvent.Type.SHIPMENT, note=f"Shipment {shipment} will go to the new address"
    ).exists()


def test_an_address_change_is_refused_while_a_shipment_is_picked_for_the_old_one(
    order_at, sales_user, warehouse_user, floor
):
    # given: the order went on hold with its shipment in a wave, and was picked all the same
    order = order_at("allocated")
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user, shipment_ids=[shipment.pk])
    order_services.order_hold(order_id=order.pk, user=sales_user, reason="Check address")
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="4006381333931", wave_id=wave.pk)
    before = floor()
    addresses = Address.objects.count()
    # when
    with pytest.raises(Conflict) as refused:
        order_services.order_update(
            order_id=order.pk, user=sales_user, shipping_address=NEW_ADDRESS
        )
    # then
    assert refused.value.code == "shipment_started"
    assert f"Shipment {shipment} of order {order} is already picking" in refused.value.message
    assert floor() == before
    assert Address.objects.count() == addresses


@pytest.fixture
def moved_after_first_parcel(order_at, sales_user):
    """12 mugs ordered, 10 shipped to 1 High St; then the customer moved (2 still to come)."""
    order = order_at("partially_shipped")
    shipped = Shipment.objects.get(order=order, status=Shipment.Status.SHIPPED)
    order_services.order_update(order_id=order.pk, user=sales_user, shipping_address=NEW_ADDRESS)
    shipped.refresh_from_db()
    return Order.objects.get(pk=order.pk), shipped


def test_a_reprinted_label_shows_the_address_the_parcel_went_to(
    moved_after_first_parcel, client, warehouse_user
):
    # given
    order, shipped = moved_after_first_parcel
    client.force_login(warehouse_user)
    # when
    label = client.get(reverse("fulfillment:shipment_label", args=[shipped.pk]))
    slip = client.get(reverse("fulfillment:shipment_packing_slip", args=[shipped.pk]))
    # then
    assert order.shipping_address.line1 == "9 New Road"
    [label_text] = page_texts(label.content)
    assert "1 High St" in label_text
    assert "9 New Road" not in label_text
    assert "York" not in label_text
    [slip_text] = page_texts(slip.content)
    assert "1 High St" in slip_text
    assert "9 New Road" not in slip_text


def test_the_shipment_page_and_api_show_the_shipment_address(
    moved_after_first_parcel, client, api_as, warehouse_user
):
    # given
    _, shipped = moved_after_first_parcel
    client.force_login(warehouse_user)
    # when
    page = client.get(reverse("fulfillment:shipment_detail", args=[shipped.pk]))
    body = api_as(warehouse_user).get(f"/api/v1/shipments/{shipped.pk}/").json()
    # then
    assert "1 High St" in page.content.decode()
    assert "9 New Road" not in page.content.decode()
    assert body["ship_to"]["line1"] == "1 High St"


def test_the_rest_of_a_moved_order_ships_to_the_new_address(
    moved_after_first_parcel,
    receive,
    product,
    bin_a,
    warehouse_user,
    django_capture_on_commit_callbacks,
):
    # given: the 2 missing mugs arrive and are allocated to the order
    order, _ = moved_after_first_parcel
    with django_capture_on_commit_callbacks(execute=True):
        receive(product, bin_a, 5)
    # when
    [second] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    # then
    assert second.ship_to.line1 == "9 New Road"
    assert shipment_label_contexts(second)[0]["recipient"]["city"] == "York"


def test_addresses_cannot_be_edited_in_the_admin(client, admin_user, order_at):
    # given: orders and shipments keep the copy they were made with
    order = order_at("shipped")
    address = order.shipping_address
    client.force_login(admin_user)
    url = reverse("admin:orders_address_change", args=[address.pk])
    # when
    page = client.get(url)
    response = client.post(url, {**address_data(line1="Rewritten"), "customer": ""})
    # then
    assert page.status_code == 200
    assert 'name="line1"' not in page.content.decode()
    assert response.status_code == 403
    address.refresh_from_db()
    assert address.line1 == "1 High St"
