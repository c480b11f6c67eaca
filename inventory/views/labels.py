"""Bin and product labels as PDF, for warehouse staff and managers.

A sheet above ``oms.documents.inline_limit()`` labels is printed in the
background (``inventory.jobs``); the page answers with the job's page.
"""

from __future__ import annotations

from django.http import Http404

from inventory import documents, selectors
from oms.access import staff_view
from oms.documents import ids_asked, inline_limit, pdf_answer, print_later
from oms.roles import Role

LABEL_ROLES = (Role.WAREHOUSE, Role.MANAGER)
MAX_LABELS = 1000


@staff_view(roles=LABEL_ROLES)
def bin_labels(request):
    """Show bin labels for ``?ids=`` locations, or every active bin of ``?warehouse=CODE``."""
    ids = ids_asked(request, limit=MAX_LABELS)
    if ids:
        by_id = selectors.locations_by_ids(ids)
        chosen = [by_id[pk] for pk in ids if pk in by_id]
    elif request.GET.get("warehouse"):
        chosen = selectors.warehouse_bins(request.GET["warehouse"][:20], limit=MAX_LABELS)
    else:
        chosen = []
    if not chosen:
        raise Http404("No bin to label: give ids=1,2,3 or warehouse=CODE.")
    if len(chosen) > inline_limit():
        return print_later(
            request,
            kind="bin_labels",
            title=f"{len(chosen)} bin labels",
            params={"ids": [location.pk for location in chosen]},
            count=len(chosen),
            unit="labels",
        )
    return pdf_answer(request, documents.bin_labels_pdf(chosen), "bin-labels")


@staff_view(roles=LABEL_ROLES)
def product_labels(request):
    """Show product labels for ``?ids=`` products, ``copies`` of each (1 to 100)."""
    ids = ids_asked(request, limit=MAX_LABELS)
    by_id = selectors.products_by_ids(ids)
    chosen = [by_id[pk] for pk in ids if pk in by_id]
    if not chosen:
        raise Http404("No product to label: give ids=1,2,3.")
    try:
        copies = min(max(int(request.GET.get("copies", "1")), 1), 100)
    except ValueError:
        copies = 1
    copies = min(copies, max(1, MAX_LABELS // len(chosen)))
    if len(chosen) * copies > inline_limit():
        return print_later(
            request,
            kind="product_labels",
            title=f"{len(chosen) * copies} product labels",
            params={"ids": [product.pk for product in chosen], "copies": copies},
            count=len(chosen) * copies,
            unit="labels",
        )
    return pdf_answer(
        request, documents.product_labels_pdf(chosen, copies=copies), "product-labels"
    )
