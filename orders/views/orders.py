"""The order list and the order page ("where is my order?") with its edits and transitions.

Every change goes through orders.services with the version the page showed,
so a button pressed on an out-of-date page is refused with who changed what,
and the page comes back with everything the user typed still in the form.
"""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from oms import tax
from oms.access import staff_view
from oms.barcodes import is_digits
from oms.errors import DomainError, InvalidInput, NotFound
from oms.pagination import paginate_by_key
from orders import hooks, selectors, shipping
from orders.forms import (
    FORMS_INVALID,
    AddressForm,
    OrderFilterForm,
    OrderOptionsForm,
    PaymentForm,
    ReasonForm,
    order_filters_from,
    show_errors,
)
from orders.models import Order
from orders.notifications import pending_email_entries
from orders.payments import amount_paid
from orders.services import editable_fields, order_update
from orders.services.desk import TRANSITION_PERMS, order_transition
from orders.taxes import tax_breakdown

PAGE_SIZE = 50
# Lines an order page shows at first; an order of more (a wholesale one of a thousand
# lines) offers the rest on a click, so the page stays quick.
LINES_SHOWN = 200
BLANK_LINE_ROWS = 3
# Transitions a person starts from the order page, in the order the buttons appear.
PAGE_TRANSITIONS = ["place", "confirm", "hold", "release", "cancel"]
# The order page's edit form, beside the address: each offered while the order's state
# lets it change (orders.services.editing.EDIT_RULES).
OPTION_FIELDS = ["shipping_method", "shipping_price", "ship_policy", "is_vip", "notes"]
REASON_LABELS = {
    "hold": "Why hold it?",
    "release": "Note on release",
    "cancel": "Why cancel? (told to the customer)",
}


# Each action's own permission (TRANSITION_PERMS) is checked before the order is loaded.
_ACTION_PERMS = {action: perm for action, (perm, _message) in TRANSITION_PERMS.items()}


@staff_view("orders.view_order")
def order_list(request):
    """List orders with filters, search, counts per status and pages."""
    form = OrderFilterForm(request.GET or None)
    form.is_valid()
    filters = order_filters_from(request.GET)
    page = paginate_by_key(selectors.order_list(filters), request.GET.get("page"), PAGE_SIZE)
    counts = selectors.order_status_counts(filters)
    query = request.GET.copy()
    query.pop("page", None)
    without_status = query.copy()
    without_status.pop("status", None)
    status_tabs = [(value, label, counts.get(value, 0)) for value, label in Order.Status.choices]
    customer = None
    if filters.customer_id:
        try:
            customer = selectors.customer_get(filters.customer_id)
        except NotFound:
            customer = None
    return render(
        request,
        "orders/order_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "status_query": without_status.urlencode(),
            "status_tabs": status_tabs,
            "all_count": sum(counts.values()),
            "current_status": filters.status,
            "filter_customer": customer,
        },
    )


def _transitions(order: Order, user, lines) -> list[str]:
    """Return the page's transitions this user may take now on this order."""
    available = {t.name for t in order.get_available_user_status_transitions(user)}
    names = [name for name in PAGE_TRANSITIONS if name in available]
    if any(line.quantity_shipped for line in lines):
        names = [name for name in names if name != "cancel"]
    return names


def _options(order: Order, data=None) -> list[str]:
    """Return the edit form's fields: those the order's state lets change, and any posted.

    A field posted from an older page is kept, so that the service refuses a change
    to it in words instead of the page dropping it unsaid.
    """
    editable = editable_fields(order)
    return [name for name in OPTION_FIELDS if name in editable or (data and name in data)]


