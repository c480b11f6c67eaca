"""An order's invoice as PDF, for sales reps and managers."""

from __future__ import annotations

from django.http import Http404

from oms.access import staff_view
from oms.documents import pdf_answer
from oms.errors import NotFound
from oms.roles import Role
from orders import documents, selectors

INVOICE_ROLES = (Role.SALES, Role.MANAGER)


@staff_view(roles=INVOICE_ROLES)
def order_invoice(request, pk: int):
    """Show an order's invoice."""
    try:
        order = selectors.order_detail(pk)
    except NotFound as error:
        raise Http404(error.message) from error
    if not order.number:
        raise Http404("A draft order has no invoice yet.")
    return pdf_answer(request, documents.invoice_pdf(order), f"invoice-{order.number}")
