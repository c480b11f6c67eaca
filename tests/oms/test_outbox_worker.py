"""The outbox with real commits: a worker that dies, and retries queued for their time."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oms.models import OutboundEmail
from oms.outbox.sending import send_due_emails
from orders.models import OrderEvent
from tests.mail_backends import WorkerKilled

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboundEmail.Status
SEND_TASK = "oms.outbox.sending.send_emails"


def test_a_worker_killed_after_sending_is_retried_and_the_duplicate_is_bounded_to_one(
    confirm_order, deferred_tasks, settings
):
    # given a confirmation waiting in the outbox
    order = confirm_order(2)
    email = OutboundEmail.objects.get()
    # when the worker dies after the mail server took the message, before marking it
    settings.EMAIL_BACKEND = "tests.mail_backends.CrashAfterSendBackend"
    with pytest.raises(WorkerKilled):
        send_due_emails()
    # then the message went out, but the row is still due, as if never tried
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == (Status.QUEUED, 0, None)
    # when the next worker runs
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_due_emails() == {"sent": 1}
    # then it is sent again, once, under the same Message-ID, and marked
    assert len(mail.outbox) == 2
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {email.message_id}
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    # and no later run sends a third copy
    assert send_due_emails() == {}
    call_command("send_emails", verbosity=0)
    assert len(mail.outbox) == 2
    assert OrderEvent.objects.filter(order=order, type=OrderEvent.Type.EMAIL).count() == 1


def test_a_failed_attempt_queues_the_retry_for_its_time(confirm_order, deferred_tasks, smtp_down):
    # given a confirmation and its send task queued in the database
    confirm_order(2)
    email = OutboundEmail.objects.get()
    assert list(DBTaskResult.objects.values_list("task_path", "args_kwargs")) == [
        (SEND_TASK, {"args": [[email.pk]], "kwargs": {}})
    ]
    # when the worker runs it while the mail server is down
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    # then the row waits for its retry, and a task is queued to run exactly then
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.RETRYING, 1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.task_path == SEND_TASK
    assert retry.args_kwargs == {"args": [[email.pk]], "kwargs": {}}
    assert retry.run_after == email.next_attempt_at
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # and a worker that comes by early leaves it alone
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    email.refresh_from_db()
    assert email.attempts == 1
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_the_retry_task_sends_once_the_server_is_back(confirm_order, deferred_tasks, smtp_down):
    # given a first attempt that failed, to be retried a second later
    smtp_down.OMS_EMAIL_RETRY_SECONDS = 1
    confirm_order(2)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    email = OutboundEmail.objects.get()
    assert email.status == Status.RETRYING
    # when the server is back and, a second later, the worker runs the retry task
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time.sleep(max((email.next_attempt_at - timezone.now()).total_seconds(), 0) + 0.05)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    # then
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [email.message_id]
