"""Customer and staff emails about orders, written to the outbox with the change that causes them.

Services call ``queue_order_emails([(kind, order), ...])`` inside their
transaction: one INSERT into the outbox (``oms.outbox``), sent after commit,
retried when the mail server is away. A rolled-back change leaves no email.

Orders registers its kinds at start-up (``register_order_emails``, from
``OrdersConfig.ready``): how to write each email (rendered at the first
attempt, from the order as it is then) and how each outcome reads on the
order's timeline. Emails still on their way (queued, retrying) are shown on
the order page from the outbox itself (``pending_email_entries``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format

from oms.models import OutboundEmail
from oms.outbox import (
    EmailKind,
    NewEmail,
    PermanentFailure,
    Rendered,
    email_queue,
    register_email_kind,
)
from oms.outbox.selectors import emails_about
from oms.outbox.sending import max_attempts
from oms.roles import Role
from orders.events import add_events
from orders.models import Customer, Order, OrderEvent, OrderLine


@dataclass(frozen=True)
class OrderEmail:
    label: str
    subject: str
    to_customer: bool = True


EMAILS = {
    "order_confirmation": OrderEmail("Order confirmation", "Your order {number} is confirmed"),
    "backorder_delay": OrderEmail("Delay notice", "Part of your order {number} is delayed"),
    "backorder_alert": OrderEmail(
        "Backorder alert", "Backorder on {number}: stock needed", to_customer=False
    ),
    "order_cancelled": OrderEmail("Cancellation notice", "Your order {number} has been cancelled"),
    "follow_up": OrderEmail("Follow-up", "How was your order {number}?"),
}


def queue_order_emails(emails: Iterable[tuple[str, Order]], *, user=None) -> list[OutboundEmail]:
    """Write these emails (kind, order) to the outbox in the caller's transaction, in one INSERT.

    Customer emails go to the customer's address as it is now; a customer
    without one gets none. Staff alerts are addressed when they are written.
    """
    wanted = list(emails)
    for kind, _ in wanted:
        if kind not in EMAILS:
            raise ValueError(f"Unknown order email {kind!r}")
    addresses = _customer_addresses([order for kind, order in wanted if EMAILS[kind].to_customer])
    new = []
    for kind, order in wanted:
        if not EMAILS[kind].to_customer:
            new.append(NewEmail(kind=kind, about=order))
        elif addresses.get(order.pk):
            new.append(NewEmail(kind=kind, about=order, to=[addresses[order.pk]]))
    return email_queue(new, user=user)


def _customer_addresses(orders: list[Order]) -> dict[int, str]:
    """Return {order pk: customer email}, reading the customers not loaded yet in one query."""
    found = {order.pk: order.customer.email for order in orders if Order.customer.is_cached(order)}
    missing = {order.customer_id: order.pk for order in orders if order.pk not in found}
    if missing:
        rows = Customer.objects.filter(pk__in=missing).values_list("pk", "email")
        by_customer = dict(rows)
        for order in orders:
            if order.pk not in found:
                found[order.pk] = by_customer.get(order.customer_id, "")
    return found


# --- writing an email, at its first attempt ------------------------------------------------------


def order_email_context(order: Order) -> dict:
    """Return what every order email's template reads: the order, its lines, what waits."""
    order_lines = list(order.lines.all())
    return {
        "order": order,
        "lines": order_lines,
        "backordered": [line for line in order_lines if line.quantity_backordered],
        "company": settings.OMS_COMPANY_NAME,
    }


def order_for_email(order_id: int) -> Order:
    """Read an order with what its emails print (customer, address, lines): three queries."""
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("position", "pk"))
    return (
        Order.objects.select_related("customer", "shipping_address")
        .prefetch_related(lines)
        .get(pk=order_id)
    )


# Where a customer email's link to the order's status page goes. The link's token is
# made when the email is handed to the mail server (``with_track_link``), so the outbox
# keeps the words with this marker and no token is ever stored in clear.
TRACK_MARKER = "[[track-link]]"


def rendered(email: OutboundEmail, context: dict) -> Rendered:
    """Write an order email of ``email.kind`` from its templates and this context."""
    entry = EMAILS[email.kind]
    if entry.to_customer:
        context = {**context, "track_url": TRACK_MARKER}
    return Rendered(
        subject=entry.subject.format(number=context["order"].number),
        text=render_to_string(f"emails/{email.kind}.txt", context),
        html=render_to_string(f"emails/{email.kind}.html", context),
        to=[] if entry.to_customer else _staff_recipients(),
    )


def render_order_email(email: OutboundEmail) -> Rendered:
    """Write one order email from the order as it is now."""
    return rendered(email, order_email_context(order_for_email(email.about_id)))


