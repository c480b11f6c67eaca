"""What the orders app's lists export (oms.exports): orders, their lines, customers.

Each resource names its columns; each export reads the list page's own
filters (``orders.forms.order_filters_from``), so a file holds exactly the
rows the page shows, in the page's order.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from oms.exports import register_export
from orders import selectors
from orders.forms import CustomerFilterForm, order_filters_from
from orders.models import OrderLine
from orders.selectors import OrderFilters

_MOMENT = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")


def _field(attribute: str, column: str, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget)


class OrderExportResource(resources.Resource):
    number = _field("number", "order")
    placed_at = _field("placed_at", "placed", _MOMENT)
    status = _field("status", "status")
    channel = _field("channel", "channel")
    customer = _field("customer__name", "customer")
    email = _field("customer__email", "email")
    external_reference = _field("external_reference", "external reference")
    currency = _field("currency", "currency")
    subtotal = _field("subtotal", "subtotal", widgets.DecimalWidget())
    shipping_price = _field("shipping_price", "shipping", widgets.DecimalWidget())
    tax_total = _field("tax_total", "tax", widgets.DecimalWidget())
    total = _field("total", "total", widgets.DecimalWidget())
    is_vip = _field("is_vip", "VIP", widgets.BooleanWidget())


class OrderLineExportResource(resources.Resource):
    order = _field("order__number", "order")
    placed_at = _field("order__placed_at", "placed", _MOMENT)
    channel = _field("order__channel", "channel")
    customer = _field("order__customer__name", "customer")
    sku = _field("sku", "SKU")
    name = _field("name", "product")
    quantity = _field("quantity", "quantity", widgets.IntegerWidget())
    unit_price = _field("unit_price", "unit price", widgets.DecimalWidget())
    tax_rate = _field("tax_rate", "tax rate", widgets.DecimalWidget())
    tax_amount = _field("tax_amount", "tax", widgets.DecimalWidget())
    quantity_shipped = _field("quantity_shipped", "shipped", widgets.IntegerWidget())
    quantity_returned = _field("quantity_returned", "returned", widgets.IntegerWidget())


class CustomerExportResource(resources.Resource):
    name = _field("name", "name")
    email = _field("email", "email")
    phone = _field("phone", "phone")
    is_vip = _field("is_vip", "VIP", widgets.BooleanWidget())
    order_count = _field("order_count", "orders", widgets.IntegerWidget())
    created_at = _field("created_at", "customer since", _MOMENT)


def order_rows(params):
    """Return the orders the order list shows under these filters, newest first."""
    return selectors.order_list(order_filters_from(params))


def order_line_rows(params):
    """Return the lines of the orders the order list shows, as they were taken."""
    filters = order_filters_from(params)
    lines = OrderLine.objects.all()
    if filters != OrderFilters():
        orders = selectors.order_list(filters).order_by().values("pk")
        lines = lines.filter(order_id__in=orders)
    return lines.order_by("pk")


def customer_rows(params):
    """Return the customers the customer list shows under these filters, by name."""
    form = CustomerFilterForm(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    vip = {"yes": True, "no": False}.get(data.get("vip") or "")
    return selectors.customer_list(search=data.get("q") or "", vip=vip)


def register_exports() -> None:
    """Offer the orders app's lists as exports."""
    register_export(
        "orders",
        title="Orders",
        resource=OrderExportResource,
        rows=order_rows,
        permission="orders.view_order",
    )
    register_export(
        "order-lines",
        title="Order lines",
        resource=OrderLineExportResource,
        rows=order_line_rows,
        permission="orders.view_order",
        chunk_size=5000,
    )
    register_export(
        "customers",
        title="Customers",
        resource=CustomerExportResource,
        rows=customer_rows,
        permission="orders.view_customer",
    )
