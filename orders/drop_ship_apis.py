"""REST API v1: ``POST purchase-orders/<id>/drop-shipped/`` records a drop-ship supplier's shipment.

Purchase orders are inventory's (``inventory.apis.purchasing`` lists and moves them);
the supplier's shipment of a drop-ship order belongs to the customer order it
was raised for, so the orders service records it here: the purchase order
becomes received and the order's drop-ship lines count as shipped.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import selectors as inventory_selectors
from inventory.apis.purchasing import PO_ERRORS, purchase_order_out
from inventory.models import PurchaseOrder
from inventory.serializers.purchasing import PurchaseOrderSerializer
from oms.api_exceptions import validated
from oms.errors import Conflict
from oms.viewsets import BaseViewSet
from orders import services
from orders.models import Order


class DropShippedSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )


class PurchaseOrderDropShipViewSet(BaseViewSet):
    """A drop-ship supplier's shipment of a purchase order, recorded on its customer order."""

    queryset = PurchaseOrder.objects.all()
    serializer_class = PurchaseOrderSerializer
    not_found_message = "That purchase order does not exist."

    def get_queryset(self):
        return inventory_selectors.purchase_orders()

    @extend_schema(
        summary="Record a drop-ship supplier's shipment (carrier and tracking)",
        description=(
            "The purchase order becomes received (no stock moves); the customer order's "
            "drop-ship lines count as shipped, and the order becomes shipped or "
            "partially_shipped. A missing tracking number answers 400."
        ),
        request=DropShippedSerializer,
        responses={200: PurchaseOrderSerializer, **PO_ERRORS},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="drop-shipped",
        required_perms=["inventory.receive_purchaseorder"],
    )
    def drop_shipped(self, request, pk=None):
        po = self.get_object()
        data = validated(DropShippedSerializer, request.data)
        if not po.is_drop_ship:
            raise Conflict(
                f"{po} is for stock: receive its goods into bins instead.", code="not_drop_ship"
            )
        order_id = (
            Order.objects.filter(number=po.customer_reference).values_list("pk", flat=True).first()
            if po.customer_reference
            else None
        )
        if order_id is None:
            raise Conflict(f"{po} was not raised for a customer order.", code="no_order")
        services.order_line_drop_shipped(
            order_id=order_id,
            purchase_order_id=po.pk,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            user=request.user,
        )
        return Response(purchase_order_out(po.pk))
