"""Returns on the customer's status page: what is on its way back, refunds, and asking to return.

The returns app adds a section to the page orders serves at ``/track/``
(``orders.hooks``): each return and refund in the customer's words, and,
for delivered items inside the return window, a form to ask for a return.
Asking posts to ``/track/<token>/return/``, which opens the link again (the
same limits and log as the page), and the request goes through
``returns.services.return_request``: a return in *requested* for the sales
desk to authorize. A refusal is shown on the page; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from oms.errors import DomainError
from oms.login_guard import client_address
from orders.customer_view import customer_page
from orders.hooks import Section
from orders.models import Order
from orders.services.tracking import TrackingRefused, track_path, tracking_open
from orders.views.track import customer_page_headers, refused_page
from returns import selectors, services
from returns.models import Refund, Return

S = Return.Status
# A return as the customer reads it; cancelled ones are not shown.
RETURN_WORDS = {
    S.REQUESTED: "Asked for: we will reply soon",
    S.AUTHORIZED: "Accepted: please send the items back with the label we emailed",
    S.PARTIALLY_RECEIVED: "Some items are back with us",
    S.RECEIVED: "Back with us: being checked",
    S.INSPECTED: "Checked",
    S.CLOSED: "Done",
    S.REJECTED: "Not accepted: we have emailed you why",
    S.EXPIRED: "Not sent back in time",
}
REFUND_WORDS = {
    Refund.Status.PENDING: "Refund being arranged",
    Refund.Status.APPROVED: "Refund approved: on its way",
    Refund.Status.PAID: "Refunded",
}


@dataclass(frozen=True)
class Returnable:
    line_id: int
    name: str
    left: int


def _returnable(order: Order, returns: list[Return]) -> list[Returnable]:
    """Delivered items inside the window, not yet claimed, with no request waiting."""
    if order.status not in (Order.Status.DELIVERED, Order.Status.COMPLETED):
        return []
    ends = selectors.return_window_end(order)
    if ends is None or timezone.localdate() > ends:
        return []
    waiting = {
        line.order_line_id
        for rma in returns
        if rma.status == S.REQUESTED
        for line in rma.lines.all()
    }
    lines = [line for line in order.lines.all() if line.quantity_shipped]
    claimed = selectors.claimed_units([line.pk for line in lines])
    found = []
    for line in lines:
        left = line.quantity_shipped - claimed.get(line.pk, 0)
        if left > 0 and line.pk not in waiting:
            found.append(Returnable(line.pk, line.name, left))
    return found


def customer_section(*, order: Order, token: str) -> Section | None:
    returns = [rma for rma in selectors.order_returns(order) if rma.status in RETURN_WORDS]
    refunds = [r for r in selectors.order_refunds(order) if r.status in REFUND_WORDS]
    returnable = _returnable(order, returns)
    if not (returns or refunds or returnable):
        return None
    reasons = selectors.reasons() if returnable else []
    return Section(
        "returns/_track_returns.html",
        {
            "token": token,
            "returns": [(rma, RETURN_WORDS[rma.status]) for rma in returns],
            "refunds": [(refund, REFUND_WORDS[refund.status]) for refund in refunds],
            "returnable": returnable,
            "reasons": reasons,
            "note_reasons": [reason.name for reason in reasons if reason.needs_note],
            "window_ends": selectors.return_window_end(order) if returnable else None,
        },
    )


def _requested_lines(post, returnable: list[Returnable]) -> list[dict]:
    """Read the form: only the order's own returnable lines are read, whatever else was sent."""
    lines = []
    for item in returnable:
        quantity = str(post.get(f"quantity-{item.line_id}", "")).strip()[:12]
        if quantity in ("", "0"):
            continue
        lines.append(
            {
                "order_line": item.line_id,
                "quantity": quantity,
                "reason": str(post.get(f"reason-{item.line_id}", ""))[:30],
                "note": str(post.get(f"note-{item.line_id}", ""))[:1000],
            }
        )
    return lines


@csrf_exempt
@customer_page_headers
@require_POST
def track_return_request(request, token: str):
    """Ask for a return of delivered items from the status page.

    Exempt from the CSRF check like the page's other form (``orders.views.track``):
    the page sends no referrer, and the secret link in the address is the proof.
    """
    try:
        opened = tracking_open(token=token[:100], client=client_address(request))
    except TrackingRefused as refused:
        return refused_page(request, refused)
    order = opened.order
    returnable = _returnable(order, selectors.order_returns(order))
    try:
        rma = services.return_request(
            order_id=order.pk, lines=_requested_lines(request.POST, returnable)
        )
    except DomainError as error:
        context = customer_page(order, token=opened.token)
        context.update(company_name=settings.OMS_COMPANY_NAME, message=error.message)
        return render(request, "track/page.html", context, status=error.status_code)
    messages.success(
        request,
        f"Thank you: we have your request ({rma.number}) and will email you "
        "the return label once it is accepted.",
    )
    return HttpResponseRedirect(track_path(opened.token), status=303)
