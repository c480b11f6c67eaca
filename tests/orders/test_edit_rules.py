"""What may change on an order in which state: every field in every state, through the
service, the order page and the API. A refusal names the state and changes nothing."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from fulfillment.models import Shipment
from oms.errors import Conflict, DomainError, InvalidInput, TransitionRefused
from orders import services
from orders.models import Address, Order, OrderEvent, OrderLine, Payment
from tests.conftest import stock_snapshot
from tests.factories import ProductFactory, address_data
from tests.orders.states import ALL_STATES, order_in

# The shipping services the desk and the order page offer come from the warehouse's table.
pytestmark = pytest.mark.usefixtures("shipping_services")

FIELDS = [
    "lines",
    "shipping_address",
    "billing_address",
    "shipping_method",
    "shipping_price",
    "ship_policy",
    "priority",
    "is_vip",
    "notes",
]
EVERYTHING = set(FIELDS)
NOT_LINES = EVERYTHING - {"lines"}
# Written out by hand (not read from orders.services.editing), so that a change to the
# rules there has to be made here too.
EDITABLE = {
    "draft": EVERYTHING,
    "placed": EVERYTHING,
    "allocated": NOT_LINES,
    "backordered": NOT_LINES,
    "processing": NOT_LINES - {"shipping_address"},
    "partially_shipped": {"shipping_address", "ship_policy", "priority", "is_vip", "notes"},
    "shipped": {"notes"},
    "delivered": {"notes"},
    "completed": {"notes"},
    "cancelled": {"notes"},
}
EDITABLE.update({state: EDITABLE[state.split(":")[1]] for state in ALL_STATES if ":" in state})
STATE_WORDS = {
    "partially_shipped": "partially shipped",
    **{
        f"on_hold:{state}": f"on hold (it was {state.replace('_', ' ')})"
        for state in ["placed", "allocated", "backordered", "processing", "partially_shipped"]
    },
}
# A new value for each field, never below what was paid.
NEW = {
    "lines": [{"sku": "MUG-RED", "quantity": 3}],
    "shipping_address": address_data(line1="9 New Road"),
    "billing_address": address_data(line1="8 Bill Street"),
    "shipping_method": "express",
    "shipping_price": "9.95",
    "ship_policy": "complete",
    "priority": 5,
    "is_vip": True,
    "notes": "Ring twice",
}


def each_field(fields, check) -> list[str]:
    """Run check(field) for each field on the same order, each undone after; return failures.

    One order per state serves every field: each edit runs in a savepoint that is
    rolled back, so the next field starts from the same order.
    """
    problems = []
    for field in fields:
        with transaction.atomic():
            try:
                check(field)
            except (AssertionError, DomainError) as error:
                problems.append(f"{field}: {type(error).__name__}: {error}")
            transaction.set_rollback(True)
    return problems


def snapshot():
    """Return every row an edit could touch."""
    return (
        sorted(
            Order.objects.values_list(
                "pk",
                "status",
                "version",
                "shipping_address_id",
                "billing_address_id",
                "shipping_method",
                "shipping_price",
                "ship_policy",
                "priority",
                "is_vip",
                "notes",
                "subtotal",
                "total",
            )
        ),
        sorted(OrderLine.all_objects.values_list("pk", "quantity", "removed_at")),
        sorted(Shipment.objects.values_list("pk", "status", "ship_to_id", "version")),
        OrderEvent.objects.count(),
        Address.objects.count(),
        Payment.objects.count(),
        stock_snapshot(),
    )


def value_of(order: Order, field: str):
    """Return what the edit of ``field`` with NEW[field] should have set, as it reads back."""
    order = Order.objects.get(pk=order.pk)
    if field == "lines":
        return [(line.sku, line.quantity) for line in order.lines.all()]
    if field in {"shipping_address", "billing_address"}:
        return getattr(order, field).line1
    if field == "shipping_price":
        return str(order.shipping_price)
    return getattr(order, field)


EXPECTED = {
    "lines": [("MUG-RED", 3)],
    "shipping_address": "9 New Road",
    "billing_address": "8 Bill Street",
    "shipping_method": "express",
    "shipping_price": "9.95",
    "ship_policy": "complete",
    "priority": 5,
    "is_vip": True,
    "notes": "Ring twice",
}


@pytest.fixture
def order_at(stocked, sales_user, warehouse_user):
    def make(state):
        return order_in(state, sales_user=sales_user, warehouse_user=warehouse_user)

    return make


def test_the_table_covers_every_state_and_field():
    assert set(EDITABLE) == set(ALL_STATES)
    assert {field for fields in EDITABLE.values() for field in fields} == EVERYTHING


# --- the service --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ALL_STATES)
def test_the_service_changes_a_field_only_in_the_states_that_allow_it(order_at, sales_user, state):
    # given
    order = order_at(state)
    before = snapshot()

    def check(field):
        # when / then
        if field in EDITABLE[state]:
            services.order_update(order_id=order.pk, user=sales_user, **{field: NEW[field]})
            assert value_of(order, field) == EXPECTED[field]
            assert order.events.order_by("pk").last().type == OrderEvent.Type.UPDATED
            return
        with pytest.raises(TransitionRefused) as refused:
            services.order_update(order_id=order.pk, user=sales_user, **{field: NEW[field]})
        assert f"is {STATE_WORDS.get(state, state)}: its " in refused.value.message
        assert refused.value.errors == {field: [refused.value.message]}
        assert snapshot() == before

    assert each_field(FIELDS, check) == []
    assert snapshot() == before


@pytest.mark.parametrize("state", ["shipped", "cancelled", "on_hold:processing"])
def test_a_field_sent_with_the_value_it_has_is_no_change_in_any_state(order_at, sales_user, state):
    # given
    order = order_at(state)
    before = snapshot()
    # when
    services.order_update(
        order_id=order.pk,
        user=sales_user,
        shipping_price=str(order.shipping_price),
        shipping_method=order.shipping_method,
        shipping_address=address_data(),
        lines=[{"sku": line.sku, "quantity": line.quantity} for line in order.lines.all()],
    )
    # then
    assert snapshot() == before


def test_shipping_price_cannot_bring_the_total_below_what_was_paid(order_at, sales_user):
    # given: 2 x 9.90 + 3.95 shipping = 23.75, paid in full
    order = order_at("allocated")
    before = snapshot()
    # when
    with pytest.raises(Conflict) as refused:
        services.order_update(order_id=order.pk, user=sales_user, shipping_price="0.00")
    # then
    assert refused.value.code == "below_paid"
    assert "has 23.75 GBP paid" in refused.value.message
    assert "total to 19.80, below what was paid" in refused.value.message
    assert refused.value.errors["shipping_price"]
    assert snapshot() == before


def test_shipping_price_can_go_down_while_nothing_is_paid(order_at, sales_user):
    # given
    order = order_at("placed")
    # when
    order = services.order_update(order_id=order.pk, user=sales_user, shipping_price="0.00")
    # then
    assert (order.shipping_price, order.total) == (Decimal("0.00"), Decimal("19.80"))


def test_a_total_past_what_an_order_can_hold_is_refused(stocked, sales_user):
    # given
    ProductFactory(sku="YACHT", price="9999999999.99")
    order = order_in("placed", sales_user=sales_user, warehouse_user=None)
    before = snapshot()
    # when
    with pytest.raises(InvalidInput) as refused:
        services.order_update(
            order_id=order.pk, user=sales_user, lines=[{"sku": "YACHT", "quantity": 2}]
        )
    # then
    assert refused.value.code == "total_too_large"
    assert "more than one order can hold (9,999,999,999.99)" in refused.value.message
    assert snapshot() == before


# --- the order page -----------------------------------------------------------------------------


def page_post(client, order: Order, field: str):
    """Post the order page's edit form as the page shows it, with one field changed."""
    page = client.get(reverse("orders:order_detail", args=[order.pk]))
    version = page.context["order"].version
    if field == "lines":
        rows = page.context["line_rows"] if page.context["can_edit_lines"] else []
        data = {
            "version": version,
            "line_sku": [row["sku"] for row in rows if row["sku"]] or ["MUG-RED"],
            "line_qty": ["3"],
        }
        return client.post(reverse("orders:order_edit_lines", args=[order.pk]), data)
    form = page.context["options_form"]
    data = {"version": version}
    for name, bound in form.fields.items():
        value = form.initial.get(name, bound.initial)
        if name == "is_vip":
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    if "shipping_address" in page.context["editable"]:
        data.update({f"shipping_address-{k}": v for k, v in address_data().items()})
    if field == "shipping_address":
        data.update({f"shipping_address-{k}": v for k, v in NEW[field].items()})
    elif field == "is_vip":
        data["is_vip"] = "on"
    else:
        data[field] = str(NEW[field])
    return client.post(reverse("orders:order_edit", args=[order.pk]), data)


