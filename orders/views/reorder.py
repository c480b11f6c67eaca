"""The manager's reorder page: suggestions by supplier, and drafts made in one click."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.shortcuts import redirect, render

from oms.access import staff_view
from oms.errors import DomainError
from oms.roles import Role
from orders import reorder_selectors
from orders.services.reorder import MAX_SUPPLIERS, reorder_drafts_create

PERM = "inventory.add_purchaseorder"


@staff_view(PERM, roles=[Role.MANAGER])
def reorder_list(request):
    """List what to reorder, grouped by supplier, with the forecast behind each quantity."""
    suggestions = reorder_selectors.reorder_suggestions()
    groups = [
        {"supplier": supplier, "rows": list(rows)}
        for supplier, rows in groupby(suggestions, key=lambda s: s.supplier)
    ]
    for group in groups:
        group["units"] = sum(s.quantity for s in group["rows"])
    return render(
        request,
        "orders/reorder.html",
        {
            "groups": groups,
            "warehouses": list(reorder_selectors.open_warehouses()),
            "weeks": reorder_selectors.HISTORY_WEEKS,
            "review_days": reorder_selectors.REVIEW_DAYS,
        },
    )


def _ids(values) -> list[int] | None:
    ids = []
    for value in values[: MAX_SUPPLIERS + 1]:
        if not str(value).isdigit() or len(str(value)) > 12:
            return None
        ids.append(int(value))
    return ids


@staff_view(PERM, roles=[Role.MANAGER], post=True)
def reorder_create(request):
    """Make draft purchase orders for the chosen suppliers' suggestions."""
    ids = _ids(request.POST.getlist("supplier"))
    warehouse_id = request.POST.get("warehouse", "")
    warehouse = next(
        (w for w in reorder_selectors.open_warehouses() if str(w.pk) == warehouse_id), None
    )
    if ids is None:
        messages.error(request, "One of the suppliers is not valid.")
    elif warehouse is None:
        messages.error(request, "Choose the warehouse the goods go to.")
    else:
        try:
            made = reorder_drafts_create(supplier_ids=ids, warehouse=warehouse, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if made:
                numbers = ", ".join(po.number for po in made)
                messages.success(request, f"Draft purchase orders made: {numbers}.")
            else:
                messages.info(request, "Nothing to reorder from those suppliers any more.")
    return redirect("orders:reorder_list")
