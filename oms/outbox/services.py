"""Writing to the outbox, and what a manager may do with an email: resend or cancel it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django_fsm import can_proceed

from oms.errors import NotFound, TransitionRefused
from oms.models import OutboundEmail
from oms.outbox.kinds import email_kind, kind_label, tell_owner
from oms.outbox.sending import enqueue_sending
from oms.services import require_perm, service

Status = OutboundEmail.Status


@dataclass(frozen=True)
class NewEmail:
    """An email to write to the outbox: its kind, what it is about, and its recipients.

    Leave ``to`` empty for a kind whose renderer finds the recipients (staff alerts).
    """

    kind: str
    about: models.Model
    to: Sequence[str] = ()
    data: dict = field(default_factory=dict)


def new_message_id() -> str:
    """Return a fresh Message-ID in the sender's domain, e.g. <3f2a…@example.com>."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or "oms.localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def email_queue(emails: Iterable[NewEmail], *, user=None) -> list[OutboundEmail]:
    """Write these emails to the outbox in the caller's transaction, in one INSERT.

    The rows exist only if the caller's transaction commits; the send task is
    enqueued for them once it has. Call it once per service, with every email
    that service causes.
    """
    now = timezone.now()
    rows = []
    for email in emails:
        email_kind(email.kind)  # an unknown kind is a programming error: fail loudly
        rows.append(
            OutboundEmail(
                kind=email.kind,
                about_type=email.about._meta.label_lower,
                about_id=email.about.pk,
                about_label=str(email.about)[:100],
                to=[address for address in email.to if address],
                data=dict(email.data),
                message_id=new_message_id(),
                next_attempt_at=now,
                created_by=user if getattr(user, "pk", None) else None,
                created_at=now,
            )
        )
    if not rows:
        return []
    OutboundEmail.objects.bulk_create(rows)
    transaction.on_commit(partial(enqueue_sending, [row.pk for row in rows]), robust=True)
    return rows


def lock_email(email_id) -> OutboundEmail:
    """Return the outbox row locked for this transaction, or refuse with NotFound."""
    email = (
        OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if str(email_id).isdigit() and len(str(email_id)) <= 18
        else None
    )
    if email is None:
        raise NotFound("That email does not exist.", code="unknown_email")
    return email


def _refuse_unless(email: OutboundEmail, method, user, *, perm: str, refused: str):
    require_perm(user, perm, f"Only managers can {method.__name__} emails.")
    if not can_proceed(method):
        raise TransitionRefused(refused, code="illegal_transition")


def _state_words(email: OutboundEmail) -> str:
    what = f"{kind_label(email.kind)} {email.about_label}".strip()
    if email.status == Status.SENT and email.sent_at:
        when = date_format(timezone.localtime(email.sent_at), "j M Y H:i")
        return f"{what} was sent at {when}"
    return f"{what} is {email.get_status_display().lower()}"


@service
def email_resend(*, email_id, user=None) -> OutboundEmail:
    """Send a failed, retrying or cancelled email again now, with a fresh series of attempts."""
    email = lock_email(email_id)
    _refuse_unless(
        email,
        email.resend,
        user,
        perm="oms.resend_outboundemail",
        refused=f"{_state_words(email)}: there is nothing to resend.",
    )
    email.resend(at=timezone.now())
    email.save()
    tell_owner(email, "resent", user)
    transaction.on_commit(partial(enqueue_sending, [email.pk]), robust=True)
    return email


@service
def email_cancel(*, email_id, user=None) -> OutboundEmail:
    """Stop an email that has not been sent: it stays in the outbox, marked cancelled."""
    email = lock_email(email_id)
    _refuse_unless(
        email,
        email.cancel,
        user,
        perm="oms.cancel_outboundemail",
        refused=f"{_state_words(email)}: it can no longer be cancelled.",
    )
    email.cancel()
    email.save()
    tell_owner(email, "cancelled", user)
    return email
