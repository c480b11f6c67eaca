"""Carrier tracking updates: a carrier's own role, checked delivery times, numbers unique per carrier."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from fulfillment import services
from fulfillment.models import Shipment
from oms.errors import Conflict, InvalidInput
from oms.roles import Role
from orders.models import Order
from tests.factories import UserFactory
from tests.fulfillment.conftest import pack_all


@pytest.fixture
def two_packed(make_order, stocked, warehouse_user, royal_mail, box):
    """Two packed shipments of one red mug each, going with Royal Post."""
    orders = [make_order(("MUG-RED", 1)), make_order(("MUG-RED", 1))]
    shipments = [
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)[0]
        for order in orders
    ]
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="2*4006381333931", wave_id=wave.pk)
    for shipment in shipments:
        shipment.refresh_from_db()
        pack_all(shipment, warehouse_user, box)
    return shipments


@pytest.fixture
def carrier_api(api_as):
    return api_as(UserFactory(username="rm.webhook", roles=[Role.CARRIER], is_staff=False))


@pytest.fixture
def shipped(two_packed, warehouse_user):
    first, _ = two_packed
    return services.shipment_ship(shipment_id=first.pk, user=warehouse_user, tracking_number="RM1")


def test_a_tracking_number_is_refused_when_the_carrier_already_used_it(
    two_packed, warehouse_user, floor
):
    # given
    first, second = two_packed
    services.shipment_ship(shipment_id=first.pk, user=warehouse_user, tracking_number="RM1")
    before = floor()
    # when
    with pytest.raises(Conflict, match="RM1 is already on another Royal Post shipment") as error:
        services.shipment_ship(shipment_id=second.pk, user=warehouse_user, tracking_number="RM1")
    # then
    assert error.value.errors == {"tracking_number": [error.value.message]}
    assert floor() == before


def test_the_database_refuses_a_second_shipment_with_the_same_number(shipped, two_packed):
    # given
    _, second = two_packed
    # when / then
    with pytest.raises(IntegrityError):
        Shipment.objects.filter(pk=second.pk).update(carrier=shipped.carrier, tracking_number="RM1")


def test_two_carriers_may_share_a_number_and_an_update_must_then_name_the_carrier(
    two_packed, warehouse_user, local_courier, floor
):
    # given
    first, second = two_packed
    services.shipment_ship(shipment_id=first.pk, user=warehouse_user, tracking_number="X1")
    services.shipment_ship(
        shipment_id=second.pk, user=warehouse_user, carrier="LOC", tracking_number="X1"
    )
    before = floor()
    # when
    with pytest.raises(InvalidInput, match="more than one carrier"):
        services.tracking_update(tracking_number="X1", user=warehouse_user)
    unchanged = floor()
    services.tracking_update(tracking_number="X1", user=warehouse_user, carrier="LOC")
    # then
    assert unchanged == before
    statuses = dict(Shipment.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "shipped", second.pk: "delivered"}


def test_a_delivery_in_the_future_is_refused_and_changes_nothing(shipped, warehouse_user, floor):
    # given
    before = floor()
    # when
    with pytest.raises(InvalidInput, match="in the future") as error:
        services.tracking_update(
            tracking_number="RM1",
            user=warehouse_user,
            delivered_at=timezone.now() + timedelta(hours=2),
        )
    # then
    assert error.value.field == "delivered_at"
    assert floor() == before


def test_a_delivery_before_the_shipment_shipped_is_refused_and_changes_nothing(
    shipped, warehouse_user, floor
):
    # given
    before = floor()
    # when
    with pytest.raises(InvalidInput, match=r"before shipment .* shipped"):
        services.tracking_update(
            tracking_number="RM1",
            user=warehouse_user,
            delivered_at=shipped.shipped_at - timedelta(minutes=1),
        )
    # then
    assert floor() == before


def test_a_carrier_account_posts_tracking_and_sees_nothing_of_the_order(shipped, carrier_api):
    # given
    when = timezone.now()
    # when
    response = carrier_api.post(
        "/api/v1/tracking/",
        {"tracking_number": "RM1", "carrier": "RM", "delivered_at": when.isoformat()},
        format="json",
    )
    # then
    assert response.status_code == 200, response.json()
    [answer] = response.json()["shipments"]
    assert set(answer) == {"number", "status", "tracking_number", "delivered_at"}
    assert answer["status"] == "delivered"
    assert Order.objects.get(pk=shipped.order_id).status == Order.Status.DELIVERED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/shipments/"),
        ("get", "/api/v1/orders/"),
        ("get", "/api/v1/customers/"),
        ("get", "/api/v1/products/"),
        ("post", "/api/v1/scans/pick/"),
        ("post", "/api/v1/orders/"),
    ],
)
def test_a_carrier_account_can_do_nothing_else(shipped, carrier_api, floor, method, path):
    # given
    before = floor()
    # when
    response = getattr(carrier_api, method)(path, {}, format="json")
    # then
    assert response.status_code == 403
    assert floor() == before


def test_the_api_refuses_a_future_delivery_with_a_message_per_field(shipped, carrier_api, floor):
    # given
    before = floor()
    # when
    response = carrier_api.post(
        "/api/v1/tracking/",
        {
            "tracking_number": "RM1",
            "delivered_at": (timezone.now() + timedelta(days=1)).isoformat(),
        },
        format="json",
    )
    # then
    assert response.status_code == 400
    assert "delivered_at" in response.json()["errors"]
    assert floor() == before
