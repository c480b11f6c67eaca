"""The outbox worker: send due emails, one row per transaction, and retry what fails.

Each row is taken with ``SELECT … FOR UPDATE SKIP LOCKED`` and stays locked
while it is rendered, handed to the mail server and marked, all in one
transaction: a second worker skips it, and a worker that dies releases it
(its transaction rolls back) for the next run. That is also the only
duplicate window: a crash after the server accepted the message and before
the commit sends it again, under the same Message-ID (see ``oms.outbox``).
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from oms.models import OutboundEmail
from oms.outbox.kinds import PermanentFailure, email_kind, tell_owner

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

# Rows one run of the command (or one task without ids) sends at most.
DEFAULT_BATCH = 500


def max_attempts() -> int:
    return max(1, int(getattr(settings, "OMS_EMAIL_MAX_ATTEMPTS", 8)))


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after the n-th failed attempt: the base delay doubling, up to a cap."""
    base = int(getattr(settings, "OMS_EMAIL_RETRY_SECONDS", 60))
    cap = int(getattr(settings, "OMS_EMAIL_RETRY_MAX_SECONDS", 3600))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


@task()
def send_emails(email_ids: list[int] | None = None) -> dict[str, int]:
    """Send the given outbox rows (or every due row) that are due now; count the outcomes."""
    return dict(send_due_emails(ids=email_ids))


def enqueue_sending(email_ids: Iterable[int], *, at: datetime | None = None):
    """Queue the send task for these rows, now or (when the backend can defer) at ``at``.

    A backend that cannot defer (the immediate one) leaves a retry to the next
    ``manage.py send_emails`` run.
    """
    work = send_emails
    if at is not None:
        if not work.get_backend().supports_defer:
            return None
        work = work.using(run_after=at)
    return work.enqueue(list(email_ids))


def send_due_emails(
    *, ids: Iterable[int] | None = None, limit: int = DEFAULT_BATCH, now: datetime | None = None
) -> Counter:
    """Send due rows one by one, each in its own transaction; return the outcomes counted.

    ``ids`` restricts the run to those rows; ``now`` stands for the clock (the
    time rows must be due by, and from which retries are scheduled).
    """
    wanted = None if ids is None else sorted({int(pk) for pk in ids})
    rounds = len(wanted) if wanted is not None else max(int(limit), 0)
    outcomes: Counter = Counter()
    for _ in range(rounds):
        outcome = _send_next(wanted, now or timezone.now())
        if outcome is None:
            break
        outcomes[outcome] += 1
    return outcomes


def _send_next(ids: list[int] | None, now: datetime) -> str | None:
    with transaction.atomic():
        due = OutboundEmail.objects.filter(
            status__in=OutboundEmail.PENDING, next_attempt_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        email = due.select_for_update(skip_locked=True).order_by("next_attempt_at", "pk").first()
        if email is None:
            return None
        return _attempt(email, now)


def _attempt(email: OutboundEmail, now: datetime) -> str:
    email.attempts += 1
    email.last_attempt_at = now
    try:
        if email.rendered_at is None:
            _render(email, now)
        _deliver(email)
    except Exception as error:  # every failure is the row's to record, never the worker's
        return _after_failure(email, error, now)
    # Sent. A crash from here until the commit is the duplicate window.
    email.mark_sent(at=now)
    email.save()
    tell_owner(email, "sent")
    return "sent"


def _render(email: OutboundEmail, now: datetime) -> None:
    kind = email_kind(email.kind)
    with transaction.atomic():  # a failing renderer must not spoil the row's transaction
        rendered = kind.render(email)
    email.subject = " ".join(rendered.subject.split())[:255]
    email.body_text = rendered.text
    email.body_html = rendered.html
    if not email.to:
        email.to = list(rendered.to)
    email.rendered_at = now
    if not email.to:
        raise PermanentFailure("there is nobody to send it to")


def _deliver(email: OutboundEmail) -> None:
    kind = email_kind(email.kind)
    text, html = email.body_text, email.body_html
    if kind.finish is not None:
        text, html = kind.finish(email, text, html)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(email.to),
        headers={"Message-ID": email.message_id},
    )
    if html:
        message.attach_alternative(html, "text/html")
    if kind.attachments is not None:
        for filename, content, mimetype in kind.attachments(email):
            message.attach(filename, content, mimetype)
    message.send()


def _after_failure(email: OutboundEmail, error: Exception, now: datetime) -> str:
    reason = describe_error(error)
    if is_permanent(error) or email.attempts >= max_attempts():
        email.give_up(error=reason)
        email.save()
        tell_owner(email, "failed")
        logger.warning("Email %s failed after %s attempt(s): %s", email.pk, email.attempts, reason)
        return "failed"
    at = now + retry_delay(email.attempts)
    email.schedule_retry(at=at, error=reason)
    email.save()
    transaction.on_commit(partial(enqueue_sending, [email.pk], at=at), robust=True)
    logger.info("Email %s not sent (%s); retrying at %s", email.pk, reason, at.isoformat())
    return "retrying"


def is_permanent(error: Exception) -> bool:
    """Tell whether retrying cannot help: no recipient, or every recipient refused for good."""
    if isinstance(error, PermanentFailure):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    return False


def describe_error(error: Exception) -> str:
    """Say in plain words why an email could not be sent ("connection refused")."""
    if isinstance(error, PermanentFailure):
        text = str(error)
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = sorted(
            f"{address} ({code} {_text(message)})"
            for address, (code, message) in error.recipients.items()
        )
        text = "the mail server refused " + ", ".join(refusals)
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"the mail server answered {error.smtp_code} {_text(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPServerDisconnected):
        text = "the mail server closed the connection"
    elif isinstance(error, TimeoutError):
        text = "the mail server did not answer in time"
    elif isinstance(error, OSError) and error.strerror:
        text = error.strerror[:1].lower() + error.strerror[1:]
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())[:500]


def _text(message) -> str:
    if isinstance(message, bytes):
        return message.decode("utf-8", "replace")
    return str(message)