def _order_forms(order: Order, data=None, *, which: str = "", options=None) -> dict:
    """Return the page's forms: bound to ``data`` for the one that was posted."""
    address = order.shipping_address
    options_initial = {
        "shipping_method": order.shipping_method,
        "shipping_price": order.shipping_price,
        "ship_policy": order.ship_policy,
        "is_vip": order.is_vip,
        "notes": order.notes,
    }
    forms = {
        "address_form": AddressForm(
            data if which == "edit" else None,
            prefix="shipping_address",
            initial=AddressForm.initial_from(address),
        ),
        "options_form": OrderOptionsForm(
            data if which == "edit" else None,
            initial=options_initial,
            fields=_options(order, data if which == "edit" else None),
            current_method=order.shipping_method,
            options=options,
        ),
        "payment_form": PaymentForm(data if which == "confirm" else None, prefix="payment"),
    }
    for action in PAGE_TRANSITIONS:
        form = ReasonForm(data if which == action else None, prefix=action)
        form.fields["reason"].label = REASON_LABELS.get(action, "Note")
        forms[f"{action}_form"] = form
    for form in forms.values():
        if form.is_bound:
            form.is_valid()
    return forms


def _line_rows(order: Order, lines, data=None) -> list[dict]:
    if data is not None:
        skus = data.getlist("line_sku")
        quantities = data.getlist("line_qty")
        removed = set(data.getlist("line_remove"))
        return [
            {
                "index": i,
                "sku": sku,
                "quantity": quantities[i] if i < len(quantities) else "",
                "removed": str(i) in removed,
                "error_sku": "",
                "error_quantity": "",
            }
            # One row past the cap, so that the service refuses too many lines in words.
            for i, sku in enumerate(skus[: Order.MAX_LINES + 1])
        ]
    rows = [
        {"index": i, "sku": line.sku, "quantity": str(line.quantity), "name": line.name}
        for i, line in enumerate(lines)
    ]
    rows += [{"index": len(rows) + i, "sku": "", "quantity": ""} for i in range(BLANK_LINE_ROWS)]
    return rows


def _method_label(code: str, options) -> str:
    """Return how an order's shipping method reads: the service's name, or its code."""
    for option in options:
        if option.code.lower() == (code or "").lower():
            return option.label
    return f"{code} (no longer offered)" if code else ""


def _detail(request, order: Order, *, status: int = 200, **extra):
    options = shipping.offered()
    lines = list(order.lines.all())
    payments = list(order.payments.all())
    paid = amount_paid(payments)
    events = list(order.events.all())
    # Emails still on their way come from the outbox; sent and failed ones are events.
    timeline = sorted(
        [*events, *pending_email_entries(order)], key=attrgetter("created_at"), reverse=True
    )
    user = request.user
    editable = editable_fields(order) if user.has_perm("orders.change_order") else frozenset()
    context = {
        "order": order,
        "lines": lines,
        "lines_shown": lines if request.GET.get("lines") == "all" else lines[:LINES_SHOWN],
        "lines_more": 0 if request.GET.get("lines") == "all" else max(len(lines) - LINES_SHOWN, 0),
        "payments": payments,
        "paid": paid,
        "due": max(order.total - paid, Decimal("0")),
        "events": events,
        "timeline": timeline,
        "transitions": _transitions(order, user, lines),
        "editable": editable,
        "can_edit_lines": "lines" in editable,
        "can_edit_shipping": bool(editable & {"shipping_address", *OPTION_FIELDS}),
        "shipping_method_label": _method_label(order.shipping_method, options),
        "waiting": [line for line in lines if line.quantity_backordered],
        "sections": hooks.page_sections(order=order, user=user),
        "tax_breakdown": tax_breakdown(order, lines),
        "seller_country": tax.seller_country(),
        "hold_reason": next((e.note for e in events if e.to_status == Order.Status.ON_HOLD), "")
        if order.status == Order.Status.ON_HOLD
        else "",
        "action_error": "",
        "action": "",
        "edit_error": "",
        "lines_error": "",
        "line_rows": _line_rows(order, lines),
        **_order_forms(order, options=options),
    }
    context.update(extra)
    return render(request, "orders/order_detail.html", context, status=status)


