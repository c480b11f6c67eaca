"""REST API v1 for inventory: products, warehouses, bins, stock and the ledger.

Every write goes through inventory.services and every lookup by code
through inventory.selectors; the views only translate HTTP to those calls.
Unknown SKUs, warehouses and bins answer 404 naming the field.
"""

from __future__ import annotations

from django.db.models import F
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import selectors, services
from inventory.filters import (
    LocationFilter,
    MovementFilter,
    ProductFilter,
    StockFilter,
    WarehouseFilter,
)
from inventory.models import Location, Product, StockLevel, StockMovement, Warehouse
from inventory.serializers import (
    ErrorSerializer,
    LocationCreateSerializer,
    LocationSerializer,
    MovementSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    StockAdjustResultSerializer,
    StockAdjustSerializer,
    StockLevelSerializer,
    StockReceiveResultSerializer,
    StockReceiveSerializer,
    StockTransferResultSerializer,
    StockTransferSerializer,
    WarehouseCreateSerializer,
    WarehouseSerializer,
)
from oms.errors import NotFound
from oms.viewsets import BaseViewSet

urlpatterns = []

_BAD_INPUT = OpenApiResponse(ErrorSerializer, description="Bad input: a message per field.")
_FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role does not allow this.")
_MISSING = OpenApiResponse(ErrorSerializer, description="A SKU, warehouse or bin is unknown.")
_CONFLICT = OpenApiResponse(ErrorSerializer, description="Clashes with the current state.")
WRITE_ERRORS = {400: _BAD_INPUT, 403: _FORBIDDEN, 404: _MISSING, 409: _CONFLICT}


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


# --- products ----------------------------------------------------------------------------------


def _product_out(pk: int) -> dict:
    product = selectors.product_list(only_active=None).get(pk=pk)
    return ProductSerializer(product).data


def _product_fields(data: dict) -> dict:
    fields = dict(data)
    if "supplier" in fields:
        code = (fields["supplier"] or "").strip()
        fields["supplier"] = selectors.supplier_get(code) if code else None
    return fields


@extend_schema_view(
    list=extend_schema(summary="List products with stock totals"),
    retrieve=extend_schema(
        summary="Get a product", responses={200: ProductSerializer, 404: _MISSING}
    ),
)
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Products: create, change, (de)activate. Products are never deleted."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    not_found_message = "That product does not exist."

    def get_queryset(self):
        return selectors.product_list(only_active=None).order_by("sku", "pk")

    @extend_schema(
        summary="Create a product",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = services.product_create(
            user=request.user, **_product_fields(serializer.validated_data)
        )
        return Response(_product_out(product.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a product",
        request=ProductWriteSerializer,
        responses={200: ProductSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        product = self.get_object()
        serializer = ProductWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.product_update(
            product=product, user=request.user, **_product_fields(serializer.validated_data)
        )
        return Response(_product_out(product.pk))

    @extend_schema(
        summary="Deactivate a product (stop selling it)",
        request=None,
        responses={200: ProductSerializer, 403: _FORBIDDEN, 404: _MISSING},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.change_product"])
    def deactivate(self, request, pk=None):
        product = self.get_object()
        services.product_deactivate(product=product, user=request.user)
        return Response(_product_out(product.pk))

    @extend_schema(
        summary="Activate a product again",
        request=None,
        responses={200: ProductSerializer, 403: _FORBIDDEN, 404: _MISSING},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.change_product"])
    def activate(self, request, pk=None):
        product = self.get_object()
        services.product_update(product=product, user=request.user, is_active=True)
        return Response(_product_out(product.pk))


# --- warehouses and bins -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List warehouses"),
    retrieve=extend_schema(summary="Get a warehouse"),
)
class WarehouseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilter
    not_found_message = "That warehouse does not exist."

    @extend_schema(
        summary="Create a warehouse",
        request=WarehouseCreateSerializer,
        responses={201: WarehouseSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        serializer = WarehouseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        warehouse = services.warehouse_create(user=request.user, **serializer.validated_data)
        return Response(WarehouseSerializer(warehouse).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="List bin locations"),
    retrieve=extend_schema(summary="Get a bin location"),
)
class LocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    queryset = Location.objects.select_related("warehouse")
    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    not_found_message = "That bin does not exist."

    @extend_schema(
        summary="Create a bin location",
        request=LocationCreateSerializer,
        responses={201: LocationSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        serializer = LocationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warehouse = selectors.warehouse_get(data["warehouse"])
        location = services.location_create(
            warehouse=warehouse,
            code=data["code"],
            pick_sequence=data["pick_sequence"],
            barcode=data["barcode"],
            user=request.user,
        )
        return Response(LocationSerializer(location).data, status=status.HTTP_201_CREATED)


# --- stock -------------------------------------------------------------------------------------


def _stock_rows():
    return selectors.stock_levels().annotate(available_quantity=F("on_hand") - F("allocated"))


def _stock_row(*, product, location) -> dict:
    return StockLevelSerializer(_stock_rows().get(product=product, location=location)).data


def _movements_out(movements) -> list[dict]:
    by_pk = {m.pk: m for m in selectors.movements().filter(pk__in=[m.pk for m in movements])}
    return [MovementSerializer(by_pk[m.pk]).data for m in movements]


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
        serializer = StockReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
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
            "movement": _movements_out([movement])[0],
            "stock": _stock_row(product=product, location=bins["location"]),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Count stock in a bin, or adjust it with a reason",
        description=(
            'A count ("count": true, the default) needs inventory.count_stock; an '
            'adjustment ("count": false, with a reason) needs inventory.adjust_stock.'
        ),
        request=StockAdjustSerializer,
        responses={200: StockAdjustResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], required_perms=["inventory.count_stock"])
    def adjust(self, request):
        serializer = StockAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product, _, bins = _lookup(
            sku=data["sku"], warehouse=data["warehouse"], locations={"location": data["location"]}
        )
        movement = services.stock_adjust(
            product=product,
            location=bins["location"],
            counted=data["counted"],
            user=request.user,
            reason=data["reason"],
            reference=data["reference"],
            is_count=data["count"],
        )
        body = {
            "movement": _movements_out([movement])[0] if movement else None,
            "stock": _stock_row(product=product, location=bins["location"]),
        }
        return Response(body)

    @extend_schema(
        summary="Move free stock from one bin to another",
        request=StockTransferSerializer,
        responses={200: StockTransferResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], required_perms=["inventory.transfer_stock"])
    def transfer(self, request):
        serializer = StockTransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
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
            "movements": _movements_out([out, into]),
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


def register(router):
    """Register the inventory viewsets on the v1 router."""
    router.register("products", ProductViewSet, basename="product")
    router.register("warehouses", WarehouseViewSet, basename="warehouse")
    router.register("locations", LocationViewSet, basename="location")
    router.register("stock", StockViewSet, basename="stock")
    router.register("movements", MovementViewSet, basename="movement")