# The page edits the shipping address (not the billing one) and no priority.
PAGE_FIELDS = [field for field in FIELDS if field not in {"billing_address", "priority"}]


@pytest.mark.parametrize("state", ALL_STATES)
def test_the_page_offers_and_saves_a_field_only_in_the_states_that_allow_it(
    client, order_at, sales_user, state
):
    # given
    order = order_at(state)
    client.force_login(sales_user)
    page = client.get(reverse("orders:order_detail", args=[order.pk]))
    before = snapshot()

    def check(field):
        # when
        response = page_post(client, order, field)
        # then
        if field == "lines":
            offered = page.context["can_edit_lines"]
        else:
            editable = page.context["editable"]
            form_fields = page.context["options_form"].fields
            offered = field in editable and (field == "shipping_address" or field in form_fields)
        if field in EDITABLE[state]:
            assert offered
            assert response.status_code == 302
            assert value_of(order, field) == EXPECTED[field]
            return
        assert not offered
        assert response.status_code == 409
        assert f"is {STATE_WORDS.get(state, state)}: its " in response.content.decode()
        assert snapshot() == before

    assert each_field(PAGE_FIELDS, check) == []


def test_a_shipped_order_page_offers_notes_only(client, order_at, sales_user):
    # given
    order = order_at("shipped")
    client.force_login(sales_user)
    # when
    page = client.get(reverse("orders:order_detail", args=[order.pk]))
    # then
    assert list(page.context["options_form"].fields) == ["notes"]
    html = page.content.decode()
    assert 'name="shipping_price"' not in html
    assert 'name="shipping_address-line1"' not in html
    assert "only what is below can still change" in html


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ALL_STATES)
def test_the_api_patches_a_field_only_in_the_states_that_allow_it(
    api_as, order_at, sales_user, state
):
    # given
    order = order_at(state)
    api = api_as(sales_user)
    before = snapshot()

    def check(field):
        # when
        response = api.patch(f"/api/v1/orders/{order.pk}/", {field: NEW[field]}, format="json")
        # then
        if field in EDITABLE[state]:
            assert response.status_code == 200, response.json()
            assert value_of(order, field) == EXPECTED[field]
            return
        assert response.status_code == 409
        body = response.json()
        assert f"is {STATE_WORDS.get(state, state)}: its " in body["detail"]
        assert body["code"] == "locked"
        assert body["errors"] == {field: [body["detail"]]}
        assert snapshot() == before

    assert each_field(FIELDS, check) == []


def test_the_api_refuses_a_shipping_price_below_what_was_paid(api_as, order_at, sales_user):
    # given
    order = order_at("allocated")
    before = snapshot()
    # when
    response = api_as(sales_user).patch(
        f"/api/v1/orders/{order.pk}/", {"shipping_price": "1.00"}, format="json"
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "below_paid"
    assert snapshot() == before
