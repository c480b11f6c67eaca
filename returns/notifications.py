"""The returns desk's emails to the customer: return authorized (with the label), received, refund paid.

They are emails about the order (on the order's timeline, through the
outbox like the order's own: ``orders.notifications``); ``data`` names the
return or refund, and each is written from it as it is at the first attempt.
The authorization carries the return label and the RMA slip as PDFs, the
refund notice the credit note, made again at every attempt.
"""

from __future__ import annotations

from oms.models import OutboundEmail
from oms.outbox import NewEmail, Rendered, email_queue
from orders.notifications import (
    OrderEmail,
    order_email_context,
    order_for_email,
    register_order_email,
    rendered,
)

RETURN_AUTHORIZED = "return_authorized"
RETURN_RECEIVED = "return_received"
REFUND_PAID = "refund_paid"


def queue_return_email(kind: str, rma, *, user=None, refund=None, order=None) -> list:
    """Write a returns email to the outbox in the caller's transaction (none without an address)."""
    from returns.models import Return

    order = order or rma.order
    email = order.customer.email
    if not email:
        return []
    data = {}
    if isinstance(rma, Return):
        data["return_id"] = rma.pk
    if refund is not None:
        data["refund_id"] = refund.pk
    return email_queue([NewEmail(kind=kind, about=order, to=[email], data=data)], user=user)


def _context(email: OutboundEmail) -> dict:
    from returns import selectors
    from returns.models import Refund

    order = order_for_email(email.about_id)
    context = order_email_context(order)
    if email.data.get("return_id"):
        context["rma"] = selectors.return_get(email.data["return_id"])
    if email.data.get("refund_id"):
        context["refund"] = Refund.objects.select_related("credit_note", "rma").get(
            pk=email.data["refund_id"]
        )
    return context


def render_return_email(email: OutboundEmail) -> Rendered:
    return rendered(email, _context(email))


def authorized_attachments(email: OutboundEmail) -> list[tuple[str, bytes, str]]:
    from returns import documents, selectors

    rma = selectors.return_get(email.data["return_id"])
    return [
        (f"return-label-{rma.number}.pdf", documents.return_label_pdf(rma), "application/pdf"),
        (f"return-slip-{rma.number}.pdf", documents.rma_slip_pdf(rma), "application/pdf"),
    ]


def refund_attachments(email: OutboundEmail) -> list[tuple[str, bytes, str]]:
    from returns import documents
    from returns.models import CreditNote

    note = (
        CreditNote.objects.select_related("refund", "order", "customer")
        .filter(refund_id=email.data.get("refund_id"))
        .first()
    )
    if note is None:
        return []
    return [(f"credit-note-{note.number}.pdf", documents.credit_note_pdf(note), "application/pdf")]


def register_emails() -> None:
    """Tell the outbox how the returns desk's emails are written, recorded and what they carry."""
    register_order_email(
        RETURN_AUTHORIZED,
        OrderEmail("Return authorized", "Your return for order {number}: label and instructions"),
        render=render_return_email,
        attachments=authorized_attachments,
    )
    register_order_email(
        RETURN_RECEIVED,
        OrderEmail("Return received", "We received your return for order {number}"),
        render=render_return_email,
    )
    register_order_email(
        REFUND_PAID,
        OrderEmail("Refund paid", "Your refund for order {number}"),
        render=render_return_email,
        attachments=refund_attachments,
    )
