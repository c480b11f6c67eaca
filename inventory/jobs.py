"""Big runs of bin and product labels, printed in the background (see oms.jobs).

The label views queue these above ``oms.documents.inline_limit()`` labels;
the user opens the PDF from the job's page. Registered by
``InventoryConfig.ready``.
"""

from __future__ import annotations

from inventory import documents, selectors
from oms.errors import NotFound
from oms.jobs import JobFile, register

# Who may print labels: warehouse staff and managers, as the label pages allow.
BIN_LABELS_PERM = "inventory.change_location"
PRODUCT_LABELS_PERM = "inventory.receive_stock"
PDF = "application/pdf"


def _chosen(by_id: dict, ids: list) -> list:
    return [by_id[pk] for pk in ids if pk in by_id]


@register("bin_labels", permission=BIN_LABELS_PERM)
def bin_labels(job, progress) -> JobFile:
    """Print bin labels for the bins chosen, in the order chosen."""
    ids = list(job.params.get("ids") or [])
    chosen = _chosen(selectors.locations_by_ids(ids), ids)
    if not chosen:
        raise NotFound("None of those bins exists any more.")
    return JobFile(documents.bin_labels_pdf(chosen, progress=progress), "bin-labels.pdf", PDF)


@register("product_labels", permission=PRODUCT_LABELS_PERM)
def product_labels(job, progress) -> JobFile:
    """Print product labels, ``copies`` of each product chosen."""
    ids = list(job.params.get("ids") or [])
    chosen = _chosen(selectors.products_by_ids(ids), ids)
    if not chosen:
        raise NotFound("None of those products exists any more.")
    copies = int(job.params.get("copies") or 1)
    pdf = documents.product_labels_pdf(chosen, copies=copies, progress=progress)
    return JobFile(pdf, "product-labels.pdf", PDF)
