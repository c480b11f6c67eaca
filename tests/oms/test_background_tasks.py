"""Side effects queued in the database run later, in a worker: the production setup."""

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from orders import services
from tests.factories import CustomerFactory, address_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    """Queue tasks in the database, as production does (django-tasks resets on the change)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_confirmation_email_waits_for_the_worker(database_tasks, stocked, sales_user):
    # given
    order = services.order_create(
        customer=CustomerFactory(email="ann@example.com"),
        user=sales_user,
        place=True,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )
    # when the order is confirmed, the email is only queued
    services.order_confirm(order_id=order.pk, user=sales_user)
    queued = DBTaskResult.objects.filter(task_path="oms.outbox.sending.send_emails").count()
    sent_before_worker = len(mail.outbox)
    # and the worker runs
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    # then
    assert queued == 1
    assert sent_before_worker == 0
    assert [m.subject for m in mail.outbox] == [f"Your order {order.number} is confirmed"]
