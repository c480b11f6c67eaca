"""The outbox: every email the OMS sends, kept in the database until it is sent.

How an email travels:

1. A service of the app that owns the change calls ``email_queue`` inside its
   transaction. One INSERT writes the rows (one per email) with a Message-ID
   fixed now. A rolled-back change leaves no row, so nobody is mailed about
   something that did not happen.
2. When the transaction commits, the ``send_emails`` task is enqueued with
   the new rows' ids (Django's tasks API: at once with the immediate backend,
   by ``manage.py db_worker`` with the database backend).
3. A worker takes each due row under ``SELECT … FOR UPDATE SKIP LOCKED`` (two
   workers never hold the same row), renders it at the first attempt, sends
   it through Django's mail API with its Message-ID header and marks it sent
   in the same transaction. A failure schedules a retry with exponential
   backoff (``OMS_EMAIL_RETRY_SECONDS`` doubling up to
   ``OMS_EMAIL_RETRY_MAX_SECONDS``) and enqueues the task again for that
   time when the tasks backend can defer; after ``OMS_EMAIL_MAX_ATTEMPTS``
   attempts, or at once when the server refuses every recipient, the row is
   failed. ``manage.py send_emails`` sends whatever is due, for cron and
   catch-up.
4. The kind's owner is told of every outcome (sent, failed, cancelled,
   resent) and writes it on its own timeline; managers see failed and
   retrying emails in one list, and resend or cancel them.

Delivery is at least once. The one window for a duplicate is a worker that
dies (or loses its database connection) after the mail server accepted the
message and before the transaction marking the row sent commits: the row is
rolled back to due and sent again, under the same Message-ID, so a mail log
or the recipient's client can tell the copies apart. Each such crash costs at
most one extra copy.
"""

from oms.outbox.kinds import EmailKind, PermanentFailure, Rendered, email_kind, register_email_kind
from oms.outbox.services import NewEmail, email_cancel, email_queue, email_resend

__all__ = [
    "EmailKind",
    "NewEmail",
    "PermanentFailure",
    "Rendered",
    "email_cancel",
    "email_kind",
    "email_queue",
    "email_resend",
    "register_email_kind",
]
