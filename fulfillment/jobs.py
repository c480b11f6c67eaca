"""Big print runs of the warehouse floor, prepared in the background (see oms.jobs).

A wave's labels or packing slips, or a long pick list, above
``oms.documents.inline_limit()`` documents would keep a web request busy for
seconds (a 500-label wave takes about 20 s): the document views queue one of
these jobs instead, and the user opens the PDF from the job's page. Sheets
of bin and product labels are inventory's (``inventory.jobs``).
"""

from __future__ import annotations

from fulfillment import documents, selectors
from oms.errors import NotFound
from oms.jobs import JobFile, register

PRINT_PERM = "fulfillment.view_shipment"
PDF = "application/pdf"


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


# A batch of shipments chosen in the admin (its print actions), above the inline limit.
BATCH_PRINT_PERM = "fulfillment.pack_shipment"


def _shipment_ids(job) -> list[int]:
    ids = job.params.get("shipment_ids")
    if not isinstance(ids, list) or not all(isinstance(pk, int) for pk in ids):
        raise NotFound("The shipments to print are not named.")
    return ids


@register("shipment_labels", permission=BATCH_PRINT_PERM)
def shipment_labels(job, progress) -> JobFile:
    """Print the shipping labels of chosen shipments."""
    pdf = documents.batch_labels_pdf(_shipment_ids(job), progress=progress)
    return JobFile(pdf, "labels.pdf", PDF)


@register("shipment_packing_slips", permission=BATCH_PRINT_PERM)
def shipment_packing_slips(job, progress) -> JobFile:
    """Print the packing slips of chosen shipments."""
    pdf = documents.batch_packing_slips_pdf(_shipment_ids(job), progress=progress)
    return JobFile(pdf, "packing-slips.pdf", PDF)
