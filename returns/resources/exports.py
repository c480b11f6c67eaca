"""What the returns app's lists export (oms.exports): returns, their lines, refunds.

Returns and their lines read the returns list's own filters (status and the
search for an RMA, order or customer), so a file holds exactly the rows the
page shows, in its order. Refunds export every refund, newest first,
narrowed by the same filters as the API list (status, order, return).
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from oms.export_filters import filterset_rows
from oms.exports import register_export
from returns import selectors
from returns.filters import RefundFilter
from returns.models import Refund, ReturnLine

_MOMENT = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")
_DAY = widgets.DateWidget(format="%Y-%m-%d")


def _field(attribute: str, column: str, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget)


class ReturnExportResource(resources.Resource):
    number = _field("number", "return")
    order = _field("order__number", "order")
    customer = _field("customer__name", "customer")
    status = _field("status", "status")
    source = _field("source", "opened from")
    warehouse = _field("warehouse__code", "warehouse")
    created_at = _field("created_at", "opened", _MOMENT)
    authorized_at = _field("authorized_at", "authorized", _MOMENT)
    received_at = _field("received_at", "received", _MOMENT)
    inspected_at = _field("inspected_at", "inspected", _MOMENT)
    closed_at = _field("closed_at", "closed", _MOMENT)
    window_ends_on = _field("window_ends_on", "window ends", _DAY)
    tracking_number = _field("tracking_number", "tracking number")


class ReturnLineExportResource(resources.Resource):
    rma = _field("rma__number", "return")
    order = _field("rma__order__number", "order")
    status = _field("rma__status", "status")
    sku = _field("order_line__sku", "SKU")
    name = _field("order_line__name", "product")
    reason = _field("reason__code", "reason")
    note = _field("note", "note")
    requested = _field("quantity_requested", "requested", widgets.IntegerWidget())
    authorized = _field("quantity_authorized", "authorized", widgets.IntegerWidget())
    received = _field("quantity_received", "received", widgets.IntegerWidget())
    decided = _field("quantity_decided", "inspected", widgets.IntegerWidget())


class RefundExportResource(resources.Resource):
    number = _field("number", "refund")
    order = _field("order__number", "order")
    rma = _field("rma__number", "return")
    status = _field("status", "status")
    amount = _field("amount", "amount", widgets.DecimalWidget())
    shipping_amount = _field("shipping_amount", "of which shipping", widgets.DecimalWidget())
    currency = _field("currency", "currency")
    method = _field("method", "method")
    reason = _field("reason", "reason")
    provider_reference = _field("provider_reference", "reference")
    credit_note = _field("credit_note__number", "credit note")
    created_at = _field("created_at", "asked", _MOMENT)
    approved_at = _field("approved_at", "approved", _MOMENT)
    paid_at = _field("paid_at", "paid", _MOMENT)


def _list_filters(params) -> dict:
    return {"status": (params.get("status") or "")[:30], "query": (params.get("q") or "")[:100]}


def return_rows(params):
    """Return the returns the returns list shows under these filters, newest first."""
    return selectors.returns_list(**_list_filters(params))


def return_line_rows(params):
    """Return the lines of the returns the returns list shows, return by return."""
    returns = selectors.returns_list(**_list_filters(params)).order_by().values("pk")
    return ReturnLine.objects.filter(rma_id__in=returns).order_by("-rma__created_at", "rma", "pk")


def refund_rows(params):
    """Return refunds, newest first, under the filters status, order and return."""
    return filterset_rows(RefundFilter, params, Refund.objects.order_by("-created_at", "-pk"))


def register_exports() -> None:
    """Offer the returns app's lists as exports."""
    register_export(
        "returns",
        title="Returns",
        resource=ReturnExportResource,
        rows=return_rows,
        permission="returns.view_return",
    )
    register_export(
        "return-lines",
        title="Return lines",
        resource=ReturnLineExportResource,
        rows=return_line_rows,
        permission="returns.view_return",
    )
    register_export(
        "refunds",
        title="Refunds",
        resource=RefundExportResource,
        rows=refund_rows,
        permission="returns.view_refund",
    )
