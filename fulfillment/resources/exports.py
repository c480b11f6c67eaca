"""What the fulfillment app's lists export (oms.exports): shipments."""

from __future__ import annotations

from import_export import fields, resources, widgets

from fulfillment.filters import ShipmentFilter
from fulfillment.models import Shipment
from oms.export_filters import filterset_rows
from oms.exports import register_export

_MOMENT = widgets.DateTimeWidget(format="%Y-%m-%d %H:%M:%S")


def _field(attribute: str, column: str, widget=None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=widget)


class ShipmentExportResource(resources.Resource):
    number = _field("number", "shipment")
    order = _field("order__number", "order")
    customer = _field("order__customer__name", "customer")
    status = _field("status", "status")
    warehouse = _field("warehouse__code", "warehouse")
    carrier = _field("carrier__name", "carrier")
    tracking_number = _field("tracking_number", "tracking number")
    created_at = _field("created_at", "made", _MOMENT)
    shipped_at = _field("shipped_at", "shipped", _MOMENT)
    delivered_at = _field("delivered_at", "delivered", _MOMENT)


def shipment_rows(params):
    """Return the shipments under the shipment list's filters, newest first."""
    return filterset_rows(ShipmentFilter, params, Shipment.objects.order_by("-created_at", "-pk"))


def register_exports() -> None:
    """Offer the fulfillment app's lists as exports."""
    register_export(
        "shipments",
        title="Shipments",
        resource=ShipmentExportResource,
        rows=shipment_rows,
        permission="fulfillment.view_shipment",
    )
