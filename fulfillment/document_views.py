"""The warehouse floor's printed documents as PDF: shipping labels, packing slips, pick lists.

Warehouse staff and managers print them. A PDF opens in the browser
(``?download=1`` saves it instead), sized for its printer; a wave's big
print run is prepared in the background (``fulfillment.jobs``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404

from fulfillment import documents, selectors
from oms.access import staff_view
from oms.documents import inline_limit, pdf_answer, print_later
from oms.roles import Role

SHIPPING_ROLES = (Role.WAREHOUSE, Role.MANAGER)
# Bins a pick list prints on one A4 page, roughly: beyond the inline limit in pages, it
# is prepared in the background.
PICK_STOPS_PER_PAGE = 8


def _printable_by(*roles: str) -> Callable:
    """Guard a document view: log in first, then the role (403), GET or HEAD only."""

    return staff_view(roles=roles)


def _shipment(pk: int):
    shipment = selectors.shipment_get(pk)
    if shipment is None:
        raise Http404("That shipment does not exist.")
    return shipment


def _wave(pk: int):
    wave = selectors.wave_get(pk)
    if wave is None:
        raise Http404("That wave does not exist.")
    return wave


@_printable_by(*SHIPPING_ROLES)
def shipment_label(request, pk: int):
    """Show a shipment's shipping labels, one 4 x 6 in page per parcel."""
    shipment = _shipment(pk)
    return pdf_answer(request, documents.shipment_label_pdf(shipment), f"label-{shipment}")


@_printable_by(*SHIPPING_ROLES)
def shipment_packing_slip(request, pk: int):
    """Show a shipment's packing slip."""
    shipment = _shipment(pk)
    return pdf_answer(request, documents.packing_slip_pdf(shipment), f"packing-slip-{shipment}")


@_printable_by(*SHIPPING_ROLES)
def wave_pick_list(request, pk: int):
    """Show a wave's pick list in walking order (a very long one is prepared in the background)."""
    wave = _wave(pk)
    stops = wave.shipments.exclude(status="cancelled").values("lines__location_id").distinct()
    if stops.count() > inline_limit() * PICK_STOPS_PER_PAGE:
        return print_later(
            request,
            kind="wave_pick_list",
            title=f"Pick list {wave}",
            params={"wave_id": wave.pk},
            count=1,
            unit="pick list",
        )
    return pdf_answer(request, documents.pick_list_pdf(wave), f"pick-list-{wave}")


@_printable_by(*SHIPPING_ROLES)
def wave_labels(request, pk: int):
    """Show every shipping label of a wave in one PDF (prepared in the background when many)."""
    wave = _wave(pk)
    contexts = documents.wave_label_contexts(wave)
    if not contexts:
        raise Http404("This wave has no shipment to label.")
    if len(contexts) > inline_limit():
        return print_later(
            request,
            kind="wave_labels",
            title=f"Shipping labels for {wave}",
            params={"wave_id": wave.pk},
            count=len(contexts),
            unit="labels",
        )
    return pdf_answer(request, documents.shipping_labels_pdf(contexts), f"labels-{wave}")


@_printable_by(*SHIPPING_ROLES)
def wave_packing_slips(request, pk: int):
    """Show every packing slip of a wave in one PDF (prepared in the background when many)."""
    wave = _wave(pk)
    contexts = documents.wave_packing_slip_contexts(wave)
    if not contexts:
        raise Http404("This wave has no shipment to pack.")
    if len(contexts) > inline_limit():
        return print_later(
            request,
            kind="wave_packing_slips",
            title=f"Packing slips for {wave}",
            params={"wave_id": wave.pk},
            count=len(contexts),
            unit="packing slips",
        )
    return pdf_answer(request, documents.packing_slips_pdf(contexts), f"packing-slips-{wave}")
