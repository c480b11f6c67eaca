"""REST API v1 for stock: rows per product and bin, receiving, counting, adjusting,
moving between bins, and the movement ledger.

Every write goes through inventory.services and every lookup by code
through inventory.selectors. Unknown SKUs, warehouses and bins answer 404
naming the field, all of them at once.
"""

from __future__ import annotations

from django.db.models import Case, F, Value, When
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import selectors, services
from inventory.apis.base import WRITE_ERRORS, movements_out
from inventory.filters import MovementFilter, StockFilter
from inventory.models import StockLevel, StockMovement
from inventory.serializers.stock import (
    CountAdjustmentSerializer,
    MovementSerializer,
    StockAdjustResultSerializer,
    StockAdjustSerializer,
    StockLevelSerializer,
    StockReceiveResultSerializer,
    StockReceiveSerializer,
    StockTransferResultSerializer,
    StockTransferSerializer,
)
from oms.api_exceptions import validated
from oms.errors import NotFound
from oms.viewsets import BaseViewSet


def _lookup(*, sku: str, warehouse: str, locations: dict[str, str]):
    """Return the product, warehouse and bins named in a request, or one 404 naming each."""
    errors: dict[str, list[str]] = {}
    first: NotFound | None = None
    product = found_warehouse = None
    bins: dict = {}
    try:
        product = selectors.product_get_by_sku(sku)
    except NotFound as error:
        first = first or error
        errors.update(error.errors)
    try:
        found_warehouse = selectors.warehouse_get(warehouse)
    except NotFound as error:
        first = first or error
        errors.update(error.errors)
    if found_warehouse is not None:
        for field, code in locations.items():
            try:
                bins[field] = selectors.location_get(
                    warehouse=found_warehouse, code=code, field=field
                )
            except NotFound as error:
                first = first or error
                errors.update(error.errors)
    if first is not None:
        raise NotFound(first.message, code=first.code, errors=errors)
    return product, found_warehouse, bins


# --- stock -------------------------------------------------------------------------------------


def _stock_rows():
    return selectors.stock_levels().annotate(
        available_quantity=Case(
            When(location__is_returns_bin=True, then=Value(0)),
            default=F("on_hand") - F("allocated"),
        )
    )


def _stock_row(*, product, location) -> dict:
    return StockLevelSerializer(_stock_rows().get(product=product, location=location)).data


def _is_count(data) -> bool:
    """Read the "count" flag of an adjust request leniently (the serializer checks it later)."""
    raw = data.get("count", True) if hasattr(data, "get") else True
    try:
        return serializers.BooleanField().run_validation(raw)
    except serializers.ValidationError:
        return True


@extend_schema_view(
    list=extend_schema(summary="List stock rows (a product in a bin)"),
    retrieve=extend_schema(summary="Get one stock row"),
)
class StockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Stock per product and bin, and the three ways warehouse staff change it."""

    queryset = StockLevel.objects.all()
    serializer_class = StockLevelSerializer
    filterset_class = StockFilter
    not_found_message = "That stock row does not exist."

    def get_queryset(self):
        return _stock_rows().order_by(
            "location__warehouse__priority",
            "location__warehouse__code",
            "location__pick_sequence",
            "location__code",
            "product__sku",
            "pk",
        )

    def check_permissions(self, request):
        if self.action == "adjust" and request.user and request.user.is_authenticated:
            counting = _is_count(request.data)
            self.required_perms = [
                "inventory.count_stock" if counting else "inventory.adjust_stock"
            ]
        super().check_permissions(request)

    @extend_schema(
        summary="Receive stock into a bin",
        request=StockReceiveSerializer,
        responses={201: StockReceiveResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], required_perms=["inventory.receive_stock"])
    def receive(self, request):
        data = validated(StockReceiveSerializer, request.data)
        product, _, bins = _lookup(
            sku=data["sku"], warehouse=data["warehouse"], locations={"location": data["location"]}
        )
        movement = services.stock_receive(
            product=product,
            location=bins["location"],
            quantity=data["quantity"],
            user=request.user,
            reference=data["reference"],
            reason=data["reason"],
        )
        body = {
            "movement": movements_out([movement])[0],
            "stock": _stock_row(product=product, location=bins["location"]),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Count stock in a bin, or adjust it with a reason",
        description=(
            'A count ("count": true, the default) needs inventory.count_stock; an '
            'adjustment ("count": false, with a reason) needs inventory.adjust_stock. '
            "A count too far from the record (OMS_COUNT_APPROVAL_SHARE or _VALUE) is not "
            "booked: it waits for a manager's approval (HTTP 202 with the count_adjustment)."
        ),
        request=StockAdjustSerializer,
        responses={
            200: StockAdjustResultSerializer,
            202: StockAdjustResultSerializer,
            **WRITE_ERRORS,
        },
    )
    @action(detail=False, methods=["post"], required_perms=["inventory.count_stock"])
    def adjust(self, request):
        data = validated(StockAdjustSerializer, request.data)
        product, _, bins = _lookup(
            sku=data["sku"], warehouse=data["warehouse"], locations={"location": data["location"]}
        )
        pending = None
        if data["count"]:
            line = services.stock_count(
                product=product,
                location=bins["location"],
                counted=data["counted"],
                user=request.user,
                reason=data["reason"],
                reference=data["reference"],
            )
            movement, pending = line.movement, line.pending
        else:
            movement = services.stock_adjust(
                product=product,
                location=bins["location"],
                counted=data["counted"],
                user=request.user,
                reason=data["reason"],
                reference=data["reference"],
                is_count=False,
            )
        body = {
            "movement": movements_out([movement])[0] if movement else None,
            "stock": _stock_row(product=product, location=bins["location"]),
            "count_adjustment": CountAdjustmentSerializer(pending).data if pending else None,
        }
        return Response(body, status=status.HTTP_202_ACCEPTED if pending else status.HTTP_200_OK)

    @extend_schema(
        summary="Move free stock from one bin to another",
        request=StockTransferSerializer,
        responses={200: StockTransferResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], required_perms=["inventory.transfer_stock"])
    def transfer(self, request):
        data = validated(StockTransferSerializer, request.data)
        product, _, bins = _lookup(
            sku=data["sku"],
            warehouse=data["warehouse"],
            locations={"from_location": data["from_location"], "to_location": data["to_location"]},
        )
        out, into = services.stock_transfer(
            product=product,
            from_location=bins["from_location"],
            to_location=bins["to_location"],
            quantity=data["quantity"],
            user=request.user,
            reference=data["reference"],
        )
        body = {
            "movements": movements_out([out, into]),
            "from_stock": _stock_row(product=product, location=bins["from_location"]),
            "to_stock": _stock_row(product=product, location=bins["to_location"]),
        }
        return Response(body)


@extend_schema_view(
    list=extend_schema(summary="List stock movements (the ledger), newest first"),
    retrieve=extend_schema(summary="Get one stock movement"),
)
class MovementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """The append-only stock ledger: read only."""

    queryset = StockMovement.objects.all()
    serializer_class = MovementSerializer
    filterset_class = MovementFilter
    not_found_message = "That stock movement does not exist."

    def get_queryset(self):
        return selectors.movements()
