"""REST API v1 for purchase orders: list, create, send, cancel and receive into bins.

Every write goes through inventory.services. A drop-ship supplier's
shipment is the customer order's business: ``orders.drop_ship_apis``
records it at ``purchase-orders/<id>/drop-shipped/``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import selectors, services
from inventory.apis.base import BAD_INPUT, FORBIDDEN, movements_out
from inventory.filters import PurchaseOrderFilter
from inventory.models import PurchaseOrder
from inventory.serializers.purchasing import (
    PurchaseOrderCancelSerializer,
    PurchaseOrderCreateSerializer,
    PurchaseOrderReceiveResultSerializer,
    PurchaseOrderReceiveSerializer,
    PurchaseOrderSerializer,
)
from oms.api_exceptions import validated
from oms.api_schema import ErrorSerializer
from oms.errors import Conflict, InvalidInput, NotFound
from oms.viewsets import BaseViewSet


def _products_by_sku(lines: list[dict]) -> list:
    """Return the product of each line, or one 404 naming every unknown SKU."""
    errors: dict[str, list[str]] = {}
    products = []
    for index, line in enumerate(lines):
        try:
            products.append(selectors.product_get_by_sku(line["sku"], field=f"lines[{index}].sku"))
        except NotFound as error:
            errors.update(error.errors)
    if errors:
        raise NotFound(next(iter(errors.values()))[0], errors=errors, code="unknown_sku")
    return products


def purchase_order_out(pk: int) -> dict:
    """Return the purchase order as the API shows it, read again with its lines."""
    return PurchaseOrderSerializer(selectors.purchase_orders().get(pk=pk)).data


_PO_MISSING = OpenApiResponse(
    ErrorSerializer, description="The purchase order, a SKU or bin is unknown."
)
_PO_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="Not possible in the purchase order's state, not on the order, or too many.",
)
PO_ERRORS = {400: BAD_INPUT, 403: FORBIDDEN, 404: _PO_MISSING, 409: _PO_CONFLICT}


@extend_schema_view(
    list=extend_schema(summary="List purchase orders (filter by status, supplier, SKU, drop-ship)"),
    retrieve=extend_schema(
        summary="Get a purchase order with its lines",
        responses={200: PurchaseOrderSerializer, 404: _PO_MISSING},
    ),
)
class PurchaseOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Purchase orders to suppliers: create, send, cancel, receive; never deleted.

    Transitions are ``POST purchase-orders/<id>/<transition>/``; from the wrong
    state they answer 409 naming the state. Receiving more than is still open
    on a line is refused (409): the supplier's surplus needs a new order.
    """

    queryset = PurchaseOrder.objects.all()
    serializer_class = PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilter
    not_found_message = "That purchase order does not exist."

    def get_queryset(self):
        return selectors.purchase_orders().order_by("-created_at", "-pk")

    @extend_schema(
        summary="Create a draft purchase order (lines by SKU)",
        request=PurchaseOrderCreateSerializer,
        responses={201: PurchaseOrderSerializer, **PO_ERRORS},
    )
    def create(self, request):
        data = validated(PurchaseOrderCreateSerializer, request.data)
        supplier = selectors.supplier_get(data["supplier"])
        warehouse = selectors.warehouse_get(data["warehouse"])
        products = _products_by_sku(data["lines"])
        po = services.purchase_order_create(
            supplier=supplier,
            warehouse=warehouse,
            lines=[
                (product, line["quantity"], line["unit_cost"])
                for product, line in zip(products, data["lines"], strict=True)
            ],
            user=request.user,
            expected_on=data["expected_on"],
            notes=data["notes"],
        )
        return Response(purchase_order_out(po.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send a draft purchase order to its supplier",
        request=None,
        responses={200: PurchaseOrderSerializer, **PO_ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.send_purchaseorder"])
    def send(self, request, pk=None):
        po = services.purchase_order_send(purchase_order_id=pk, user=request.user)
        return Response(purchase_order_out(po.pk))

    @extend_schema(
        summary="Cancel a draft or sent purchase order",
        request=PurchaseOrderCancelSerializer,
        responses={200: PurchaseOrderSerializer, **PO_ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.change_purchaseorder"])
    def cancel(self, request, pk=None):
        data = validated(PurchaseOrderCancelSerializer, request.data)
        po = services.purchase_order_cancel(
            purchase_order_id=pk, user=request.user, reason=data["reason"]
        )
        return Response(purchase_order_out(po.pk))

    @extend_schema(
        summary="Receive goods against a purchase order into bins (all lines or nothing)",
        description=(
            "Each line books a stock receipt with the PO number as reference and adds to "
            "the line's received quantity; the order becomes partially_received, or "
            "received when every line is complete. Waiting backorders are then served."
        ),
        request=PurchaseOrderReceiveSerializer,
        responses={201: PurchaseOrderReceiveResultSerializer, **PO_ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.receive_purchaseorder"])
    def receive(self, request, pk=None):
        po = self.get_object()
        data = validated(PurchaseOrderReceiveSerializer, request.data)
        if not data["lines"]:
            raise InvalidInput("Name at least one product to receive.", field="lines")
        code = data["warehouse"] or (po.warehouse.code if po.warehouse else "")
        warehouse = selectors.warehouse_get(code) if code else None
        products = _products_by_sku(data["lines"])
        errors: dict[str, list[str]] = {}
        bins = []
        for index, line in enumerate(data["lines"]):
            if warehouse is None:
                errors[f"lines[{index}].location"] = [
                    f"{po} is a drop-ship order: the supplier ships it straight to the "
                    "customer, so nothing is received into bins."
                ]
                continue
            try:
                bins.append(
                    selectors.location_get(
                        warehouse=warehouse, code=line["location"], field=f"lines[{index}].location"
                    )
                )
            except NotFound as error:
                errors.update(error.errors)
        if errors and warehouse is None:
            raise Conflict(next(iter(errors.values()))[0], errors=errors, code="drop_ship")
        if errors:
            raise NotFound(next(iter(errors.values()))[0], errors=errors, code="unknown_location")
        movements = services.purchase_order_receive(
            purchase_order_id=po.pk,
            lines=[
                (product, line["quantity"], location)
                for product, line, location in zip(products, data["lines"], bins, strict=True)
            ],
            user=request.user,
            reason=data["reason"],
        )
        body = {
            "purchase_order": purchase_order_out(po.pk),
            "movements": movements_out(movements),
        }
        return Response(body, status=status.HTTP_201_CREATED)
