"""The customer's order status page (``/track/``): no login, phone-first, nothing internal.

``/track/<token>/`` opens the page from a link in an email; ``/track/`` finds
an order by its number and the customer's email or postcode and sends the
browser on to a fresh link. Every answer is marked not to be indexed, cached
or passed on as a referrer, and uses the customer pages' own template and
stylesheet (no staff script, style or address).

The customer pages' forms are exempt from Django's CSRF check, on purpose:
they send no referrer, so a browser posts them with ``Origin: null``, which
the check refuses. Nothing is lost: there is no session to ride on, a lookup
proves itself with the number and the email or postcode, and a return
request is addressed to the secret link itself, which a forging site cannot
know.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oms.login_guard import client_address
from orders.customer_view import customer_page
from orders.services.tracking import (
    MAX_NUMBER,
    MAX_SECRET,
    TrackingRefused,
    track_path,
    tracking_find,
    tracking_open,
)


def customer_page_headers(view):
    """Mark the answer: not indexed, not cached, no referrer, not framed."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Frame-Options"] = "DENY"
        return response

    return wrapped


def _lookup_page(request, *, message: str = "", number: str = "", status: int = 200, wait=None):
    response = render(
        request,
        "track/lookup.html",
        {
            "company_name": settings.OMS_COMPANY_NAME,
            "message": message,
            "number": number,
            "max_number": MAX_NUMBER,
            "max_secret": MAX_SECRET,
        },
        status=status,
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


def refused_page(request, refused: TrackingRefused):
    """Answer a link that opens nothing (404) or a client over its limit (429)."""
    status = 429 if refused.retry_after else 404
    return _lookup_page(request, message=refused.message, status=status, wait=refused.retry_after)


@csrf_exempt
@customer_page_headers
@require_http_methods(["GET", "POST"])
def track_lookup(request):
    """Ask for the order number and the email or postcode; send a match to its page."""
    if request.method == "GET":
        return _lookup_page(request)
    number = str(request.POST.get("number", ""))[: MAX_NUMBER * 2]
    secret = str(request.POST.get("email_or_postcode", ""))[: MAX_SECRET * 2]
    try:
        token = tracking_find(
            number=number, email_or_postcode=secret, client=client_address(request)
        )
    except TrackingRefused as refused:
        status = 429 if refused.retry_after else 200
        return _lookup_page(
            request,
            message=refused.message,
            number=number[:MAX_NUMBER],
            status=status,
            wait=refused.retry_after,
        )
    return HttpResponseRedirect(track_path(token), status=303)


@customer_page_headers
@require_http_methods(["GET"])
def track_page(request, token: str):
    """Show an order's status to whoever holds a valid link."""
    try:
        opened = tracking_open(token=token[:100], client=client_address(request))
    except TrackingRefused as refused:
        return refused_page(request, refused)
    context = customer_page(opened.order, token=opened.token)
    context["company_name"] = settings.OMS_COMPANY_NAME
    return render(request, "track/page.html", context)
