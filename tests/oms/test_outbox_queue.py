"""Writing emails to the outbox: in the same transaction as the change that causes them."""

import re

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from oms.errors import InvalidInput
from oms.models import OutboundEmail
from oms.outbox import NewEmail, email_queue
from orders import services
from orders.notifications import queue_order_emails
from tests.factories import CustomerFactory, UserFactory

MESSAGE_ID = re.compile(r"^<[0-9a-f]{32}@oms\.localhost>$")


def _inserts_into_outbox(captured) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith('INSERT INTO "oms_outboundemail"')
    )


def test_a_backordered_confirmation_writes_three_emails_in_one_insert(
    confirm_order, sales_user, ann
):
    # given 10 mugs in stock and a manager to alert
    UserFactory(username="boss", email="boss@example.com", roles=["Manager"])
    # when 12 are confirmed
    with CaptureQueriesContext(connection) as captured:
        order = confirm_order(12)
    # then the rows are written with the order, nothing is sent before commit
    assert _inserts_into_outbox(captured) == 1
    rows = list(OutboundEmail.objects.order_by("pk"))
    assert [(r.kind, r.to, r.status) for r in rows] == [
        ("order_confirmation", ["ann@example.com"], "queued"),
        ("backorder_delay", ["ann@example.com"], "queued"),
        ("backorder_alert", [], "queued"),  # staff are addressed when it is written
    ]
    assert {(r.about_type, r.about_id, r.about_label) for r in rows} == {
        ("orders.order", order.pk, order.number)
    }
    assert all(r.created_by == sales_user and r.next_attempt_at for r in rows)
    assert all(MESSAGE_ID.match(r.message_id) for r in rows)
    assert len({r.message_id for r in rows}) == 3
    assert mail.outbox == []


def test_a_refused_confirmation_leaves_no_outbox_row(confirm_order, sales_user, ann):
    # given
    order = services.order_create(
        customer=ann,
        user=sales_user,
        lines=[{"sku": "MUG-RED", "quantity": 1}],
        shipping_address={"name": "Ann", "line1": "1 High St", "city": "Leeds", "country": "GB"},
        place=True,
    )
    # when the confirmation fails half-way (the payment is more than the total)
    with pytest.raises(InvalidInput, match="more than"):
        services.order_confirm(
            order_id=order.pk, user=sales_user, payment={"method": "card", "amount": "999"}
        )
    # then
    assert OutboundEmail.objects.count() == 0
    order.refresh_from_db()
    assert order.status == "placed"


def test_an_order_rolled_back_after_confirming_leaves_no_outbox_row(
    confirm_order, django_capture_on_commit_callbacks
):
    # when the transaction around a successful confirmation rolls back
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        confirm_order(2)
        assert OutboundEmail.objects.count() == 1
        raise RuntimeError("the caller's transaction fails")
    # then no email is left, none was sent, and no send was queued
    assert OutboundEmail.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_a_customer_without_email_gets_no_outbox_row(confirm_order, sales_user):
    # when
    confirm_order(1, customer=CustomerFactory(email=""))
    # then
    assert OutboundEmail.objects.count() == 0


def test_an_unknown_kind_is_refused_and_nothing_is_written(confirm_order):
    # given
    order = confirm_order(1)
    before = OutboundEmail.objects.count()
    # when / then
    with pytest.raises(ValueError, match="Unknown order email"):
        queue_order_emails([("order_confirmation", order), ("birthday_card", order)])
    with pytest.raises(LookupError, match="birthday_card"):
        email_queue([NewEmail(kind="birthday_card", about=order, to=["ann@example.com"])])
    assert OutboundEmail.objects.count() == before


def test_sending_is_queued_once_after_commit_with_the_new_rows(
    confirm_order, django_capture_on_commit_callbacks, settings
):
    # given a tasks backend that only records what is queued
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        order = confirm_order(12)
    # then one task is queued, for the three rows
    assert len(callbacks) == 1
    [queued] = default_task_backend.results
    assert queued.task.module_path == "oms.outbox.sending.send_emails"
    assert sorted(queued.args[0]) == sorted(
        OutboundEmail.objects.filter(about_id=order.pk).values_list("pk", flat=True)
    )
    assert mail.outbox == []


def test_follow_ups_for_many_orders_are_one_insert(confirm_order):
    # given three orders, none of their customers loaded
    from orders.models import Order

    for _ in range(3):
        confirm_order(1, customer=CustomerFactory())
    orders = list(Order.objects.all())
    # when
    with CaptureQueriesContext(connection) as captured:
        rows = queue_order_emails([("follow_up", order) for order in orders])
    # then the customers' addresses are read in one query and the rows written in one
    assert len(captured.captured_queries) == 2
    assert _inserts_into_outbox(captured) == 1
    assert sorted(r.to[0] for r in rows) == sorted(o.customer.email for o in orders)
