"""REST API v1 for the warehouse floor: shipments, waves, scans, carriers and tracking updates.

Every write goes through fulfillment.services, the same calls the scan
screens make; refusals come back as JSON (400, 403, 404, 409), never a 500.

* ``GET shipments/`` (filter by status, order, wave, warehouse), ``GET shipments/<id>/``
* ``POST shipments/`` ``{"order": 42}``: shipments for an order's allocated lines
* ``POST shipments/<id>/ship/`` ``{"carrier": "RM", "tracking_number": "..."}``
* ``POST shipments/<id>/cancel/`` ``{"reason": "..."}``
* ``POST waves/`` (filters), ``GET waves/<id>/`` with its pick list
* ``POST scans/pick/`` ``{"wave": 3, "code": "BIN-MAIN-A-01-01"}``,
  ``POST scans/pack/`` ``{"shipment": 7, "code": "4006381333931"}``
* ``GET carriers/`` with their services
* ``POST tracking/`` ``{"tracking_number": "...", "status": "delivered"}`` (carrier webhook)
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from fulfillment import selectors, services
from fulfillment.models import Carrier, Shipment, Wave
from fulfillment.services.base import ScanAnswer
from fulfillment.services.waves import MAX_WAVE_ORDERS, MAX_WAVE_SHIPMENTS
from oms.api_exceptions import validated
from oms.api_inputs import IdFilter, object_id, whole
from oms.api_schema import ErrorSerializer
from oms.services import MAX_QUANTITY
from oms.viewsets import BaseViewSet
from orders.models import Order
from orders.services.customers import ADDRESS_FIELDS

_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: a message per field."),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(ErrorSerializer, description="It does not exist."),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state."),
}


def _time(value):
    return value.isoformat() if value else None


def _address(address) -> dict | None:
    if address is None:
        return None
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def shipment_as_dict(shipment: Shipment) -> dict:
    """Serialise a shipment loaded by selectors.shipments() (no further queries)."""
    parcels = list(shipment.parcels.all())
    return {
        "id": shipment.pk,
        "number": shipment.number,
        "status": shipment.status,
        "order": {"id": shipment.order_id, "number": shipment.order.number},
        "ship_to": _address(shipment.ship_to),
        "warehouse": shipment.warehouse.code,
        "wave": shipment.wave.number if shipment.wave_id else None,
        "tote": shipment.wave_position or None,
        "carrier": shipment.carrier.code if shipment.carrier_id else None,
        "shipping_method": shipment.shipping_method.code if shipment.shipping_method_id else None,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "shipped_at": _time(shipment.shipped_at),
        "delivered_at": _time(shipment.delivered_at),
        "version": shipment.version,
        "lines": [
            {
                "id": line.pk,
                "sku": line.product.sku,
                "name": line.product.name,
                "location": line.location.code,
                "quantity": line.quantity,
                "picked": line.picked,
                "packed": line.packed,
                "short": line.short,
            }
            for line in shipment.lines.all()
        ],
        "parcels": [
            {
                "number": parcel.number,
                "of": len(parcels),
                "package_type": parcel.package_type.name if parcel.package_type_id else None,
                "weight_grams": parcel.weight_grams,
                "tracking_number": parcel.tracking_number,
                "closed": parcel.closed_at is not None,
                "delivered_at": _time(parcel.delivered_at),
                "items": [
                    {"line": item.shipment_line_id, "quantity": item.quantity}
                    for item in parcel.items.all()
                    if item.quantity
                ],
            }
            for parcel in parcels
        ],
    }


def _shipment_out(shipment_id: int) -> dict:
    return shipment_as_dict(selectors.shipment_get(shipment_id))


def wave_as_dict(wave: Wave, *, with_pick_list: bool = False) -> dict:
    data = {
        "id": wave.pk,
        "number": wave.number,
        "status": wave.status,
        "created_at": _time(wave.created_at),
    }
    if with_pick_list:
        plist = selectors.pick_list(wave)
        data["shipments"] = [
            {"id": s.pk, "number": s.number, "order": s.order.number, "tote": s.wave_position}
            for s in selectors.wave_shipments(wave)
        ]
        data["progress"] = {"lines_done": plist.lines_done, "lines_total": plist.lines_total}
        data["pick_list"] = [
            {
                "location": row.location.code,
                "location_barcode": row.location.barcode,
                "sku": row.product.sku,
                "name": row.product.name,
                "barcode": row.product.barcode,
                "quantity": row.quantity,
                "picked": row.picked,
                "short": row.short,
                "orders": [
                    {
                        "shipment": split.shipment,
                        "order": split.order,
                        "tote": split.tote,
                        "colour": split.colour,
                        "quantity": split.quantity,
                        "picked": split.picked,
                    }
                    for split in row.splits
                ],
            }
            for row in plist.rows
        ]
    return data


def _answer(answer: ScanAnswer) -> dict:
    event = answer.event
    return {
        "status": answer.status,
        "message": answer.message,
        "scan_id": event.pk if event else None,
        "shipment": event.shipment_id if event else None,
    }


class _Body(serializers.Serializer):
    pass


class ShipmentCreateSerializer(serializers.Serializer):
    order = object_id("Order", help_text="The order's id.")


class ShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    shipping_method = object_id("Shipping method", required=False, allow_null=True, default=None)
    tracking_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )


class ShipmentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class WaveCreateSerializer(serializers.Serializer):
    carrier = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    min_priority = whole(
        "Priority",
        minimum=Order.MIN_PRIORITY,
        maximum=Order.MAX_PRIORITY,
        required=False,
        allow_null=True,
        default=None,
    )
    vip_only = serializers.BooleanField(required=False, default=False)
    max_orders = whole(
        "Maximum orders",
        minimum=1,
        maximum=MAX_WAVE_ORDERS,
        required=False,
        allow_null=True,
        default=None,
    )
    shipments = serializers.ListField(
        child=object_id("Shipment"),
        max_length=MAX_WAVE_SHIPMENTS,
        required=False,
        allow_null=True,
        default=None,
    )


class PickScanSerializer(serializers.Serializer):
    wave = object_id("Wave")
    code = serializers.CharField(max_length=200, trim_whitespace=False)
    quantity = whole(
        "Quantity", minimum=1, maximum=MAX_QUANTITY, required=False, allow_null=True, default=None
    )


class PackScanSerializer(serializers.Serializer):
    shipment = object_id("Shipment", required=False, allow_null=True, default=None)
    code = serializers.CharField(max_length=200, trim_whitespace=False)
    quantity = whole(
        "Quantity", minimum=1, maximum=MAX_QUANTITY, required=False, allow_null=True, default=None
    )
    package_type = object_id("Package type", required=False, allow_null=True, default=None)


class ShipmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Shipment.Status.choices)
    order = IdFilter(field_name="order_id")
    wave = IdFilter(field_name="wave_id")
    warehouse = django_filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact", max_length=16
    )
    tracking_number = django_filters.CharFilter(max_length=100)

    class Meta:
        model = Shipment
        fields = ["status", "order", "wave", "warehouse", "tracking_number"]


@extend_schema_view(
    list=extend_schema(summary="List shipments (filter by status, order, wave, warehouse)"),
    retrieve=extend_schema(summary="Get a shipment with its lines and parcels"),
)
class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Shipments: made from an order's allocated lines, shipped, cancelled. Never deleted."""

    queryset = Shipment.objects.all()
    filterset_class = ShipmentFilter
    serializer_class = _Body
    not_found_message = "That shipment does not exist."

    def get_queryset(self):
        return selectors.shipments().order_by("-created_at", "-pk")

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([shipment_as_dict(s) for s in page])

    def retrieve(self, request, pk=None):
        return Response(shipment_as_dict(self.get_object()))

    @extend_schema(
        summary="Make shipments for an order's allocated lines (one per warehouse)",
        request=ShipmentCreateSerializer,
        responses={201: dict, **_ERRORS},
    )
    def create(self, request):
        data = validated(ShipmentCreateSerializer, request.data)
        created = services.shipment_create_for_order(order_id=data["order"], user=request.user)
        return Response(
            [_shipment_out(shipment.pk) for shipment in created], status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Ship a packed shipment with carrier and tracking number",
        request=ShipSerializer,
        responses={200: dict, **_ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["fulfillment.ship_shipment"])
    def ship(self, request, pk=None):
        data = validated(ShipSerializer, request.data)
        shipment = services.shipment_ship(
            shipment_id=pk,
            user=request.user,
            carrier=data["carrier"],
            shipping_method_id=data["shipping_method"],
            tracking_number=data["tracking_number"],
        )
        return Response(_shipment_out(shipment.pk))

    @extend_schema(
        summary="Cancel a shipment before it ships (its items stay allocated to the order)",
        request=ShipmentCancelSerializer,
        responses={200: dict, **_ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["fulfillment.cancel_shipment"])
    def cancel(self, request, pk=None):
        data = validated(ShipmentCancelSerializer, request.data)
        shipment = services.shipment_cancel(
            shipment_id=pk, user=request.user, reason=data["reason"]
        )
        return Response(_shipment_out(shipment.pk))


@extend_schema_view(
    list=extend_schema(summary="List waves (pick lists)"),
    retrieve=extend_schema(summary="Get a wave with its pick list in walking order"),
)
class WaveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Waves: ready shipments picked together in walking order."""

    queryset = Wave.objects.all()
    serializer_class = _Body
    not_found_message = "That wave does not exist."

    def get_queryset(self):
        return Wave.objects.order_by("-created_at", "-pk")

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([wave_as_dict(wave) for wave in page])

    def retrieve(self, request, pk=None):
        return Response(wave_as_dict(self.get_object(), with_pick_list=True))

    @extend_schema(
        summary="Build a wave from ready shipments (carrier, priority, VIP, maximum orders)",
        request=WaveCreateSerializer,
        responses={201: dict, **_ERRORS},
    )
    def create(self, request):
        data = validated(WaveCreateSerializer, request.data)
        wave = services.wave_create(
            user=request.user,
            carrier=data["carrier"],
            min_priority=data["min_priority"],
            vip_only=data["vip_only"],
            max_orders=data["max_orders"],
            shipment_ids=data["shipments"],
        )
        return Response(wave_as_dict(wave, with_pick_list=True), status=status.HTTP_201_CREATED)


class CarrierViewSet(mixins.ListModelMixin, BaseViewSet):
    """Carriers and their services, for choosing how a shipment goes."""

    queryset = Carrier.objects.all()
    serializer_class = _Body

    def get_queryset(self):
        return selectors.carriers().order_by("name")

    @extend_schema(summary="List carriers with their services and prices")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            [
                {
                    "code": carrier.code,
                    "name": carrier.name,
                    "is_local_courier": carrier.is_local_courier,
                    "services": [
                        {
                            "id": method.pk,
                            "code": method.code,
                            "name": method.name,
                            "price": str(method.price),
                        }
                        for method in carrier.methods.all()
                    ],
                }
                for carrier in page
            ]
        )


class PickScanView(APIView):
    """One scan on a wave: a bin, a product, or a command (CMD-SHORT, CMD-UNDO, CMD-DONE)."""

    required_perms = ["fulfillment.pick_shipment"]

    @extend_schema(
        summary="Scan on a wave's pick list",
        request=PickScanSerializer,
        responses={200: dict, **_ERRORS},
    )
    def post(self, request):
        data = validated(PickScanSerializer, request.data)
        answer = services.pick_scan(
            user=request.user, code=data["code"], wave_id=data["wave"], quantity=data["quantity"]
        )
        return Response(_answer(answer))


class PackScanView(APIView):
    """One scan at the pack bench: a shipment or order, an item, or a command."""

    required_perms = ["fulfillment.pack_shipment"]

    @extend_schema(
        summary="Scan at the pack bench",
        request=PackScanSerializer,
        responses={200: dict, **_ERRORS},
    )
    def post(self, request):
        data = validated(PackScanSerializer, request.data)
        answer = services.pack_scan(
            user=request.user,
            code=data["code"],
            shipment_id=data["shipment"],
            quantity=data["quantity"],
            package_type_id=data["package_type"],
        )
        return Response(_answer(answer))
