"""REST API v1 for counts that wait for a manager: list them, approve or reject them.

``POST /api/v1/stock/adjust/`` with a count too far from the record answers
202 with the pending count; managers decide here. Every write goes through
``inventory.services``.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import selectors, services
from inventory.filters import CountAdjustmentFilter
from inventory.models import CountAdjustment
from inventory.serializers.stock import CountAdjustmentSerializer, CountDecisionSerializer
from oms.api_exceptions import validated
from oms.api_schema import ErrorSerializer
from oms.viewsets import BaseViewSet

_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: a message per field."),
    403: OpenApiResponse(ErrorSerializer, description="Only managers decide on counts."),
    404: OpenApiResponse(ErrorSerializer, description="That count does not exist."),
    409: OpenApiResponse(
        ErrorSerializer, description="Already decided, or stock moved since the count."
    ),
}


def _note(data) -> str:
    return validated(CountDecisionSerializer, data)["note"]


@extend_schema_view(
    list=extend_schema(summary="List counts sent for approval (filter by status)"),
    retrieve=extend_schema(summary="Get one count sent for approval"),
)
class CountAdjustmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Counts too far from the record: booked only when a manager approves them."""

    queryset = CountAdjustment.objects.all()
    serializer_class = CountAdjustmentSerializer
    filterset_class = CountAdjustmentFilter
    not_found_message = "That count does not exist."

    def get_queryset(self):
        return selectors.count_adjustments()

    @extend_schema(
        summary="Approve a count: book it through the ledger",
        request=CountDecisionSerializer,
        responses={200: CountAdjustmentSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.approve_countadjustment"])
    def approve(self, request, pk=None):
        adjustment = services.count_adjustment_approve(
            adjustment_id=pk, user=request.user, note=_note(request.data)
        )
        return Response(CountAdjustmentSerializer(self.get_queryset().get(pk=adjustment.pk)).data)

    @extend_schema(
        summary="Reject a count: the stock stays as recorded",
        request=CountDecisionSerializer,
        responses={200: CountAdjustmentSerializer, **_ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.approve_countadjustment"])
    def reject(self, request, pk=None):
        adjustment = services.count_adjustment_reject(
            adjustment_id=pk, user=request.user, note=_note(request.data)
        )
        return Response(CountAdjustmentSerializer(self.get_queryset().get(pk=adjustment.pk)).data)
