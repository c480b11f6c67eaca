"""The managers' email page: what did not go out, and resend or cancel it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django_fsm import can_proceed

from oms.access import staff_view
from oms.errors import DomainError
from oms.models import OutboundEmail
from oms.outbox import selectors
from oms.outbox.kinds import kind_label, kind_link
from oms.outbox.sending import max_attempts
from oms.outbox.services import email_cancel, email_resend

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 100
# Tabs of the page: "attention" (failed and retrying) first, then each status.
TABS = [("attention", "Needs attention"), *OutboundEmail.Status.choices]
ACTIONS = {
    "resend": (email_resend, "{what} will be sent again now."),
    "cancel": (email_cancel, "{what} cancelled; it will not be sent."),
}


def _query(request) -> tuple[str, str, str]:
    tab = request.GET.get("status") or "attention"
    if tab not in dict(TABS):
        tab = "attention"
    search = (request.GET.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    query = request.GET.copy()
    query.pop("page", None)
    return tab, search, query.urlencode()


def _list(request, *, status: int = 200, error: str = ""):
    tab, search, query = _query(request)
    statuses = selectors.ATTENTION if tab == "attention" else [tab]
    page = Paginator(selectors.email_list(statuses=statuses, search=search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.status_counts()
    counts["attention"] = sum(counts.get(s, 0) for s in selectors.ATTENTION)
    rows = [
        {
            "email": email,
            "label": kind_label(email.kind),
            "link": kind_link(email),
            "can_resend": can_proceed(email.resend),
            "can_cancel": can_proceed(email.cancel),
        }
        for email in page
    ]
    return render(
        request,
        "oms/email_list.html",
        {
            "page": page,
            "rows": rows,
            "tab": tab,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in TABS],
            "search": search,
            "query": query,
            "max_attempts": max_attempts(),
            "error": error,
            "may_resend": request.user.has_perm("oms.resend_outboundemail"),
            "may_cancel": request.user.has_perm("oms.cancel_outboundemail"),
        },
        status=status,
    )


@staff_view("oms.view_outboundemail")
def email_list(request):
    """List emails that failed or are being retried (or any status), newest first."""
    return _list(request)


@staff_view(
    "oms.view_outboundemail",
    post=True,
    perm_by_kwarg=(
        "action",
        {"resend": "oms.resend_outboundemail", "cancel": "oms.cancel_outboundemail"},
    ),
)
def email_action(request, pk: int, action: str):
    """Resend or cancel one email, then come back to the list as it was."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    service, done = ACTIONS[action]
    try:
        email = service(email_id=pk, user=request.user)
    except DomainError as error:
        return _list(request, status=error.status_code, error=error.message)
    what = f"{kind_label(email.kind)} {email.about_label}".strip()
    messages.success(request, done.format(what=what))
    _, _, query = _query(request)
    return redirect(reverse("outbox:email_list") + (f"?{query}" if query else ""))
