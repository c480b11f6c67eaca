"""Returns pages: start a return from an order, a return's page, the bench, the refunds queue.

Every view checks the role before it reads anything (``oms.access``); every
write goes through ``returns.services``, whose refusals are shown in plain
words and change nothing.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from oms.access import staff_view
from oms.documents import pdf_answer
from oms.errors import DomainError
from oms.scan_views import scan_response
from orders.models import Order
from returns import documents, selectors, services
from returns.models import Refund, Return

HISTORY_SIZE = 10
RETURN_ACTIONS = {
    "authorize": "returns.authorize_return",
    "reject": "returns.authorize_return",
    "cancel": "returns.authorize_return",
    "close": "returns.authorize_return",
    "finish": "returns.receive_return",
}
REFUND_ACTIONS = {
    "approve": "returns.approve_refund",
    "reject": "returns.approve_refund",
    "pay": "returns.pay_refund",
}


@staff_view("returns.view_return")
def return_list(request):
    """List returns, newest first, by status and by RMA, order number or customer."""
    status = request.GET.get("status", "")[:30]
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.returns_list(status=status, query=query), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "returns/return_list.html",
        {
            "page": page,
            "status": status,
            "q": query,
            "statuses": Return.Status.choices,
            "export_query": urlencode({k: v for k, v in [("status", status), ("q", query)] if v}),
        },
    )


@staff_view("returns.add_return", methods=["GET", "POST"])
def return_new(request, pk: int):
    """Start a return for an order: choose lines, quantities and reasons."""
    order = Order.objects.select_related("customer").filter(pk=pk).first()
    if order is None:
        raise Http404("That order does not exist.")
    lines = selectors.order_line_units(order)
    error = None
    if request.method == "POST":
        wanted = []
        for line in lines:
            quantity = request.POST.get(f"qty-{line.pk}", "").strip()[:12]
            if quantity and quantity != "0":
                wanted.append(
                    {
                        "order_line": line.pk,
                        "quantity": quantity,
                        "reason": request.POST.get(f"reason-{line.pk}", "")[:30],
                        "note": request.POST.get(f"note-{line.pk}", "")[:500],
                    }
                )
        try:
            rma = services.return_create(
                order_id=order.pk,
                lines=wanted,
                user=request.user,
                notes=request.POST.get("notes", "")[:5000],
            )
        except DomainError as refusal:
            error = refusal.message
        else:
            messages.success(request, f"{rma} opened: authorize it to email the label.")
            return redirect(rma)
    return render(
        request,
        "returns/return_new.html",
        {
            "order": order,
            "lines": lines,
            "reasons": selectors.reasons(),
            "error": error,
            "posted": request.POST,
        },
        status=400 if error else 200,
    )


@staff_view("returns.view_return")
def return_detail(request, pk: int):
    """Show a return: lines, what arrived and what was decided, refunds, its timeline."""
    rma = selectors.return_get(pk)
    if rma is None:
        raise Http404("That return does not exist.")
    lines = list(rma.lines.all())
    refunds = list(rma.refunds.all())
    paid = selectors.amount_paid(rma.order)
    return render(
        request,
        "returns/return_detail.html",
        {
            "rma": rma,
            "lines": lines,
            "refunds": refunds,
            "events": list(rma.events.all()),
            "paid": paid,
            "refunded": selectors.amount_refunded(rma.order),
            "refundable_lines": [
                (
                    line,
                    services.line_refund_amount(
                        line.order_line, 1, included=rma.order.prices_include_tax
                    ),
                )
                for line in lines
                if line.quantity_received
            ],
            "methods": Refund.Method.choices,
        },
    )


@staff_view(methods=["POST"], perm_by_kwarg=("action", RETURN_ACTIONS))
def return_action(request, pk: int, action: str):
    """Authorize, reject, cancel, close a return, or finish receiving it short."""
    if action not in RETURN_ACTIONS:
        raise Http404("Unknown action.")
    if not Return.objects.filter(pk=pk).exists():
        raise Http404("That return does not exist.")
    post = request.POST
    try:
        if action == "authorize":
            services.return_authorize(
                return_id=pk,
                user=request.user,
                outside_window_reason=post.get("outside_window_reason", "")[:255],
                carrier=post.get("carrier", "")[:100],
                tracking_number=post.get("tracking_number", "")[:100],
            )
        elif action == "reject":
            services.return_reject(
                return_id=pk, user=request.user, reason=post.get("reason", "")[:255]
            )
        elif action == "cancel":
            services.return_cancel(
                return_id=pk, user=request.user, reason=post.get("reason", "")[:255]
            )
        elif action == "close":
            services.return_close(return_id=pk, user=request.user, note=post.get("note", "")[:255])
        else:
            services.return_receiving_finish(return_id=pk, user=request.user)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Done.")
    return redirect("returns:return_detail", pk=pk)


@staff_view("returns.add_refund", post=True)
def refund_new(request, pk: int):
    """Ask for a refund of a return's received units (and shipping)."""
    rma = Return.objects.filter(pk=pk).first()
    if rma is None:
        raise Http404("That return does not exist.")
    lines = []
    for line in rma.lines.all():
        quantity = request.POST.get(f"qty-{line.pk}", "").strip()[:12]
        if quantity and quantity != "0":
            lines.append({"return_line": line.pk, "quantity": quantity})
    try:
        refund = services.refund_request(
            order_id=rma.order_id,
            return_id=rma.pk,
            lines=lines,
            user=request.user,
            amount=request.POST.get("amount", "").strip()[:20] or None,
            shipping_amount=request.POST.get("shipping_amount", "").strip()[:20] or "0",
            method=request.POST.get("method", Refund.Method.ORIGINAL)[:20],
            reason=request.POST.get("reason", "")[:255],
        )
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{refund} of {refund.amount} asked for: a manager approves it.")
    return redirect("returns:return_detail", pk=pk)