def _get_order(pk: int) -> Order:
    try:
        return selectors.order_detail(pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _version(data) -> int | None:
    raw = (data.get("version") or "").strip()
    return int(raw) if is_digits(raw) and len(raw) <= 10 else None


@staff_view("orders.view_order")
def order_detail(request, pk: int):
    """Show one order: lines, shipments, payments, timeline, and what this user may do."""
    return _detail(request, _get_order(pk))


@staff_view("orders.view_order", post=True, perm_by_kwarg=("action", _ACTION_PERMS))
def order_action(request, pk: int, action: str):
    """Run one transition (place, confirm, hold, release, cancel) from the order page."""
    if action not in TRANSITION_PERMS:
        raise Http404("No such action.")
    order = _get_order(pk)
    forms = _order_forms(order, request.POST, which=action)
    payment = forms["payment_form"].as_service_data() if action == "confirm" else None
    reason = (forms[f"{action}_form"].cleaned_data.get("reason") or "").strip()
    try:
        if any(form.errors for form in forms.values()):
            raise InvalidInput(FORMS_INVALID)
        order = order_transition(
            order_id=order.pk,
            action=action,
            user=request.user,
            expected_version=_version(request.POST),
            reason=reason,
            payment=payment,
        )
    except DomainError as error:
        general = show_errors(
            error,
            forms_by_prefix={"payment": forms["payment_form"]},
            main=forms[f"{action}_form"],
        )
        return _detail(
            request,
            _get_order(pk),
            status=error.status_code,
            action=action,
            action_error=" ".join(general) or error.message,
            refused_reason=reason,
            **forms,
        )
    messages.success(request, _DONE[action].format(order=order, status=order.get_status_display()))
    return redirect(order.get_absolute_url())


_DONE = {
    "place": "Order {order} placed.",
    "confirm": "Order {order} confirmed: {status}.",
    "hold": "Order {order} is on hold.",
    "release": "Order {order} released: {status}.",
    "cancel": "Order {order} cancelled.",
}


@staff_view("orders.view_order", "orders.change_order", post=True)
def order_edit(request, pk: int):
    """Change the shipping address, method, price, ship policy, VIP flag or notes.

    Only what the order's state lets change is offered; a field posted anyway
    (an older page) is refused by order_update in words, naming the state.
    """
    order = _get_order(pk)
    forms = _order_forms(order, request.POST, which="edit")
    changes = forms["options_form"].as_service_data()
    address = forms["address_form"].as_service_data()
    if address is not None:
        changes["shipping_address"] = address
    try:
        if any(form.errors for form in forms.values()):
            raise InvalidInput(FORMS_INVALID)
        order_update(
            order_id=order.pk,
            user=request.user,
            expected_version=_version(request.POST),
            offered_shipping=True,
            **changes,
        )
    except DomainError as error:
        general = show_errors(
            error,
            forms_by_prefix={"shipping_address": forms["address_form"]},
            main=forms["options_form"],
        )
        return _detail(
            request,
            _get_order(pk),
            status=error.status_code,
            edit_error=" ".join(general),
            edit_open=True,
            **forms,
        )
    messages.success(request, f"Order {order} saved.")
    return redirect(order.get_absolute_url())


@staff_view("orders.view_order", "orders.change_order", post=True)
def order_edit_lines(request, pk: int):
    """Replace the order's lines (while nothing is allocated); a line can be removed."""
    order = _get_order(pk)
    rows = _line_rows(order, None, request.POST)
    kept = [row for row in rows if not row["removed"] and (row["sku"] or row["quantity"])]
    try:
        order_update(
            order_id=order.pk,
            user=request.user,
            expected_version=_version(request.POST),
            lines=[{"sku": row["sku"], "quantity": row["quantity"]} for row in kept],
        )
    except DomainError as error:
        line_errors: dict[int, dict[str, str]] = {}
        general = show_errors(error, forms_by_prefix={}, line_errors=line_errors)
        for index, messages_ in line_errors.items():
            if index < len(kept):
                kept[index]["error_sku"] = messages_.get("sku", "")
                kept[index]["error_quantity"] = messages_.get("quantity", "")
        return _detail(
            request,
            _get_order(pk),
            status=error.status_code,
            lines_error=" ".join(general),
            line_rows=rows,
            lines_open=True,
        )
    messages.success(request, f"Lines of order {order} saved.")
    return redirect(order.get_absolute_url())
