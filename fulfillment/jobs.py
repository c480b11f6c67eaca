"""Big print runs of the warehouse, prepared in the background (see oms.jobs).

A wave's labels or packing slips, a pick list or a sheet of bin or product
labels above ``inline_limit()`` documents would keep a web request busy for
seconds (a 500-label wave takes about 20 s): the document views queue one of
these jobs instead, and the user opens the PDF from the job's page.
"""

from __future__ import annotations

from django.conf import settings

from fulfillment import documents, selectors
from inventory.models import Location, Product
from oms.errors import NotFound
from oms.jobs import JobFile, register

PRINT_PERM = "fulfillment.view_shipment"
PDF = "application/pdf"


def inline_limit() -> int:
    """Return how many documents a page may print in the request (OMS_PDF_INLINE_MAX, 40)."""
    return int(getattr(settings, "OMS_PDF_INLINE_MAX", 40))


def _wave(job):
    wave = selectors.wave_get(job.params.get("wave_id"))
    if wave is None:
        raise NotFound("That wave no longer exists.")
    return wave


@register("wave_labels", permission=PRINT_PERM)
def wave_labels(job, progress) -> JobFile:
    """Print every shipping label of a wave."""
    wave = _wave(job)
    return JobFile(documents.wave_labels_pdf(wave, progress=progress), f"labels-{wave}.pdf", PDF)


@register("wave_packing_slips", permission=PRINT_PERM)
def wave_packing_slips(job, progress) -> JobFile:
    """Print every packing slip of a wave."""
    wave = _wave(job)
    pdf = documents.wave_packing_slips_pdf(wave, progress=progress)
    return JobFile(pdf, f"packing-slips-{wave}.pdf", PDF)


@register("wave_pick_list", permission=PRINT_PERM)
def wave_pick_list(job, progress) -> JobFile:
    """Print a long pick list."""
    wave = _wave(job)
    progress.set_total(1)
    pdf = documents.pick_list_pdf(wave)
    progress.advance()
    return JobFile(pdf, f"pick-list-{wave}.pdf", PDF)


@register("bin_labels", permission=PRINT_PERM)
def bin_labels(job, progress) -> JobFile:
    """Print bin labels for the bins chosen, in the order chosen."""
    ids = list(job.params.get("ids") or [])
    by_id = Location.objects.select_related("warehouse").in_bulk(ids)
    chosen = [by_id[pk] for pk in ids if pk in by_id]
    if not chosen:
        raise NotFound("None of those bins exists any more.")
    return JobFile(documents.bin_labels_pdf(chosen, progress=progress), "bin-labels.pdf", PDF)


@register("product_labels", permission=PRINT_PERM)
def product_labels(job, progress) -> JobFile:
    """Print product labels, ``copies`` of each product chosen."""
    ids = list(job.params.get("ids") or [])
    by_id = Product.objects.in_bulk(ids)
    chosen = [by_id[pk] for pk in ids if pk in by_id]
    if not chosen:
        raise NotFound("None of those products exists any more.")
    copies = int(job.params.get("copies") or 1)
    pdf = documents.product_labels_pdf(chosen, copies=copies, progress=progress)
    return JobFile(pdf, "product-labels.pdf", PDF)
