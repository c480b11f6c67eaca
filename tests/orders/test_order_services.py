from decimal import Decimal

import pytest

from inventory import services as inventory_services
from inventory.models import StockLevel
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from orders import services
from orders.models import LineAllocation, Order, OrderEvent, OrderLine, Payment
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, ProductFactory, address_data


def orders_snapshot():
    return (
        sorted(Order.objects.values_list("pk", "status", "version", "total")),
        sorted(OrderLine.objects.values_list("pk", "quantity_allocated", "quantity_backordered")),
        Payment.objects.count(),
        OrderEvent.objects.count(),
        LineAllocation.objects.filter(quantity__gt=0).count(),
        stock_snapshot(),
    )


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ann Lee", email="ann@example.com")


@pytest.fixture
def placed(customer, stocked, sales_user):
    """A placed order for 2 red mugs (10 in stock)."""
    return services.order_create(
        customer=customer,
        user=sales_user,
        channel="web",
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        place=True,
    )


def test_create_draft_snapshots_lines_and_totals(customer, stocked, sales_user):
    # given
    plate = ProductFactory(sku="PLATE", name="Plate", price="4.25")
    # when
    order = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 2}, {"sku": "plate", "quantity": "3"}],
        shipping_price="3.95",
    )
    # then
    assert order.status == Order.Status.DRAFT
    assert order.number == f"SO-{order.pk:06d}"
    assert [
        (line.sku, line.name, line.unit_price, line.quantity) for line in order.lines.all()
    ] == [
        ("MUG-RED", "Red mug", Decimal("9.90"), 2),
        ("PLATE", "Plate", Decimal("4.25"), 3),
    ]
    assert order.subtotal == Decimal("32.55")
    assert order.total == Decimal("36.50")
    assert order.created_by == sales_user
    assert order.events.get().type == OrderEvent.Type.CREATED
    # price changes later do not rewrite the order
    plate.price = Decimal("99")
    plate.save()
    assert order.lines.get(sku="PLATE").unit_price == Decimal("4.25")


def test_order_numbers_are_unique(customer, stocked, sales_user):
    # when
    numbers = {
        services.order_create(
            customer=customer, user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
        ).number
        for _ in range(5)
    }
    # then
    assert len(numbers) == 5


