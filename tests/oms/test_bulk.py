"""Bulk writes for history imports: ids reserved first, rows written as the ORM would write them."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oms.bulk import insert_rows, reserve_ids
from orders.models import Customer, Order, OrderEvent


def test_reserved_ids_are_new_and_rows_written_with_them_read_back_as_the_orm_wrote(db):
    # given a customer and an order made the usual way
    customer = Customer.objects.create(name="Ann", email="ann@example.com")
    first = Order.objects.create(customer=customer)
    when = datetime(2011, 3, 4, 12, 30, tzinfo=UTC)
    # when two more orders and an event are written in bulk with reserved ids
    ids = reserve_ids(Order, 2)
    written = insert_rows(
        Order,
        [
            "id",
            "number",
            "channel",
            "external_reference",
            "customer_id",
            "shipping_method",
            "ship_policy",
            "priority",
            "is_vip",
            "notes",
            "currency",
            "subtotal",
            "shipping_price",
            "total",
            "status",
            "status_before_hold",
            "version",
            "placed_at",
            "created_at",
            "updated_at",
            "prices_include_tax",
            "tax_total",
            "shipping_tax_rate",
            "shipping_tax",
            "tax_note",
        ],
        [
            (
                pk,
                f"SO-{pk:06d}",
                "web",
                f"INV-{pk}",
                customer.pk,
                "",
                "partial",
                0,
                False,
                "",
                "GBP",
                Decimal("10.50"),
                Decimal("0.00"),
                Decimal("10.50"),
                "completed",
                "",
                1,
                when,
                when,
                when,
                True,
                Decimal("1.75"),
                Decimal("0.2000"),
                Decimal("0.00"),
                "",
            )
            for pk in ids
        ],
    )
    event_id = reserve_ids(OrderEvent, 1)[0]
    insert_rows(
        OrderEvent,
        ["id", "order_id", "type", "from_status", "to_status", "note", "data", "created_at"],
        [(event_id, ids[0], "note", "", "", "imported", {"invoice": "536365"}, when)],
    )
    # then
    assert written == 2
    assert first.pk not in ids and len(set(ids)) == 2
    orders = Order.objects.filter(pk__in=ids).order_by("pk")
    assert [(o.number, o.total, o.placed_at, o.status) for o in orders] == [
        (f"SO-{pk:06d}", Decimal("10.50"), when, "completed") for pk in ids
    ]
    assert Order.objects.filter(placed_at__lt=datetime(2011, 4, 1, tzinfo=UTC)).count() == 2
    assert OrderEvent.objects.get(pk=event_id).data == {"invoice": "536365"}
    assert Order.objects.create(customer=customer).pk not in ids


def test_a_column_must_be_named_as_its_attname(db):
    with pytest.raises(ValueError, match="customer_id"):
        insert_rows(Order, ["customer"], [])
