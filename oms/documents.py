"""What every app's printed documents share: the seller's block, and answering a print request.

Each app prints its own documents (``<app>/documents.py`` builds the
contexts, ``oms.pdf`` renders them): orders the invoice, inventory the bin
and product labels, fulfillment the shipping labels, packing slips and pick
lists. Their views answer through here: the PDF in the browser
(``?download=1`` saves it instead), or, above ``inline_limit()``
documents, a background print run the user follows on its job page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.urls import reverse

from oms import jobs
from oms.access import staff_view
from oms.pdf import pdf_response
from oms.services import id_or_none


def company_context() -> dict:
    """Return the seller as printed at the top of slips and invoices."""
    address = getattr(settings, "OMS_COMPANY_ADDRESS", "")
    return {
        "name": settings.OMS_COMPANY_NAME,
        "lines": [line.strip() for line in address.replace("\n", ",").split(",") if line.strip()],
        "email": getattr(settings, "OMS_COMPANY_EMAIL", "") or settings.DEFAULT_FROM_EMAIL,
        "phone": getattr(settings, "OMS_COMPANY_PHONE", ""),
    }


def inline_limit() -> int:
    """Return how many documents a page may print in the request (OMS_PDF_INLINE_MAX, 40)."""
    return int(getattr(settings, "OMS_PDF_INLINE_MAX", 40))


def pdf_answer(request, pdf: bytes, filename: str) -> HttpResponse:
    """Answer with a PDF shown in the browser, or saved when the request says ``?download=1``."""
    return pdf_response(pdf, filename, inline=request.GET.get("download") not in {"1", "true"})


def print_later(request, *, kind: str, title: str, params: dict, count: int, unit: str):
    """Prepare a big print run in the background and send the user to its progress page."""
    job = jobs.job_start(
        kind=kind, user=request.user, title=title, params=params, unit=unit, total=count
    )
    return redirect(job)


def ids_asked(request, *, limit: int) -> list[int]:
    """Read ``?ids=1,2,3`` (or repeated ``ids``) as primary keys, in the order given, at most
    ``limit``; a part that cannot be an id answers 404."""
    raw = ",".join(request.GET.getlist("ids"))
    ids = [id_or_none(part) for part in raw.split(",") if part.strip()]
    if None in ids:
        raise Http404("Give the labels to print as ids=1,2,3.")
    return list(dict.fromkeys(ids))[:limit]


def moved_to(url_name: str, *, roles: Iterable[str]) -> Callable:
    """Return a view that sends a document's former address to its own app's, query kept.

    It is guarded by the same roles as the document, so a refusal reads as it
    did at the former address.
    """

    @staff_view(roles=roles)
    def moved(request, **kwargs):
        url = reverse(url_name, kwargs=kwargs)
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)

    moved.__doc__ = f"Send the former address of this document to {url_name}."
    return moved