@staff_view("returns.approve_refund")
def refund_list(request):
    """The managers' refunds queue: what waits, with what was paid and refunded before."""
    waiting = list(selectors.refunds_waiting()[:200])
    money = selectors.order_money({refund.order_id for refund in waiting})
    for refund in waiting:
        refund.paid_before, refund.refunded_before = money[refund.order_id]
    return render(
        request,
        "returns/refund_list.html",
        {"waiting": waiting, "recent": list(selectors.refunds_recent())},
    )


@staff_view(methods=["POST"], perm_by_kwarg=("action", REFUND_ACTIONS))
def refund_action(request, pk: int, action: str):
    """Approve, reject or pay a refund."""
    if action not in REFUND_ACTIONS:
        raise Http404("Unknown action.")
    if not Refund.objects.filter(pk=pk).exists():
        raise Http404("That refund does not exist.")
    try:
        if action == "approve":
            refund = services.refund_approve(refund_id=pk, user=request.user)
        elif action == "reject":
            refund = services.refund_reject(
                refund_id=pk, user=request.user, reason=request.POST.get("reason", "")[:255]
            )
        else:
            refund = services.refund_pay(
                refund_id=pk, user=request.user, reference=request.POST.get("reference", "")[:100]
            )
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"{refund} is {refund.get_status_display().lower()}.")
    return redirect(reverse("returns:refund_list"))


@staff_view("returns.view_return")
def return_label(request, pk: int):
    """Print a return's 4x6 in label."""
    rma = selectors.return_get(pk)
    if rma is None or rma.status in (Return.Status.REQUESTED, *Return.VOID):
        raise Http404("That return has no label: it is not authorized.")
    return pdf_answer(request, documents.return_label_pdf(rma), f"return-label-{rma.number}")


@staff_view("returns.view_return")
def return_slip(request, pk: int):
    """Print the slip that goes into a return's parcel."""
    rma = selectors.return_get(pk)
    if rma is None:
        raise Http404("That return does not exist.")
    return pdf_answer(request, documents.rma_slip_pdf(rma), f"return-slip-{rma.number}")


@staff_view("returns.view_creditnote")
def credit_note_pdf(request, pk: int):
    """Print a credit note."""
    note = selectors.credit_note_get(pk)
    if note is None:
        raise Http404("That credit note does not exist.")
    return pdf_answer(request, documents.credit_note_pdf(note), f"credit-note-{note.number}")


# --- the returns bench ---------------------------------------------------------------------------


def _bench_context(request, answer=None) -> dict:
    rma = selectors.bench_return(request.user)
    last = selectors.last_bench_scan(request.user)
    return {
        "rma": rma,
        "lines": list(rma.lines.all()) if rma else [],
        "answer": answer or (last.answer if last is not None else None),
        "history": selectors.bench_history(request.user, HISTORY_SIZE),
    }


@staff_view("returns.receive_return")
def bench(request):
    """The returns bench: scan the RMA, then each item, then its disposition."""
    return render(request, "returns/bench.html", _bench_context(request))


@staff_view("returns.receive_return", post=True)
def bench_scan(request):
    """Answer one scan on the returns bench."""
    return scan_response(
        request,
        lambda: services.bench_scan(
            user=request.user,
            code=request.POST.get("code", "")[:200],
            entry=request.POST.get("entry", ""),
        ),
        page=reverse("returns:bench"),
        panel=lambda answer: render(
            request, "returns/_bench_panel.html", _bench_context(request, answer)
        ),
    )
