"""Answer a scan on a page: the panel for htmx, or post/redirect/get without JavaScript.

Each scan is a POST answered at once. With htmx the answer is a partial
that replaces the screen's panel, always with status 200: the verdict is in
the panel's ``data-scan-status``. Without JavaScript the POST redirects back
to the page, which reads the last answer from the scan log, as it does
after a reload.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import redirect

from oms.errors import DomainError
from oms.scanlog import ERROR, ScanAnswer


def scan_response(
    request,
    call: Callable[[], ScanAnswer],
    *,
    page: str,
    panel: Callable[[ScanAnswer], HttpResponse],
) -> HttpResponse:
    """Run one scan service and answer: ``panel(answer)`` for htmx, else a redirect to ``page``.

    A refusal is answered like an acceptance, with the row the scan service
    logged for it; the service has already written what there is to write.
    """
    try:
        answer = call()
    except DomainError as error:
        event = getattr(error, "scan_event", None)
        answer = event.answer if event is not None else ScanAnswer(ERROR, error.message)
    else:
        if answer.event is not None:
            answer = ScanAnswer(
                answer.status, answer.message, answer.event, answer.data, answer.event.code
            )
    if not request.htmx:
        return redirect(page)
    return panel(answer)
