"""Document numbers come from the primary key: unique, readable, written at once."""

from oms.numbers import assign_number
from orders.models import Order
from tests.factories import CustomerFactory


def test_a_saved_row_gets_its_number_from_its_key(db):
    # given
    order = Order.objects.create(customer=CustomerFactory())
    # when
    number = assign_number(order, "SO")
    # then
    assert number == order.number == f"SO-{order.pk:06d}"
    assert Order.objects.get(pk=order.pk).number == number
