"""The outbox worker: send, retry with backoff, give up, and say so where people look."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format

from oms.models import OutboundEmail
from oms.outbox.sending import describe_error, retry_delay, send_due_emails
from orders.models import OrderEvent

Status = OutboundEmail.Status


def email_events(order) -> list[str]:
    return list(
        OrderEvent.objects.filter(order=order, type=OrderEvent.Type.EMAIL)
        .order_by("pk")
        .values_list("note", flat=True)
    )


def test_the_worker_sends_with_the_message_id_and_marks_the_row_sent(confirm_order):
    # given
    order = confirm_order(2)
    email = OutboundEmail.objects.get()
    # when
    outcomes = send_due_emails()
    # then
    assert outcomes == {"sent": 1}
    [message] = mail.outbox
    assert message.to == ["ann@example.com"]
    assert message.subject == f"Your order {order.number} is confirmed"
    assert message.extra_headers["Message-ID"] == email.message_id
    assert message.message()["Message-ID"] == email.message_id
    assert "2 x Red mug" in message.body
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.SENT, 1, None)
    assert email.sent_at is not None and email.rendered_at is not None
    # the outbox keeps the words; the status-page link (its secret) exists only in the message
    assert email.subject == message.subject
    link = re.search(r"http://\S+/track/[\w-]{32}/", message.body).group(0)
    assert email.body_text.replace("[[track-link]]", link) == message.body
    assert email_events(order) == ["Order confirmation emailed to ann@example.com"]
    # and a second run sends nothing more
    assert send_due_emails() == {}
    assert len(mail.outbox) == 1


def test_smtp_down_schedules_retries_with_backoff_then_fails_after_the_limit(
    confirm_order, smtp_down, client, manager_user
):
    # given the mail server is unreachable, three attempts allowed
    smtp_down.OMS_EMAIL_MAX_ATTEMPTS = 3
    smtp_down.OMS_EMAIL_RETRY_SECONDS = 60
    order = confirm_order(2)
    start = timezone.now()
    # when the worker tries
    assert send_due_emails(now=start) == {"retrying": 1}
    # then a retry is scheduled a minute later, and the order page says so
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == (Status.RETRYING, 1)
    assert email.next_attempt_at == start + timedelta(seconds=60)
    assert email.last_error == "connection refused"
    assert email.subject == f"Your order {order.number} is confirmed"  # written at the first try
    client.force_login(manager_user)
    page = client.get(order.get_absolute_url()).content.decode()
    at = time_format(timezone.localtime(email.next_attempt_at), "H:i")
    assert (
        "Order confirmation to ann@example.com could not be sent: connection refused — "
        f"retrying at {at} (attempt 2 of 3)"
    ) in page
    # and nothing is tried before its time
    assert send_due_emails(now=start + timedelta(seconds=59)) == {}
    email.refresh_from_db()
    assert email.attempts == 1
    # when the second try fails, the wait doubles
    assert send_due_emails(now=start + timedelta(seconds=60)) == {"retrying": 1}
    email.refresh_from_db()
    assert email.next_attempt_at == start + timedelta(seconds=60 + 120)
    # when the third try fails, it gives up
    assert send_due_emails(now=start + timedelta(seconds=180)) == {"failed": 1}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.FAILED, 3, None)
    assert mail.outbox == []
    # then the timeline, the failed list and the manager's home say so
    failed = (
        "Order confirmation to ann@example.com could not be sent: connection refused. "
        "Gave up after 3 attempt(s); a manager can resend it."
    )
    assert email_events(order) == [failed]
    page = client.get(order.get_absolute_url()).content.decode()
    assert failed in page and "could not be sent: connection refused — retrying" not in page
    listing = client.get(reverse("outbox:email_list"))
    assert listing.status_code == 200
    [row] = listing.context["rows"]
    assert row["email"] == email and row["link"] == order.get_absolute_url()
    assert "connection refused" in listing.content.decode()
    home = client.get(reverse("home"))
    assert home.context["emails"] == {"failed": 1, "retrying": 0}
    assert 'data-failed-emails="1"' in home.content.decode()


def test_a_retry_sends_the_words_written_at_the_first_attempt(confirm_order, smtp_down, ann):
    # given a first attempt that failed
    order = confirm_order(2)
    start = timezone.now()
    send_due_emails(now=start)
    # and the customer's name changes before the retry
    ann.name = "Ann Lee-Smith"
    ann.save()
    # when the server is back and the retry runs
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_due_emails(now=start + timedelta(hours=1)) == {"sent": 1}
    # then the email is the one written first, under the same Message-ID
    [message] = mail.outbox
    email = OutboundEmail.objects.get()
    assert "Dear Ann Lee," in message.body and "Lee-Smith" not in message.body
    assert message.extra_headers["Message-ID"] == email.message_id
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert email_events(order) == ["Order confirmation emailed to ann@example.com"]


def test_a_server_refusing_every_recipient_fails_at_once(confirm_order, settings):
    # given
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusingRecipientsBackend"
    order = confirm_order(1)
    # when
    assert send_due_emails() == {"failed": 1}
    # then retrying cannot help, so it is not retried
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert email.last_error == (
        "the mail server refused ann@example.com (550 5.1.1 No such user here)"
    )
    assert "could not be sent: the mail server refused ann@example.com" in email_events(order)[0]


def test_a_backorder_alert_with_nobody_to_tell_fails_at_once_with_the_reason(
    confirm_order, settings
):
    # given no manager with an email address and no alert list
    settings.OMS_WAREHOUSE_ALERT_EMAILS = []
    order = confirm_order(12)
    # when
    outcomes = send_due_emails()
    # then the customer's emails go; the alert is failed, saying why
    assert outcomes == {"sent": 2, "failed": 1}
    alert = OutboundEmail.objects.get(kind="backorder_alert")
    assert alert.status == Status.FAILED and alert.attempts == 1
    assert alert.last_error == (
        "no manager has an email address and OMS_WAREHOUSE_ALERT_EMAILS is not set"
    )
    assert sorted(m.subject for m in mail.outbox) == [
        f"Part of your order {order.number} is delayed",
        f"Your order {order.number} is confirmed",
    ]
    assert email_events(order)[-1].startswith("Backorder alert to the managers could not be sent")


def test_a_backorder_alert_is_addressed_to_the_managers_when_written(confirm_order, settings):
    # given
    from tests.factories import UserFactory

    UserFactory(username="boss", email="boss@example.com", roles=["Manager"])
    UserFactory(username="gone", email="gone@example.com", roles=["Manager"], is_active=False)
    order = confirm_order(12)
    # when
    send_due_emails()
    # then
    alert = OutboundEmail.objects.get(kind="backorder_alert")
    assert alert.to == ["boss@example.com"]
    [message] = [m for m in mail.outbox if m.subject.startswith("Backorder on")]
    assert message.to == ["boss@example.com"] and "2 x MUG-RED" in message.body
    assert "Backorder alert emailed to boss@example.com" in email_events(order)


def test_the_send_emails_command_sends_what_is_due_and_reports(confirm_order, capsys):
    # given two orders' confirmations waiting
    confirm_order(1)
    confirm_order(1)
    # when
    call_command("send_emails")
    # then
    assert "2 sent, 0 to retry, 0 failed." in capsys.readouterr().out
    assert len(mail.outbox) == 2
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_send_emails_command_respects_its_limit(confirm_order, capsys):
    # given
    for _ in range(3):
        confirm_order(1)
    # when
    call_command("send_emails", "--limit", "2")
    # then
    assert "2 sent" in capsys.readouterr().out
    assert OutboundEmail.objects.filter(status=Status.QUEUED).count() == 1


def test_retry_delay_doubles_up_to_the_cap(settings):
    # given
    settings.OMS_EMAIL_RETRY_SECONDS = 60
    settings.OMS_EMAIL_RETRY_MAX_SECONDS = 3600
    # then
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connection refused"),
        (TimeoutError("timed out"), "the mail server did not answer in time"),
        (ValueError("bad header"), "bad header"),
        (RuntimeError(), "RuntimeError"),
    ],
)
def test_errors_are_described_in_plain_words(error, words):
    assert describe_error(error) == words
