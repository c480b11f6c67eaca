"""The apps built on orders take part in its changes through explicit hooks."""

import pytest

from oms.errors import Conflict
from orders import hooks, services
from orders.hooks import OrderHooks
from orders.models import Order
from tests.factories import CustomerFactory, address_data


@pytest.fixture
def refusing():
    """Register an app whose hooks refuse every cancel and new address; take it away after."""
    calls = []

    def cancelled(*, order, user, reason):
        calls.append(("cancelled", order.status, reason))
        raise Conflict("The warehouse cannot let this go now.")

    def readdressed(*, order, user):
        calls.append(("readdressed", order.shipping_address.city))
        raise Conflict("A parcel is being packed for the old address.")

    hooks.register(OrderHooks(app="test-refusing", cancelled=cancelled, readdressed=readdressed))
    yield calls
    hooks._registered.pop("test-refusing")


@pytest.fixture
def placed(stocked, sales_user):
    return services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(city="Leeds"),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
        place=True,
    )


def test_a_hook_refusing_a_cancel_rolls_the_cancel_back(placed, sales_user, refusing):
    # given
    before = Order.objects.values_list("status", "version").get(pk=placed.pk)
    # when / then
    with pytest.raises(Conflict, match="cannot let this go"):
        services.order_cancel(order_id=placed.pk, user=sales_user, reason="customer asked")
    assert refusing == [("cancelled", Order.Status.CANCELLED, "customer asked")]
    assert Order.objects.values_list("status", "version").get(pk=placed.pk) == before


def test_a_hook_refusing_a_new_address_rolls_the_edit_back(placed, sales_user, refusing):
    # when / then
    with pytest.raises(Conflict, match="old address"):
        services.order_update(
            order_id=placed.pk,
            user=sales_user,
            shipping_address=address_data(city="York"),
        )
    assert refusing == [("readdressed", "York")]
    assert Order.objects.get(pk=placed.pk).shipping_address.city == "Leeds"


def test_sections_come_in_the_order_apps_registered(placed, sales_user):
    # given
    hooks.register(
        OrderHooks(app="test-a", page_section=lambda order, user: hooks.Section("a.html"))
    )
    hooks.register(OrderHooks(app="test-b", page_section=lambda order, user: None))
    try:
        # when
        sections = hooks.page_sections(order=placed, user=sales_user)
    finally:
        hooks._registered.pop("test-a")
        hooks._registered.pop("test-b")
    # then: the warehouse's shipments and the returns first (registered at start-up), then ours
    assert [section.template for section in sections] == [
        "fulfillment/_order_shipments.html",
        "returns/_order_returns.html",
        "a.html",
    ]
