"""What the inventory app's lists export (oms.exports): products, stock levels, movements.

Products follow the product list page's filters; stock levels and the
movement ledger follow the API lists' filters (``inventory.filters``), the
same query string either way.
"""

from __future__ import annotations

from django.db.models import F
from import_export import fields, resources, widgets

from inventory import selectors
from inventory.filters import MovementFilter, StockFilter
from inventory.product_filters import product_rows
from oms.export_filters import filterset_rows
from oms.exports import register_export

_MOMENT = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")


def _field(attribute: str, column: str, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget)


class ProductExportResource(resources.Resource):
    sku = _field("sku", "SKU")
    name = _field("name", "name")
    barcode = _field("barcode", "barcode")
    supplier = _field("supplier__code", "supplier")
    price = _field("price", "price", widgets.DecimalWidget())
    reorder_point = _field("reorder_point", "reorder point", widgets.IntegerWidget())
    on_hand = _field("total_on_hand", "on hand", widgets.IntegerWidget())
    allocated = _field("total_allocated", "allocated", widgets.IntegerWidget())
    available = _field("total_available", "available", widgets.IntegerWidget())
    is_drop_ship = _field("is_drop_ship", "drop-ship", widgets.BooleanWidget())
    is_active = _field("is_active", "active", widgets.BooleanWidget())


class StockLevelExportResource(resources.Resource):
    sku = _field("product__sku", "SKU")
    product = _field("product__name", "product")
    warehouse = _field("location__warehouse__code", "warehouse")
    location = _field("location__code", "bin")
    on_hand = _field("on_hand", "on hand", widgets.IntegerWidget())
    allocated = _field("allocated", "allocated", widgets.IntegerWidget())
    available = _field("available_quantity", "available", widgets.IntegerWidget())
    last_counted_at = _field("last_counted_at", "last counted", _MOMENT)


class StockMovementExportResource(resources.Resource):
    created_at = _field("created_at", "when", _MOMENT)
    kind = _field("kind", "kind")
    sku = _field("product__sku", "SKU")
    warehouse = _field("location__warehouse__code", "warehouse")
    location = _field("location__code", "bin")
    quantity = _field("quantity", "quantity", widgets.IntegerWidget())
    on_hand_after = _field("on_hand_after", "on hand after", widgets.IntegerWidget())
    reference = _field("reference", "reference")
    reason = _field("reason", "reason")
    user = _field("user__username", "by")


def stock_level_rows(params):
    """Return the stock rows under the stock list's filters, by SKU and bin."""
    levels = selectors.stock_levels().annotate(available_quantity=F("on_hand") - F("allocated"))
    levels = levels.order_by("product__sku", "location__warehouse__code", "location__code", "pk")
    return filterset_rows(StockFilter, params, levels)


def movement_rows(params):
    """Return the ledger rows under the movement list's filters, newest first."""
    return filterset_rows(MovementFilter, params, selectors.movements())


def register_exports() -> None:
    """Offer the inventory app's lists as exports."""
    register_export(
        "products",
        title="Products",
        resource=ProductExportResource,
        rows=product_rows,
        permission="inventory.view_product",
    )
    register_export(
        "stock-levels",
        title="Stock levels",
        resource=StockLevelExportResource,
        rows=stock_level_rows,
        permission="inventory.view_stocklevel",
    )
    register_export(
        "stock-movements",
        title="Stock movements",
        resource=StockMovementExportResource,
        rows=movement_rows,
        permission="inventory.view_stockmovement",
        chunk_size=5000,
    )
