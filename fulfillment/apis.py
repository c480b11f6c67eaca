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

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from fulfillment import selectors, services
from fulfillment.filters import ShipmentFilter
from fulfillment.models import Carrier, Shipment, Wave
from fulfillment.serializers import (
    PackScanSerializer,
    PickScanSerializer,
    ShipmentCancelSerializer,
    ShipmentCreateSerializer,
    ShipSerializer,
    WaveCreateSerializer,
    scan_answer_as_dict,
    shipment_as_dict,
    wave_as_dict,
)
from oms.api_exceptions import validated
from oms.api_schema import ErrorSerializer
from oms.viewsets import BaseViewSet

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: a message per field."),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(ErrorSerializer, description="It does not exist."),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state."),
}


def shipment_out(shipment_id: int) -> dict:
    """Return a shipment as the API shows it, read again with its lines and parcels."""
    return shipment_as_dict(selectors.shipment_get(shipment_id))


class _Body(serializers.Serializer):
    pass


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
        responses={201: dict, **ERRORS},
    )
    def create(self, request):
        data = validated(ShipmentCreateSerializer, request.data)
        created = services.shipment_create_for_order(order_id=data["order"], user=request.user)
        return Response(
            [shipment_out(shipment.pk) for shipment in created], status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Ship a packed shipment with carrier and tracking number",
        request=ShipSerializer,
        responses={200: dict, **ERRORS},
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
        return Response(shipment_out(shipment.pk))

    @extend_schema(
        summary="Cancel a shipment before it ships (its items stay allocated to the order)",
        request=ShipmentCancelSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["fulfillment.cancel_shipment"])
    def cancel(self, request, pk=None):
        data = validated(ShipmentCancelSerializer, request.data)
        shipment = services.shipment_cancel(
            shipment_id=pk, user=request.user, reason=data["reason"]
        )
        return Response(shipment_out(shipment.pk))


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
        responses={201: dict, **ERRORS},
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
        responses={200: dict, **ERRORS},
    )
    def post(self, request):
        data = validated(PickScanSerializer, request.data)
        answer = services.pick_scan(
            user=request.user, code=data["code"], wave_id=data["wave"], quantity=data["quantity"]
        )
        return Response(scan_answer_as_dict(answer))


class PackScanView(APIView):
    """One scan at the pack bench: a shipment or order, an item, or a command."""

    required_perms = ["fulfillment.pack_shipment"]

    @extend_schema(
        summary="Scan at the pack bench",
        request=PackScanSerializer,
        responses={200: dict, **ERRORS},
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
        return Response(scan_answer_as_dict(answer))
