import json

from rest_framework.renderers import JSONRenderer

from orders import services
from orders.answers import order_as_dict
from orders.apis import orders_with_details
from orders.serializers import OrderSerializer
from tests.factories import CustomerFactory, address_data


def as_json(data) -> dict:
    return json.loads(JSONRenderer().render(data))


def test_the_fast_order_output_matches_the_documented_serializer(stocked, sales_user):
    # given a confirmed order with a payment, an allocated and a backordered line
    order = services.order_create(
        customer=CustomerFactory(is_vip=True),
        user=sales_user,
        place=True,
        shipping_address=address_data(),
        billing_address=address_data(name="Accounts"),
        lines=[{"sku": "MUG-RED", "quantity": 12}],
        shipping_price="3.95",
        notes="Ring bell",
    )
    services.order_confirm(
        order_id=order.pk,
        user=sales_user,
        payment={"method": "card", "amount": "10.00", "reference": "ch_9"},
    )
    loaded = orders_with_details().get(pk=order.pk)
    # when
    fast = order_as_dict(loaded)
    documented = OrderSerializer(loaded).data
    # then
    assert as_json(fast) == as_json(documented)
    assert list(fast) == list(documented)
    assert fast["lines"][0]["quantity_backordered"] == 2
    assert fast["payments"][0]["amount"] == "10.00"


def test_the_fast_output_of_a_fresh_draft_matches_too(stocked, sales_user):
    # given a draft without addresses or payments
    order = services.order_create(
        customer=CustomerFactory(), user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    loaded = orders_with_details().get(pk=order.pk)
    # then
    assert as_json(order_as_dict(loaded)) == as_json(OrderSerializer(loaded).data)
    assert order_as_dict(loaded)["shipping_address"] is None
