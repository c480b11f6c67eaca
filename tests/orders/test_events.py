"""An order service's timeline rows go out together, in one INSERT, or not at all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.events import add_events, collect_events, order_event
from orders.models import Order, OrderEvent
from tests.factories import CustomerFactory


@pytest.fixture
def order(db):
    return Order.objects.create(customer=CustomerFactory())


def inserts(queries) -> int:
    return sum(1 for query in queries if query["sql"].startswith('INSERT INTO "orders_orderevent"'))


def test_events_recorded_in_a_block_are_written_in_one_insert_when_it_ends(order):
    # when
    with CaptureQueriesContext(connection) as queries, collect_events():
        for note in ["one", "two", "three"]:
            order_event(order=order, type=OrderEvent.Type.NOTE, note=note)
        assert not OrderEvent.objects.exists()
    # then
    assert inserts(queries) == 1
    assert list(order.events.values_list("note", flat=True)) == ["one", "two", "three"]


def test_a_block_ending_with_an_error_writes_nothing(order):
    # when
    with pytest.raises(RuntimeError), collect_events():
        order_event(order=order, type=OrderEvent.Type.NOTE, note="lost")
        raise RuntimeError("the service refused")
    # then
    assert not OrderEvent.objects.exists()


def test_nested_blocks_write_once_at_the_outermost_end(order):
    # when
    with CaptureQueriesContext(connection) as queries, collect_events():
        with collect_events():
            order_event(order=order, type=OrderEvent.Type.NOTE, note="inner")
        assert not OrderEvent.objects.exists()
        add_events([OrderEvent(order=order, type=OrderEvent.Type.NOTE, note="outer")])
    # then
    assert inserts(queries) == 1
    assert order.events.count() == 2


def test_outside_a_block_an_event_is_written_at_once(order):
    # when
    order_event(order=order, type=OrderEvent.Type.NOTE, note="now", user=None)
    # then
    assert order.events.get().note == "now"
