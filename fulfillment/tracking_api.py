"""REST API v1 for carriers: ``POST tracking/`` with a tracking number marks parcels delivered.

A carrier's account (the carrier integration role) may post here and
nothing else; it gets back only each shipment's number, status and delivery
time. Staff who may read shipments get the shipments whole.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from fulfillment import services
from fulfillment.apis import ERRORS, shipment_out
from fulfillment.models import Shipment
from fulfillment.serializers import moment
from oms.api_exceptions import validated
from oms.api_inputs import MomentField


class TrackingSerializer(serializers.Serializer):
    tracking_number = serializers.CharField(max_length=100)
    carrier = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20,
        help_text="The carrier's code; needed when the number is used by several carriers.",
    )
    status = serializers.CharField(required=False, default="delivered", max_length=20)
    delivered_at = MomentField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it was delivered (not in the future, not before it shipped); default now.",
    )


def _tracking_out(shipment: Shipment) -> dict:
    """Answer a carrier with what it told us, and nothing of the order behind it."""
    return {
        "number": shipment.number,
        "status": shipment.status,
        "tracking_number": shipment.tracking_number,
        "delivered_at": moment(shipment.delivered_at),
    }


class TrackingView(APIView):
    """A carrier's tracking news (webhook style): marks parcels and shipments delivered.

    Staff who may read shipments get them back whole; a carrier's account
    gets only each shipment's number, status and delivery time.
    """

    required_perms = ["fulfillment.update_tracking"]

    @extend_schema(
        summary="Post a carrier tracking update",
        request=TrackingSerializer,
        responses={200: dict, **ERRORS},
    )
    def post(self, request):
        data = validated(TrackingSerializer, request.data)
        shipments = services.tracking_update(
            tracking_number=data["tracking_number"],
            user=request.user,
            status=data["status"],
            delivered_at=data["delivered_at"],
            carrier=data["carrier"],
        )
        if not request.user.has_perm("fulfillment.view_shipment"):
            return Response({"shipments": [_tracking_out(shipment) for shipment in shipments]})
        return Response({"shipments": [shipment_out(shipment.pk) for shipment in shipments]})