def _staff_recipients() -> list[str]:
    configured = list(getattr(settings, "OMS_WAREHOUSE_ALERT_EMAILS", []))
    if configured:
        return configured
    managers = (
        get_user_model()
        .objects.filter(groups__name=Role.MANAGER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    recipients = sorted(set(managers))
    if not recipients:
        raise PermanentFailure(
            "no manager has an email address and OMS_WAREHOUSE_ALERT_EMAILS is not set"
        )
    return recipients


# --- the order's timeline --------------------------------------------------------------------


def _label(email: OutboundEmail) -> str:
    entry = EMAILS.get(email.kind)
    return entry.label if entry else email.kind.replace("_", " ").capitalize()


def _to(email: OutboundEmail) -> str:
    if email.to:
        return " to " + ", ".join(email.to)
    return "" if EMAILS.get(email.kind, OrderEmail("", "")).to_customer else " to the managers"


def email_words(email: OutboundEmail, outcome: str | None = None) -> str:
    """Say what happened to an email, for the order's timeline ("… emailed to ann@…")."""
    what, to = _label(email), _to(email)
    outcome = outcome or email.status
    if outcome == "sent":
        return f"{what} emailed{to}"
    if outcome == "failed":
        return (
            f"{what}{to} could not be sent: {email.last_error}. Gave up after "
            f"{email.attempts} attempt(s); a manager can resend it."
        )
    if outcome == "cancelled":
        return f"{what}{to} cancelled; it will not be sent"
    if outcome == "resent":
        return f"{what}{to} queued again, to be sent now"
    if outcome == OutboundEmail.Status.RETRYING:
        at = time_format(timezone.localtime(email.next_attempt_at), "H:i")
        return (
            f"{what}{to} could not be sent: {email.last_error} — retrying at {at} "
            f"(attempt {email.attempts + 1} of {max_attempts()})"
        )
    return f"{what}{to} waiting to be sent"


def record_order_email(email: OutboundEmail, outcome: str, user=None) -> None:
    """Write an email's outcome on its order's timeline."""
    add_events(
        [
            OrderEvent(
                order_id=email.about_id,
                type=OrderEvent.Type.EMAIL,
                user=user if getattr(user, "pk", None) else None,
                note=email_words(email, outcome),
                data={
                    "email_id": email.pk,
                    "kind": email.kind,
                    "outcome": outcome,
                    "to": list(email.to),
                    "message_id": email.message_id,
                },
            )
        ]
    )


@dataclass(frozen=True)
class PendingEmail:
    """An email still on its way, shown on the timeline beside the order's events."""

    created_at: datetime.datetime
    note: str
    status: str
    user: object = None
    type: str = OrderEvent.Type.EMAIL
    from_status: str = ""
    to_status: str = ""
    pending: bool = True

    def get_type_display(self) -> str:
        return OrderEvent.Type.EMAIL.label


def pending_email_entries(order: Order) -> list[PendingEmail]:
    """Return the order's queued and retrying emails as timeline entries (one query)."""
    return [
        PendingEmail(
            created_at=email.last_attempt_at or email.created_at,
            note=email_words(email),
            status=email.status,
            user=email.created_by,
        )
        for email in emails_about(order, statuses=OutboundEmail.PENDING)
    ]


def _order_link(email: OutboundEmail) -> str:
    return reverse("orders:order_detail", args=[email.about_id])


def register_order_email(
    kind: str, entry: OrderEmail, *, render=render_order_email, attachments=None
) -> None:
    """Make an email about orders known: its words, and how it is written and recorded.

    Orders registers its own kinds; an app built on orders registers its kinds
    about orders the same way (the warehouse's shipment notice), so that they
    are queued with ``queue_order_emails`` and recorded on the order's timeline.
    """
    EMAILS[kind] = entry
    register_email_kind(
        EmailKind(
            name=kind,
            label=entry.label,
            render=render,
            record=record_order_email,
            link=_order_link,
            finish=with_track_link if entry.to_customer else None,
            attachments=attachments,
        )
    )


def with_track_link(email: OutboundEmail, text: str, html: str) -> tuple[str, str]:
    """Put a new link to the order's status page where the words have its marker."""
    if TRACK_MARKER not in text and TRACK_MARKER not in html:
        return text, html
    from orders.services.tracking import public_url, track_path, tracking_link_issue

    url = public_url(track_path(tracking_link_issue(order_id=email.about_id)))
    return text.replace(TRACK_MARKER, url), html.replace(TRACK_MARKER, url)


def register_order_emails() -> None:
    """Tell the outbox how orders' emails are written, linked and recorded."""
    for kind, entry in list(EMAILS.items()):
        register_order_email(kind, entry)
