"""The manager's page for counts too far from the record: approve or reject each one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from inventory import selectors, services
from inventory.models import CountAdjustment
from oms.access import staff_view
from oms.errors import DomainError

PAGE_SIZE = 100  # the oldest first; the rest follow as these are decided
APPROVE_PERM = "inventory.approve_countadjustment"


@staff_view(APPROVE_PERM)
def count_approvals(request):
    """List the counts waiting for approval, oldest first, with the stock on record now."""
    pending = selectors.count_adjustments().filter(status=CountAdjustment.Status.PENDING)
    rows = list(pending[: PAGE_SIZE + 1])
    return render(
        request,
        "inventory/count_approvals.html",
        {"rows": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE},
    )


def _decide(request, pk: int, service, done: str):
    note = (request.POST.get("note") or "").strip()[:255]
    try:
        adjustment = service(adjustment_id=pk, user=request.user, note=note)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Count of {adjustment.product.name} in {adjustment.location.code} {done}.",
        )
    return redirect("inventory:count_approvals")


@staff_view(APPROVE_PERM, post=True)
def count_approve(request, pk: int):
    """Approve one count: it is booked through the ledger."""
    return _decide(request, pk, services.count_adjustment_approve, "approved and booked")


@staff_view(APPROVE_PERM, post=True)
def count_reject(request, pk: int):
    """Reject one count: the stock stays as recorded."""
    return _decide(request, pk, services.count_adjustment_reject, "rejected")
