"""REST API v1 for returns and refunds (SPEC 7), through the same services as the pages.

Refusals come back as JSON (400 bad input, 403 not allowed, 404 missing,
409 from the wrong state or past what shipped or was paid), never a 500,
and change nothing.

* ``GET returns/`` (filter by status, order, customer, number, warehouse), ``GET returns/<id>/``
* ``POST returns/`` ``{"order": 42, "lines": [{"sku": "MUG-RED", "quantity": 1,
  "reason": "damaged", "note": ""}]}`` -> 201, *requested*
* ``POST returns/<id>/authorize/`` ``{}`` (or fewer units, a late reason, carrier, tracking)
* ``POST returns/<id>/receive/`` ``{"lines": [{"sku": "MUG-RED", "quantity": 1}]}``
* ``POST returns/<id>/inspect/`` ``{"lines": [{"sku": "MUG-RED", "quantity": 1,
  "disposition": "restock", "location": "A-01-01"}]}``
* ``POST returns/<id>/reject/``, ``cancel/`` ``{"reason": "..."}``; ``finish-receiving/``,
  ``close/`` ``{"note": "..."}``
* ``GET refunds/`` (filter by status, order, return), ``GET refunds/<id>/``
* ``POST refunds/`` ``{"order": 42, "return": 5, "amount": "9.90", "reason": "damaged"}``
* ``POST refunds/<id>/approve/`` ``{}``, ``reject/`` ``{"reason": "..."}`` (managers),
  ``pay/`` ``{"reference": "re_1"}`` -> *paid* with its credit note
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.api_exceptions import validated
from oms.api_schema import ErrorSerializer
from oms.errors import NotFound
from oms.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from oms.viewsets import BaseViewSet
from returns import selectors, services
from returns.filters import RefundFilter, ReturnFilter
from returns.models import Refund, Return
from returns.serializers import (
    InspectSerializer,
    PaySerializer,
    ReceiveSerializer,
    RefundCreateSerializer,
    ReturnAuthorizeSerializer,
    ReturnCreateSerializer,
    ReturnNoteSerializer,
    ReturnReasonInputSerializer,
    refund_as_dict,
    return_as_dict,
)
from returns.services.batches import (
    refund_lines_by_sku,
    return_inspect_lines,
    return_receive_lines,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: a message per field."),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(ErrorSerializer, description="It does not exist."),
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the current state."),
}
CREATE_ERRORS = {
    **ERRORS,
    422: OpenApiResponse(
        ErrorSerializer, description="The Idempotency-Key was already used for another request."
    ),
}
AUTHORIZE = ["returns.authorize_return"]
RECEIVE = ["returns.receive_return"]


class _Body(serializers.Serializer):
    pass


def return_out(return_id: int) -> dict:
    """Return a return as the API shows it, read again with its lines, refunds and timeline."""
    rma = selectors.return_get(return_id)
    if rma is None:
        raise NotFound("That return does not exist.", code="unknown_return")
    return return_as_dict(rma)


def refund_out(refund_id: int) -> dict:
    return refund_as_dict(selectors.refunds_for_api().get(pk=refund_id))


@extend_schema_view(
    list=extend_schema(
        summary="List returns (filter by status, order, customer, number, warehouse)"
    ),
    retrieve=extend_schema(
        summary="Get a return with its lines, dispositions, refunds and timeline",
        responses={200: dict, 404: ERRORS[404]},
    ),
)
class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Returns (RMAs): opened, authorized, received, inspected, closed. Never deleted."""

    queryset = Return.objects.all()
    filterset_class = ReturnFilter
    serializer_class = _Body
    not_found_message = "That return does not exist."

    def get_queryset(self):
        return selectors.returns_for_api()

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([return_as_dict(rma, full=False) for rma in page])

    def retrieve(self, request, pk=None):
        return Response(return_out(pk))

    @extend_schema(
        summary="Open a return for shipped units of an order (status requested)",
        description=(
            "Lines name the item by SKU (or order line id), the units and a reason code; "
            "the reason other needs a note. Units are at most what shipped minus what other "
            "returns hold (409 otherwise). Send an Idempotency-Key header so that a retry "
            "returns the first answer instead of a second return."
        ),
        request=ReturnCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: dict, **CREATE_ERRORS},
    )
    def create(self, request):
        def run() -> Response:
            data = validated(ReturnCreateSerializer, request.data)
            rma = services.return_create(
                order_id=data["order"],
                lines=[dict(line) for line in data["lines"]],
                notes=data["notes"],
                source=Return.Source.API,
                user=request.user,
            )
            return Response(return_out(rma.pk), status=status.HTTP_201_CREATED)

        return idempotent(request, run)

    @extend_schema(
        summary="Authorize a requested return (the customer is emailed the return label)",
        request=ReturnAuthorizeSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=AUTHORIZE)
    def authorize(self, request, pk=None):
        data = validated(ReturnAuthorizeSerializer, request.data)
        services.return_authorize(return_id=pk, user=request.user, **data)
        return Response(return_out(pk))

    @extend_schema(
        summary="Receive units into the warehouse's returns bin (all lines or none)",
        request=ReceiveSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=RECEIVE)
    def receive(self, request, pk=None):
        data = validated(ReceiveSerializer, request.data)
        return_receive_lines(
            return_id=pk, lines=[dict(line) for line in data["lines"]], user=request.user
        )
        return Response(return_out(pk))

    @extend_schema(
        summary="Decide what becomes of received units: restock, scrap, quarantine, replace",
        description="The return is inspected once every received unit has a disposition.",
        request=InspectSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=RECEIVE)
    def inspect(self, request, pk=None):
        data = validated(InspectSerializer, request.data)
        return_inspect_lines(
            return_id=pk, lines=[dict(line) for line in data["lines"]], user=request.user
        )
        return Response(return_out(pk))

    @extend_schema(
        summary="Stop waiting for the rest of a partly received return",
        request=ReturnNoteSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="finish-receiving", required_perms=RECEIVE)
    def finish_receiving(self, request, pk=None):
        data = validated(ReturnNoteSerializer, request.data)
        services.return_receiving_finish(return_id=pk, user=request.user, note=data["note"])
        return Response(return_out(pk))

    @extend_schema(
        summary="Reject a requested return, with the reason",
        request=ReturnReasonInputSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=AUTHORIZE)
    def reject(self, request, pk=None):
        data = validated(ReturnReasonInputSerializer, request.data)
        services.return_reject(return_id=pk, reason=data["reason"], user=request.user)
        return Response(return_out(pk))

    @extend_schema(
        summary="Cancel a return before anything arrived, with the reason",
        request=ReturnReasonInputSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=AUTHORIZE)
    def cancel(self, request, pk=None):
        data = validated(ReturnReasonInputSerializer, request.data)
        services.return_cancel(return_id=pk, reason=data["reason"], user=request.user)
        return Response(return_out(pk))

    @extend_schema(
        summary="Close an inspected return whose refunds are settled",
        request=ReturnNoteSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=AUTHORIZE)
    def close(self, request, pk=None):
        data = validated(ReturnNoteSerializer, request.data)
        services.return_close(return_id=pk, user=request.user, note=data["note"])
        return Response(return_out(pk))


