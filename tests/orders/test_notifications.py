import pytest
from django.core import mail

from oms.errors import InvalidInput
from orders import services
from orders.models import OrderEvent
from tests.factories import CustomerFactory, UserFactory, address_data


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ann Lee", email="ann@example.com")


def place(customer, user, quantity):
    return services.order_create(
        customer=customer,
        user=user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": quantity}],
        place=True,
    )


def test_confirmation_email_goes_out_after_commit_and_is_on_the_timeline(
    customer, stocked, sales_user, django_capture_on_commit_callbacks
):
    # given
    order = place(customer, sales_user, 2)
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.order_confirm(order_id=order.pk, user=sales_user)
    # then
    assert len(callbacks) == 1
    assert [m.subject for m in mail.outbox] == [f"Your order {order.number} is confirmed"]
    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert "2 x Red mug" in message.body
    assert "<strong>" + order.number in message.alternatives[0][0]
    assert list(order.events.filter(type=OrderEvent.Type.EMAIL).values_list("note", flat=True)) == [
        "Order confirmation emailed to ann@example.com"
    ]


def test_backorder_mails_the_customer_and_alerts_managers(
    customer, stocked, sales_user, django_capture_on_commit_callbacks
):
    # given 10 in stock, 12 ordered, one manager with an email
    UserFactory(username="boss", email="boss@example.com", roles=["Manager"])
    order = place(customer, sales_user, 12)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order_id=order.pk, user=sales_user)
    # then
    by_subject = {m.subject: m for m in mail.outbox}
    delay = by_subject[f"Part of your order {order.number} is delayed"]
    alert = by_subject[f"Backorder on {order.number}: stock needed"]
    assert delay.to == ["ann@example.com"] and "2 x Red mug" in delay.body
    assert alert.to == ["boss@example.com"] and "2 x MUG-RED" in alert.body


def test_no_email_when_the_transaction_rolls_back(
    customer, stocked, sales_user, django_capture_on_commit_callbacks
):
    # given
    order = place(customer, sales_user, 2)
    # when the confirmation fails half-way (bad payment)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(InvalidInput, match="more than"),
    ):
        services.order_confirm(
            order_id=order.pk, user=sales_user, payment={"method": "card", "amount": "999"}
        )
    # then
    assert callbacks == []
    assert mail.outbox == []


def test_cancelling_a_placed_order_tells_the_customer(
    customer, stocked, sales_user, django_capture_on_commit_callbacks
):
    # given
    order = place(customer, sales_user, 1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(order_id=order.pk, user=sales_user, reason="customer request")
    # then
    assert [m.subject for m in mail.outbox] == [f"Your order {order.number} has been cancelled"]


def test_a_customer_without_email_gets_no_mail_and_nothing_breaks(
    stocked, sales_user, django_capture_on_commit_callbacks
):
    # given
    phone_only = CustomerFactory(email="")
    order = place(phone_only, sales_user, 1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order_id=order.pk, user=sales_user)
    # then
    assert mail.outbox == []
