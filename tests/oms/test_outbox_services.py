"""What a manager may do with an email: resend it or cancel it; nobody else may."""

import pytest
from django.core import mail
from django.utils import timezone

from oms.errors import NotAllowed, NotFound, TransitionRefused
from oms.models import OutboundEmail
from oms.outbox import email_cancel, email_resend
from oms.outbox.sending import send_due_emails
from oms.roles import Role
from orders.models import OrderEvent
from tests.factories import UserFactory
from tests.oms.conftest import outbox_snapshot

Status = OutboundEmail.Status


@pytest.fixture
def failed_email(confirm_order, smtp_down):
    """Ann's order confirmation, failed: the mail server was down and one attempt is allowed."""
    smtp_down.OMS_EMAIL_MAX_ATTEMPTS = 1
    order = confirm_order(2)
    send_due_emails()
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = OutboundEmail.objects.get(about_id=order.pk)
    assert email.status == Status.FAILED
    return email


@pytest.fixture
def retrying_email(confirm_order, smtp_down):
    order = confirm_order(2)
    send_due_emails()
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = OutboundEmail.objects.get(about_id=order.pk)
    assert email.status == Status.RETRYING
    return email


def test_resending_a_failed_email_sends_it_again(failed_email, manager_user):
    # when
    email = email_resend(email_id=failed_email.pk, user=manager_user)
    # then it is due now with a fresh series of attempts, and the worker sends it
    assert (email.status, email.attempts, email.last_error) == (Status.QUEUED, 0, "")
    assert email.next_attempt_at <= timezone.now()
    assert send_due_emails() == {"sent": 1}
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == failed_email.message_id
    email.refresh_from_db()
    assert email.status == Status.SENT
    events = OrderEvent.objects.filter(type=OrderEvent.Type.EMAIL).order_by("pk")
    assert [(e.note.split(":")[0], e.user) for e in events] == [
        ("Order confirmation to ann@example.com could not be sent", None),
        ("Order confirmation to ann@example.com queued again, to be sent now", manager_user),
        ("Order confirmation emailed to ann@example.com", None),
    ]


def test_resending_a_retrying_email_tries_it_now(retrying_email, manager_user):
    # when
    email_resend(email_id=retrying_email.pk, user=manager_user)
    # then
    assert send_due_emails() == {"sent": 1}


def test_cancelling_a_retrying_email_stops_it(retrying_email, manager_user):
    # when
    email = email_cancel(email_id=retrying_email.pk, user=manager_user)
    # then no worker sends it, ever
    assert (email.status, email.next_attempt_at) == (Status.CANCELLED, None)
    assert send_due_emails(now=timezone.now() + timezone.timedelta(days=1)) == {}
    assert mail.outbox == []
    last = OrderEvent.objects.filter(type=OrderEvent.Type.EMAIL).latest("pk")
    assert last.note == "Order confirmation to ann@example.com cancelled; it will not be sent"
    assert last.user == manager_user


def test_a_cancelled_email_can_be_resent(retrying_email, manager_user):
    # given
    email_cancel(email_id=retrying_email.pk, user=manager_user)
    # when
    email_resend(email_id=retrying_email.pk, user=manager_user)
    # then
    assert send_due_emails() == {"sent": 1}


@pytest.mark.parametrize("role", [Role.SALES, Role.WAREHOUSE])
@pytest.mark.parametrize("service", [email_resend, email_cancel])
def test_other_roles_cannot_resend_or_cancel_and_nothing_changes(failed_email, role, service):
    # given
    user = UserFactory(username=f"someone-{role}", roles=[role])
    before = outbox_snapshot()
    # when / then
    with pytest.raises(NotAllowed, match="Only managers"):
        service(email_id=failed_email.pk, user=user)
    assert outbox_snapshot() == before


def test_a_sent_email_cannot_be_resent_or_cancelled_and_nothing_changes(
    confirm_order, manager_user
):
    # given
    confirm_order(2)
    send_due_emails()
    email = OutboundEmail.objects.get()
    before = outbox_snapshot()
    # when / then
    with pytest.raises(TransitionRefused, match=r"Order confirmation SO-\d+ was sent at .*resend"):
        email_resend(email_id=email.pk, user=manager_user)
    with pytest.raises(TransitionRefused, match="can no longer be cancelled"):
        email_cancel(email_id=email.pk, user=manager_user)
    assert outbox_snapshot() == before
    assert len(mail.outbox) == 1


def test_a_queued_email_cannot_be_resent_and_a_cancelled_one_not_cancelled_again(
    confirm_order, manager_user
):
    # given
    confirm_order(2)
    email = OutboundEmail.objects.get()
    # when / then
    with pytest.raises(TransitionRefused, match="is queued: there is nothing to resend"):
        email_resend(email_id=email.pk, user=manager_user)
    email_cancel(email_id=email.pk, user=manager_user)
    before = outbox_snapshot()
    with pytest.raises(TransitionRefused, match="is cancelled: it can no longer be cancelled"):
        email_cancel(email_id=email.pk, user=manager_user)
    assert outbox_snapshot() == before


@pytest.mark.parametrize("email_id", [987654, "abc", "", None, "1" * 40, -1])
def test_an_unknown_email_is_not_found(db, manager_user, email_id):
    # when / then
    with pytest.raises(NotFound, match="That email does not exist"):
        email_resend(email_id=email_id, user=manager_user)
    with pytest.raises(NotFound, match="That email does not exist"):
        email_cancel(email_id=email_id, user=manager_user)
