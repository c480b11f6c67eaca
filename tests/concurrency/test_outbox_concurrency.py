"""The outbox under concurrency: workers racing over the same due emails."""

from collections import Counter

import pytest
from django.core import mail

from inventory import services as inventory_services
from oms.models import OutboundEmail
from oms.outbox import email_cancel
from oms.outbox.sending import send_due_emails
from orders import services
from tests.concurrency.threads import run_together
from tests.factories import CustomerFactory, address_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

EMAILS = 30


@pytest.fixture
def due_emails(product, bin_a, sales_user, settings):
    """Thirty order confirmations in the outbox, their send tasks not run (as with a worker down)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    inventory_services.stock_receive(product=product, location=bin_a, quantity=EMAILS)
    for _ in range(EMAILS):
        order = services.order_create(
            customer=CustomerFactory(),
            user=sales_user,
            place=True,
            shipping_address=address_data(),
            lines=[{"sku": product.sku, "quantity": 1}],
        )
        services.order_confirm(order_id=order.pk, user=sales_user)
    rows = list(OutboundEmail.objects.all())
    assert len(rows) == EMAILS and {row.status for row in rows} == {"queued"}
    return rows


def test_workers_racing_over_the_same_rows_send_each_email_once(due_emails, settings):
    # given a mail server that takes a moment per message
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    # when four workers run at once over the same due rows
    results, _, errors = run_together(lambda i: dict(send_due_emails()), threads=4)
    # then every email went out exactly once, and is marked sent after one attempt
    assert errors == []
    assert sum(r.get("sent", 0) for r in results.values()) == EMAILS
    sent_ids = Counter(m.extra_headers["Message-ID"] for m in mail.outbox)
    assert sent_ids == Counter({row.message_id: 1 for row in due_emails})
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {("sent", 1)}
    # and more than one worker took part (the race was real)
    assert sum(1 for r in results.values() if r.get("sent")) > 1


def test_a_cancel_racing_a_worker_either_stops_the_email_or_is_refused(
    due_emails, manager_user, settings
):
    # given
    settings.EMAIL_BACKEND = "tests.mail_backends.SlowBackend"
    from oms.errors import TransitionRefused

    # when one worker sends while a manager cancels every email
    def work(i):
        if i == 0:
            return dict(send_due_emails())
        cancelled = 0
        for row in due_emails:
            try:
                email_cancel(email_id=row.pk, user=manager_user)
                cancelled += 1
            except TransitionRefused:
                pass
        return cancelled

    results, _, errors = run_together(work, threads=2)
    # then no email was both sent and cancelled, and none is left half-way
    assert errors == []
    statuses = Counter(OutboundEmail.objects.values_list("status", flat=True))
    assert statuses["sent"] == len(mail.outbox) == results[0].get("sent", 0)
    assert statuses["cancelled"] == results[1]
    assert statuses["sent"] + statuses["cancelled"] == EMAILS