@pytest.mark.parametrize(
    ("lines", "field", "message"),
    [
        ([], "lines", "at least one line"),
        ([{"sku": "NOPE", "quantity": 1}], "lines[0].sku", "no product with SKU 'NOPE'"),
        ([{"sku": "MUG-RED", "quantity": 0}], "lines[0].quantity", "at least 1"),
        ([{"sku": "MUG-RED", "quantity": -2}], "lines[0].quantity", "at least 1"),
        ([{"sku": "MUG-RED", "quantity": "two"}], "lines[0].quantity", "whole number"),
        ([{"sku": "MUG-RED", "quantity": 1.5}], "lines[0].quantity", "whole number"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(
    customer, stocked, sales_user, lines, field, message
):
    # given
    before = orders_snapshot()
    # when
    with pytest.raises(InvalidInput, match=message) as error:
        services.order_create(customer=customer, user=sales_user, lines=lines)
    # then
    assert field in error.value.errors
    assert orders_snapshot() == before


def test_an_inactive_product_cannot_be_ordered(customer, sales_user):
    # given
    ProductFactory(sku="OLD", name="Old mug", is_active=False)
    before = orders_snapshot()
    # when
    with pytest.raises(InvalidInput, match="no longer sold"):
        services.order_create(
            customer=customer, user=sales_user, lines=[{"sku": "OLD", "quantity": 1}]
        )
    # then
    assert orders_snapshot() == before


def test_an_external_reference_is_used_once_per_channel(customer, stocked, sales_user):
    # given
    services.order_create(
        customer=customer,
        user=sales_user,
        channel="web",
        external_reference="WEB-1001",
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )
    before = orders_snapshot()
    # when
    with pytest.raises(Conflict, match="WEB-1001"):
        services.order_create(
            customer=customer,
            user=sales_user,
            channel="web",
            external_reference="WEB-1001",
            lines=[{"sku": "MUG-RED", "quantity": 1}],
        )
    # then
    assert orders_snapshot() == before
    # and the same reference on another channel is another order
    services.order_create(
        customer=customer,
        user=sales_user,
        channel="marketplace",
        external_reference="WEB-1001",
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )


def test_placing_needs_a_shipping_address(customer, stocked, sales_user):
    # given
    order = services.order_create(
        customer=customer, user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    before = orders_snapshot()
    # when
    with pytest.raises(InvalidInput, match="shipping address"):
        services.order_place(order_id=order.pk, user=sales_user)
    # then
    assert orders_snapshot() == before


def test_a_bad_address_names_each_missing_field(customer, stocked, sales_user):
    # when
    with pytest.raises(InvalidInput) as error:
        services.order_create(
            customer=customer,
            user=sales_user,
            shipping_address={"name": "Ann", "country": "England"},
            lines=[{"sku": "MUG-RED", "quantity": 1}],
        )
    # then
    assert set(error.value.errors) == {
        "shipping_address.line1",
        "shipping_address.city",
        "shipping_address.country",
    }
    assert Order.objects.count() == 0


def test_confirm_allocates_stock_when_there_is_enough(placed, sales_user, bin_a):
    # when
    order = services.order_confirm(
        order_id=placed.pk,
        user=sales_user,
        payment={"method": "card", "amount": "19.80", "reference": "ch_1"},
    )
    # then
    assert order.status == Order.Status.ALLOCATED
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (2, 0)
    assert StockLevel.objects.get(location=bin_a).allocated == 2
    assert list(LineAllocation.objects.values_list("location_id", "quantity")) == [(bin_a.pk, 2)]
    assert order.payments.get().amount == Decimal("19.80")
    types = list(order.events.values_list("type", "to_status"))
    assert ("payment", "") in types and ("allocated", "") in types
    assert types[-1] == ("status", "allocated")


def test_confirm_backorders_what_is_short(customer, stocked, sales_user, bin_a):
    # given 10 in stock, 12 ordered
    order = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        place=True,
        lines=[{"sku": "MUG-RED", "quantity": 12}],
    )
    # when
    order = services.order_confirm(order_id=order.pk, user=sales_user)
    # then
    assert order.status == Order.Status.BACKORDERED
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (10, 2)
    assert StockLevel.objects.get(location=bin_a).allocated == 10


def test_confirm_takes_from_bins_in_walking_order_across_lines(customer, sales_user, bin_a, bin_b):
    # given the same product on two lines, stock split over two bins
    mug = ProductFactory(sku="MUG")
    inventory_services.stock_receive(product=mug, location=bin_b, quantity=3)
    inventory_services.stock_receive(product=mug, location=bin_a, quantity=2)
    order = services.order_create(
        customer=customer,
        user=sales_user,
        place=True,
        shipping_address=address_data(),
        lines=[{"sku": "MUG", "quantity": 3}, {"sku": "MUG", "quantity": 1}],
    )
    # when
    services.order_confirm(order_id=order.pk, user=sales_user)
    # then the first line takes bin A (first in walking order) then B, the second the rest of B
    first, second = order.lines.order_by("position")
    assert sorted(first.allocations.values_list("location__code", "quantity")) == [
        ("A-01-01", 2),
        ("A-01-02", 1),
    ]
    assert list(second.allocations.values_list("location__code", "quantity")) == [("A-01-02", 1)]


@pytest.mark.parametrize(
    ("payment", "message"),
    [
        ({"method": "card", "amount": "19.81"}, "more than the 19.80 still due"),
        ({"method": "card", "amount": "19.80", "currency": "EUR"}, "in GBP"),
        ({"method": "card", "amount": "0"}, "more than zero"),
        ({"method": "card", "amount": "abc"}, "amount such as"),
        ({"method": "cheque", "amount": "1"}, "Unknown payment method"),
    ],
)
def test_bad_payments_are_refused_and_nothing_changes(placed, sales_user, payment, message):
    # given
    before = orders_snapshot()
    # when
    with pytest.raises(InvalidInput, match=message):
        services.order_confirm(order_id=placed.pk, user=sales_user, payment=payment)
    # then
    assert orders_snapshot() == before
    placed.refresh_from_db()
    assert placed.status == Order.Status.PLACED


def test_confirming_a_draft_is_refused_and_nothing_changes(customer, stocked, sales_user):
    # given
    draft = services.order_create(
        customer=customer, user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    before = orders_snapshot()
    # when
    with pytest.raises(TransitionRefused, match="is draft"):
        services.order_confirm(order_id=draft.pk, user=sales_user)
    # then
    assert orders_snapshot() == before


def test_warehouse_staff_cannot_confirm_orders(placed, warehouse_user):
    # given
    before = orders_snapshot()
    # when
    with pytest.raises(NotAllowed):
        services.order_confirm(order_id=placed.pk, user=warehouse_user)
    # then
    assert orders_snapshot() == before


def test_warehouse_staff_cannot_create_orders(customer, stocked, warehouse_user):
    # when
    with pytest.raises(NotAllowed):
        services.order_create(
            customer=customer, user=warehouse_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
        )
    # then
    assert Order.objects.count() == 0


def test_unknown_order_is_not_found(db, sales_user):
    # then
    with pytest.raises(NotFound):
        services.order_confirm(order_id=424242, user=sales_user)


def test_cancel_releases_allocations(placed, sales_user, bin_a):
    # given
    services.order_confirm(order_id=placed.pk, user=sales_user)
    # when
    order = services.order_cancel(order_id=placed.pk, user=sales_user, reason="customer request")
    # then
    assert order.status == Order.Status.CANCELLED
    assert StockLevel.objects.get(location=bin_a).allocated == 0
    assert order.lines.get().quantity_allocated == 0
    assert order.events.last().note == "customer request"


def test_cancel_after_goods_shipped_is_refused(placed, sales_user):
    # given
    services.order_confirm(order_id=placed.pk, user=sales_user)
    OrderLine.objects.filter(order=placed).update(quantity_shipped=1, quantity_allocated=1)
    before = orders_snapshot()
    # when
    with pytest.raises(TransitionRefused, match="already shipped"):
        services.order_cancel(order_id=placed.pk, user=sales_user, reason="late")
    # then
    assert orders_snapshot() == before


def test_cancelling_twice_is_refused(placed, sales_user):
    # given
    services.order_cancel(order_id=placed.pk, user=sales_user)
    before = orders_snapshot()
    # when
    with pytest.raises(TransitionRefused, match="cancelled"):
        services.order_cancel(order_id=placed.pk, user=sales_user)
    # then
    assert orders_snapshot() == before


def test_hold_and_release_return_to_the_same_state_keeping_stock(placed, sales_user, bin_a):
    # given
    services.order_confirm(order_id=placed.pk, user=sales_user)
    # when
    held = services.order_hold(order_id=placed.pk, user=sales_user, reason="address check")
    released = services.order_release(order_id=placed.pk, user=sales_user)
    # then
    assert held.status == Order.Status.ON_HOLD
    assert released.status == Order.Status.ALLOCATED
    assert StockLevel.objects.get(location=bin_a).allocated == 2
    assert list(placed.events.filter(type="status").values_list("from_status", "to_status"))[
        -2:
    ] == [("allocated", "on_hold"), ("on_hold", "allocated")]


def test_a_vip_customer_makes_a_vip_order(stocked, sales_user):
    # given
    vip = CustomerFactory(is_vip=True)
    # when
    order = services.order_create(
        customer=vip, user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    # then
    assert order.is_vip


def test_customer_get_or_create_matches_email_case_insensitively(db):
    # given
    ann = services.customer_get_or_create(email="Ann@Example.com", name="Ann Lee")
    # when
    again = services.customer_get_or_create(email="ann@example.com", name="Someone else")
    # then
    assert again.pk == ann.pk


def test_edit_lines_of_a_placed_order_keeps_removed_lines_on_record(placed, sales_user):
    # given
    ProductFactory(sku="PLATE", price="4.00")
    # when
    order = services.order_update(
        order_id=placed.pk,
        user=sales_user,
        expected_version=placed.version,
        lines=[{"sku": "PLATE", "quantity": 2}],
    )
    # then
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [("PLATE", 2)]
    assert (
        OrderLine.all_objects.filter(order=order, sku="MUG-RED").exclude(removed_at=None).exists()
    )
    assert order.total == Decimal("8.00")
    assert order.version == placed.version + 1
    assert "lines: 2 × PLATE" in order.events.last().note


def test_a_stale_edit_says_who_changed_what_and_saves_nothing(placed, sales_user, manager_user):
    # given the manager changes the address first
    loaded_version = placed.version
    services.order_update(
        order_id=placed.pk,
        user=manager_user,
        expected_version=loaded_version,
        shipping_address=address_data(line1="2 Low St"),
    )
    before = orders_snapshot()
    # when the rep saves an edit made on the old version
    with pytest.raises(services.StaleEdit) as error:
        services.order_update(
            order_id=placed.pk,
            user=sales_user,
            expected_version=loaded_version,
            notes="leave at door",
        )
    # then
    assert "maya.manager" in error.value.message
    assert "shipping address" in error.value.message
    assert orders_snapshot() == before


def test_lines_cannot_change_once_allocated(placed, sales_user):
    # given
    order = services.order_confirm(order_id=placed.pk, user=sales_user)
    before = orders_snapshot()
    # when
    with pytest.raises(TransitionRefused, match="lines can no longer be changed"):
        services.order_update(
            order_id=order.pk, user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 5}]
        )
    # then
    assert orders_snapshot() == before


def test_an_edit_that_changes_nothing_does_not_bump_the_version(placed, sales_user):
    # when
    order = services.order_update(
        order_id=placed.pk, user=sales_user, shipping_address=address_data()
    )
    # then
    assert order.version == placed.version
