"""Warehouse scan screens: receive goods into bins, and count bins, with a barcode scanner.

The views are thin: each POST hands the form's fields to a scan service
(``inventory.services.receive_scans``, ``count_scans``) and answers with
``oms.scan_views.scan_response``: the panel for htmx, a redirect without
JavaScript. Every page is built from the scan log and the person's count of
a bin, never from the session, so a reload, a dropped connection, a logout
or another device loses nothing.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from inventory import selectors, services
from inventory.models import CountSession, StockScan
from oms.access import staff_view
from oms.scan_views import scan_response
from oms.scanlog import TIMES, ScanAnswer

HISTORY_SIZE = 10
BINS_TO_COUNT = 20  # shown on the count screen; the rest follow as those are counted
Action = StockScan.Action


def _accepted_action(answer: ScanAnswer) -> str | None:
    event = answer.event
    return event.action if event is not None and event.accepted else None


# --- receive ----------------------------------------------------------------------------------


def _receive_context(request, answer: ScanAnswer | None = None, **extra) -> dict:
    state = selectors.scan_screen_state(user=request.user, screen=StockScan.Screen.RECEIVE)
    history = selectors.receive_history(user=request.user, limit=HISTORY_SIZE)
    undo_target = next(
        (row for row in history if row.action == Action.RECEIVE and not row.undone), None
    )
    if answer is None and state.last is not None:
        answer = state.last.answer
    return {
        "location": state.location,
        "reference": state.reference,
        "purchase_order": selectors.purchase_order_for_reference(state.reference),
        "quantity": state.quantity_field,
        "answer": answer,
        "history": history,
        "undo_target": undo_target,
        "times": TIMES,
        **extra,
    }


def _receive_panel(request, answer: ScanAnswer):
    action = _accepted_action(answer)
    context = _receive_context(
        request,
        answer,
        oob=True,
        reset_quantity=action in (Action.RECEIVE, Action.DONE),
        reference_changed=action in (Action.REFERENCE, Action.DONE),
    )
    return render(request, "inventory/_scan_receive_panel.html", context)


def _receive_answer(request, call):
    return scan_response(
        request,
        call,
        page=reverse("inventory:receive"),
        panel=lambda answer: _receive_panel(request, answer),
    )


@staff_view("inventory.receive_stock")
def receive(request):
    """Show the receive screen: one scan field, the current bin, the last receipts."""
    return render(request, "inventory/receive.html", _receive_context(request))


@staff_view("inventory.receive_stock", post=True)
def receive_scan(request):
    """Answer one scan on the receive screen: set the bin, receive goods, or run a command."""
    return _receive_answer(
        request,
        lambda: services.receive_scan(
            user=request.user,
            code=request.POST.get("code", ""),
            reference=request.POST.get("reference"),
            quantity=request.POST.get("quantity"),
            entry=request.POST.get("entry", ""),
        ),
    )


@staff_view("inventory.receive_stock", post=True)
def receive_undo(request):
    """Take back the user's last receipt (button, F2 or the CMD-UNDO scan)."""
    return _receive_answer(request, lambda: services.receive_undo(user=request.user))


# --- count ------------------------------------------------------------------------------------


def _count_context(request, answer: ScanAnswer | None = None, **extra) -> dict:
    latest = selectors.count_session_latest(user=request.user)
    status = latest.status if latest is not None else None
    session = latest if status == CountSession.Status.OPEN else None
    finished = (
        latest.result
        if status == CountSession.Status.FINISHED and latest.dismissed_at is None
        else None
    )
    location = session.location if session else None
    tally = selectors.count_tally(session) if session else []
    recent = selectors.count_recent(session, limit=HISTORY_SIZE) if session else []
    state = selectors.scan_screen_state(user=request.user, screen=StockScan.Screen.COUNT)
    if answer is None and state.last is not None:
        answer = state.last.answer
    to_count = list(selectors.bins_to_count()[: BINS_TO_COUNT + 1]) if location is None else []
    return {
        "bins_to_count": to_count[:BINS_TO_COUNT],
        "more_to_count": len(to_count) > BINS_TO_COUNT,
        "location": location,
        "tally": tally,
        "items_counted": sum(counted for _, counted in tally),
        "recent": [(row.product, row.quantity) for row in recent],
        "quantity": state.quantity_field,
        "answer": answer,
        "finished": finished,
        "differences": [line for line in finished["lines"] if line["difference"]]
        if finished
        else [],
        "times": TIMES,
        **extra,
    }


def _count_answer(request, call):
    def panel(answer: ScanAnswer):
        reset_quantity = _accepted_action(answer) == Action.COUNT
        context = _count_context(request, answer, oob=True, reset_quantity=reset_quantity)
        return render(request, "inventory/_scan_count_panel.html", context)

    return scan_response(request, call, page=reverse("inventory:count"), panel=panel)


@staff_view("inventory.count_stock")
def count(request):
    """Show the count screen: scan a bin, scan what is in it, finish the bin."""
    return render(request, "inventory/count.html", _count_context(request))


@staff_view("inventory.count_stock", post=True)
def count_scan(request):
    """Answer one scan on the count screen: start a bin, add to the tally, or run a command."""
    return _count_answer(
        request,
        lambda: services.count_scan(
            user=request.user,
            code=request.POST.get("code", ""),
            quantity=request.POST.get("quantity"),
            entry=request.POST.get("entry", ""),
        ),
    )


@staff_view("inventory.count_stock", post=True)
def count_finish(request):
    """Finish the bin (button, F4 or CMD-DONE), or count ticked unscanned products as zero."""
    if request.POST.get("step") == "zero":
        return _count_answer(
            request,
            lambda: services.count_zero(
                user=request.user, product_ids=request.POST.getlist("zero")
            ),
        )
    return _count_answer(request, lambda: services.count_finish(user=request.user))


@staff_view("inventory.count_stock", post=True)
def count_undo(request):
    """Take the last scan off the bin's tally (button, F2 or the CMD-UNDO scan)."""
    return _count_answer(request, lambda: services.count_undo(user=request.user))
