"""Printed documents as PDF responses: labels, packing slips, pick lists, invoices, bin and product labels.

Warehouse staff and managers print shipping documents and bin and product
labels; sales and managers print invoices. A PDF opens in the browser
(``?download=1`` saves it instead), sized for its printer.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404
from django.shortcuts import redirect

from fulfillment import documents, selectors
from fulfillment.jobs import inline_limit
from inventory.models import Location, Product
from oms import jobs
from oms.access import staff_view
from oms.errors import NotFound
from oms.pdf import pdf_response
from oms.roles import Role
from oms.services import id_or_none
from orders import selectors as order_selectors

SHIPPING_ROLES = (Role.WAREHOUSE, Role.MANAGER)
INVOICE_ROLES = (Role.SALES, Role.MANAGER)
MAX_LABELS = 1000
# Bins a pick list prints on one A4 page, roughly: beyond the inline limit in pages, it
# is prepared in the background.
PICK_STOPS_PER_PAGE = 8


def _printable_by(*roles: str) -> Callable:
    """Guard a document view: log in first, then the role (403), GET or HEAD only."""

    return staff_view(roles=roles)


def _respond(request, pdf: bytes, filename: str):
    return pdf_response(pdf, filename, inline=request.GET.get("download") not in {"1", "true"})


def _queue(request, *, kind: str, title: str, params: dict, count: int, unit: str):
    """Prepare a big print run in the background and send the user to its progress page."""
    job = jobs.job_start(
        kind=kind, user=request.user, title=title, params=params, unit=unit, total=count
    )
    return redirect(job)


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


def _ids(request) -> list[int]:
    """Read ``?ids=1,2,3`` (or repeated ``ids``) as a list of primary keys, in the order given."""
    raw = ",".join(request.GET.getlist("ids"))
    ids = [id_or_none(part) for part in raw.split(",") if part.strip()]
    if None in ids:
        raise Http404("Give the labels to print as ids=1,2,3.")
    return list(dict.fromkeys(ids))[:MAX_LABELS]


@_printable_by(*SHIPPING_ROLES)
def shipment_label(request, pk: int):
    """Show a shipment's shipping labels, one 4 x 6 in page per parcel."""
    shipment = _shipment(pk)
    return _respond(request, documents.shipment_label_pdf(shipment), f"label-{shipment}")


@_printable_by(*SHIPPING_ROLES)
def shipment_packing_slip(request, pk: int):
    """Show a shipment's packing slip."""
    shipment = _shipment(pk)
    return _respond(request, documents.packing_slip_pdf(shipment), f"packing-slip-{shipment}")


@_printable_by(*SHIPPING_ROLES)
def wave_pick_list(request, pk: int):
    """Show a wave's pick list in walking order (a very long one is prepared in the background)."""
    wave = _wave(pk)
    stops = wave.shipments.exclude(status="cancelled").values("lines__location_id").distinct()
    if stops.count() > inline_limit() * PICK_STOPS_PER_PAGE:
        return _queue(
            request,
            kind="wave_pick_list",
            title=f"Pick list {wave}",
            params={"wave_id": wave.pk},
            count=1,
            unit="pick list",
        )
    return _respond(request, documents.pick_list_pdf(wave), f"pick-list-{wave}")


@_printable_by(*SHIPPING_ROLES)
def wave_labels(request, pk: int):
    """Show every shipping label of a wave in one PDF (prepared in the background when many)."""
    wave = _wave(pk)
    contexts = documents.wave_label_contexts(wave)
    if not contexts:
        raise Http404("This wave has no shipment to label.")
    if len(contexts) > inline_limit():
        return _queue(
            request,
            kind="wave_labels",
            title=f"Shipping labels for {wave}",
            params={"wave_id": wave.pk},
            count=len(contexts),
            unit="labels",
        )
    return _respond(request, documents.shipping_labels_pdf(contexts), f"labels-{wave}")


@_printable_by(*SHIPPING_ROLES)
def wave_packing_slips(request, pk: int):
    """Show every packing slip of a wave in one PDF (prepared in the background when many)."""
    wave = _wave(pk)
    contexts = documents.wave_packing_slip_contexts(wave)
    if not contexts:
        raise Http404("This wave has no shipment to pack.")
    if len(contexts) > inline_limit():
        return _queue(
            request,
            kind="wave_packing_slips",
            title=f"Packing slips for {wave}",
            params={"wave_id": wave.pk},
            count=len(contexts),
            unit="packing slips",
        )
    return _respond(request, documents.packing_slips_pdf(contexts), f"packing-slips-{wave}")


@_printable_by(*INVOICE_ROLES)
def order_invoice(request, pk: int):
    """Show an order's invoice."""
    try:
        order = order_selectors.order_detail(pk)
    except NotFound as error:
        raise Http404(error.message) from error
    if not order.number:
        raise Http404("A draft order has no invoice yet.")
    return _respond(request, documents.invoice_pdf(order), f"invoice-{order.number}")


@_printable_by(*SHIPPING_ROLES)
def bin_labels(request):
    """Show bin labels for ``?ids=`` locations, or every active bin of ``?warehouse=CODE``."""
    ids = _ids(request)
    locations = Location.objects.select_related("warehouse")
    if ids:
        by_id = locations.in_bulk(ids)
        chosen = [by_id[pk] for pk in ids if pk in by_id]
    elif request.GET.get("warehouse"):
        chosen = list(
            locations.filter(
                warehouse__code__iexact=request.GET["warehouse"][:20], is_active=True
            ).order_by("pick_sequence", "code")[:MAX_LABELS]
        )
    else:
        chosen = []
    if not chosen:
        raise Http404("No bin to label: give ids=1,2,3 or warehouse=CODE.")
    if len(chosen) > inline_limit():
        return _queue(
            request,
            kind="bin_labels",
            title=f"{len(chosen)} bin labels",
            params={"ids": [location.pk for location in chosen]},
            count=len(chosen),
            unit="labels",
        )
    return _respond(request, documents.bin_labels_pdf(chosen), "bin-labels")


@_printable_by(*SHIPPING_ROLES)
def product_labels(request):
    """Show product labels for ``?ids=`` products, ``copies`` of each (1 to 100)."""
    ids = _ids(request)
    by_id = Product.objects.in_bulk(ids)
    chosen = [by_id[pk] for pk in ids if pk in by_id]
    if not chosen:
        raise Http404("No product to label: give ids=1,2,3.")
    try:
        copies = min(max(int(request.GET.get("copies", "1")), 1), 100)
    except ValueError:
        copies = 1
    copies = min(copies, max(1, MAX_LABELS // len(chosen)))
    if len(chosen) * copies > inline_limit():
        return _queue(
            request,
            kind="product_labels",
            title=f"{len(chosen) * copies} product labels",
            params={"ids": [product.pk for product in chosen], "copies": copies},
            count=len(chosen) * copies,
            unit="labels",
        )
    return _respond(request, documents.product_labels_pdf(chosen, copies=copies), "product-labels")