@extend_schema_view(
    list=extend_schema(summary="List refunds (filter by status, order, return)"),
    retrieve=extend_schema(
        summary="Get a refund with its lines and credit note",
        responses={200: dict, 404: ERRORS[404]},
    ),
)
class RefundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Refunds: asked for by sales, approved by managers, paid with a credit note."""

    queryset = Refund.objects.all()
    filterset_class = RefundFilter
    serializer_class = _Body
    not_found_message = "That refund does not exist."

    def get_queryset(self):
        return selectors.refunds_for_api()

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([refund_as_dict(refund) for refund in page])

    def retrieve(self, request, pk=None):
        return Response(refund_as_dict(self.get_object()))

    @extend_schema(
        summary="Ask for a refund (status pending), of a return's units or goodwill (managers)",
        description=(
            "The amount defaults to what the named units cost plus the shipping refunded; "
            "it is at most what was paid minus what other refunds take (409 otherwise). "
            "Send an Idempotency-Key header so that a retry asks only once."
        ),
        request=RefundCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: dict, **CREATE_ERRORS},
    )
    def create(self, request):
        def run() -> Response:
            data = validated(RefundCreateSerializer, request.data)
            lines = refund_lines_by_sku(
                return_id=data["return"], lines=[dict(line) for line in data["lines"]]
            )
            refund = services.refund_request(
                order_id=data["order"],
                return_id=data["return"],
                lines=lines,
                amount=data["amount"],
                shipping_amount=data["shipping_amount"],
                method=data["method"],
                reason=data["reason"],
                user=request.user,
            )
            return Response(refund_out(refund.pk), status=status.HTTP_201_CREATED)

        return idempotent(request, run)

    @extend_schema(
        summary="Approve a waiting refund (managers)",
        request=_Body,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["returns.approve_refund"])
    def approve(self, request, pk=None):
        services.refund_approve(refund_id=pk, user=request.user)
        return Response(refund_out(pk))

    @extend_schema(
        summary="Reject a waiting refund, with the reason (managers)",
        request=ReturnReasonInputSerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["returns.approve_refund"])
    def reject(self, request, pk=None):
        data = validated(ReturnReasonInputSerializer, request.data)
        services.refund_reject(refund_id=pk, reason=data["reason"], user=request.user)
        return Response(refund_out(pk))

    @extend_schema(
        summary="Record an approved refund as paid; its credit note is issued",
        request=PaySerializer,
        responses={200: dict, **ERRORS},
    )
    @action(detail=True, methods=["post"], required_perms=["returns.pay_refund"])
    def pay(self, request, pk=None):
        data = validated(PaySerializer, request.data)
        services.refund_pay(refund_id=pk, reference=data["reference"], user=request.user)
        return Response(refund_out(pk))
