"""REST API v1 for the catalogue: products, warehouses and bin locations.

Every write goes through inventory.services; products are deactivated,
never deleted, and a bin holding stock keeps its warehouse.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from inventory import selectors, services
from inventory.apis.base import FORBIDDEN, MISSING, WRITE_ERRORS
from inventory.filters import LocationFilter, ProductFilter, WarehouseFilter
from inventory.models import Location, Product, Warehouse
from inventory.serializers.catalogue import (
    LocationCreateSerializer,
    LocationSerializer,
    LocationUpdateSerializer,
    ProductSerializer,
    ProductWriteSerializer,
    WarehouseCreateSerializer,
    WarehouseSerializer,
)
from oms import tax
from oms.api_exceptions import validated
from oms.viewsets import BaseViewSet


def _product_out(pk: int) -> dict:
    product = selectors.product_list(only_active=None).get(pk=pk)
    return ProductSerializer(product).data


def _product_fields(data: dict) -> dict:
    fields = dict(data)
    if "supplier" in fields:
        code = (fields["supplier"] or "").strip()
        fields["supplier"] = selectors.supplier_get(code) if code else None
    if "tax_class" in fields:
        code = (fields["tax_class"] or "").strip()
        fields["tax_class"] = tax.tax_class_get(code) if code else None
    return fields


@extend_schema_view(
    list=extend_schema(summary="List products with stock totals"),
    retrieve=extend_schema(
        summary="Get a product", responses={200: ProductSerializer, 404: MISSING}
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
        data = validated(ProductWriteSerializer, request.data)
        product = services.product_create(user=request.user, **_product_fields(data))
        return Response(_product_out(product.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a product",
        request=ProductWriteSerializer,
        responses={200: ProductSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        product = self.get_object()
        data = validated(ProductWriteSerializer, request.data, partial=True)
        services.product_update(product=product, user=request.user, **_product_fields(data))
        return Response(_product_out(product.pk))

    @extend_schema(
        summary="Deactivate a product (stop selling it)",
        request=None,
        responses={200: ProductSerializer, 403: FORBIDDEN, 404: MISSING},
    )
    @action(detail=True, methods=["post"], required_perms=["inventory.change_product"])
    def deactivate(self, request, pk=None):
        product = self.get_object()
        services.product_deactivate(product=product, user=request.user)
        return Response(_product_out(product.pk))

    @extend_schema(
        summary="Activate a product again",
        request=None,
        responses={200: ProductSerializer, 403: FORBIDDEN, 404: MISSING},
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
        data = validated(WarehouseCreateSerializer, request.data)
        warehouse = services.warehouse_create(user=request.user, **data)
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
        data = validated(LocationCreateSerializer, request.data)
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
