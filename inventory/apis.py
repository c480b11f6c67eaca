"""REST API v1 for inventory: products, warehouses, bins, stock and the ledger.

Every write goes through inventory.services and every lookup by code
through inventory.selectors; the views only translate HTTP to those calls.
Unknown SKUs, warehouses and bins answer 404 naming the field.

``purchase-orders/`` lists, creates and moves purchase orders through their
states; a drop-ship supplier's shipment is the customer order's business
(``orders.drop_ship_apis``).
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
    PurchaseOrderFilter,
    StockFilter,
    WarehouseFilter,
)
from inventory.models import (
    Location,
    Product,
    PurchaseOrder,
    StockLevel,
    StockMovement,
    Warehouse,
)
from inventory.serializers import (
    CountAdjustmentSerializer,
    LocationCreateSerializer,
    LocationSerializer,
    LocationUpdateSerializer,
    MovementSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    PurchaseOrderCancelSerializer,
    PurchaseOrderCreateSerializer,
    PurchaseOrderReceiveResultSerializer,
    PurchaseOrderReceiveSerializer,
    PurchaseOrderSerializer,
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
from oms.api_exceptions import validated
from oms.api_schema import ErrorSerializer
from oms.errors import Conflict, InvalidInput, NotFound
from oms.viewsets import BaseViewSet

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

    @extend_schema(
        summary="Change a bin (a bin holding stock cannot change warehouse)",
        request=LocationUpdateSerializer,
        responses={200: LocationSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        location = self.get_object()
        data = validated(LocationUpdateSerializer, request.data)
        if "warehouse" in data:
            data["warehouse"] = selectors.warehouse_get(data["warehouse"])
        location = services.location_update(location=location, user=request.user, **data)
        return Response(LocationSerializer(location).data)


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
        serializer = StockAdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
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
            "movement": _movements_out([movement])[0] if movement else None,
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


# --- purchase orders ---------------------------------------------------------------------------


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
PO_ERRORS = {400: _BAD_INPUT, 403: _FORBIDDEN, 404: _PO_MISSING, 409: _PO_CONFLICT}


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
            "movements": _movements_out(movements),
        }
        return Response(body, status=status.HTTP_201_CREATED)
