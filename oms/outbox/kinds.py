"""Kinds of email: each app registers the emails it owns, and how to write them.

``oms`` sends, retries and lists emails without knowing orders or returns: the
app that owns a kind registers, from its ``AppConfig.ready()``, how to render
it, where its subject lives in the staff pages, and how to record outcomes on
its own timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from oms.models import OutboundEmail

logger = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """Raised by a renderer when retrying cannot help (no one to send it to)."""


@dataclass(frozen=True)
class Rendered:
    """The words of one email: subject, plain text, HTML, and recipients when not known before."""

    subject: str
    text: str
    html: str = ""
    to: list[str] = field(default_factory=list)


# What an owner is told: "sent", "failed", "cancelled" or "resent".
Outcome = str


@dataclass(frozen=True)
class EmailKind:
    """One kind of email and its owner's callbacks.

    ``render(email)`` returns the Rendered words (it may raise PermanentFailure);
    ``record(email, outcome, user)`` writes the outcome where the owner keeps its
    history, inside the transaction that changed the row; ``link(email)`` returns
    the staff page of what the email is about; ``finish(email, text, html)``
    returns the words as they are handed to the mail server, each time they
    are (for what must not be kept in the outbox, such as a new link's secret);
    ``attachments(email)``, when
    given, returns the files sent with it as (filename, bytes, MIME type),
    made again at every attempt from what the email is about.
    """

    name: str
    label: str
    render: Callable[[OutboundEmail], Rendered]
    record: Callable[[OutboundEmail, Outcome, object], None] | None = None
    link: Callable[[OutboundEmail], str] | None = None
    finish: Callable[[OutboundEmail, str, str], tuple[str, str]] | None = None
    attachments: Callable[[OutboundEmail], list[tuple[str, bytes, str]]] | None = None


_KINDS: dict[str, EmailKind] = {}


def register_email_kind(kind: EmailKind) -> None:
    """Make a kind of email known to the outbox (called from an AppConfig.ready())."""
    _KINDS[kind.name] = kind


def email_kinds() -> list[str]:
    """Return the names of every registered kind of email."""
    return sorted(_KINDS)


def email_kind(name: str) -> EmailKind:
    """Return the registered kind, or raise LookupError naming it."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No app writes emails of the kind {name!r}.") from None


def kind_label(name: str) -> str:
    """Return a kind's label for people ("Order confirmation"), or the name when unknown."""
    kind = _KINDS.get(name)
    return kind.label if kind else name.replace("_", " ").capitalize()


def kind_link(email: OutboundEmail) -> str:
    """Return the staff page of what the email is about, or "" when its kind has none."""
    kind = _KINDS.get(email.kind)
    return kind.link(email) if kind and kind.link else ""


def tell_owner(email: OutboundEmail, outcome: Outcome, user=None) -> None:
    """Let the kind's owner record an outcome, without ever undoing the change to the row.

    The owner writes inside a savepoint: should its write fail, the row's new
    status still commits (a sent email stays marked sent) and the failure is
    logged.
    """
    kind = _KINDS.get(email.kind)
    if kind is None or kind.record is None:
        return
    try:
        with transaction.atomic():
            kind.record(email, outcome, user)
    except Exception:
        logger.exception(
            "Could not record %s of email %s on its owner's timeline", outcome, email.pk
        )
