"""Query-string filters for the inventory API lists (django-filter)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from inventory import selectors
from inventory.models import (
    CountAdjustment,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Warehouse,
)
from oms.api_inputs import IdFilter
from oms.barcodes import gtin_variants


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    """Filter on a whole number (the schema shows an integer, not a decimal), within the
    range of an integer column."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -(2**31))
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class StableOrderingFilter(filters.OrderingFilter):
    """Order by the fields asked for, then by primary key, so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs


def _low_stock_products():
    return selectors.low_stock_products().values("pk")


class ProductFilter(filters.FilterSet):
    sku = filters.CharFilter(field_name="sku", lookup_expr="iexact", help_text="Exact SKU.")
    barcode = filters.CharFilter(
        method="filter_barcode", help_text="Barcode, in any GTIN spelling (UPC-A as 13 digits)."
    )
    active = filters.BooleanFilter(field_name="is_active", help_text="Active (true) or not.")
    supplier = filters.CharFilter(
        field_name="supplier__code", lookup_expr="iexact", help_text="Supplier code."
    )
    drop_ship = filters.BooleanFilter(field_name="is_drop_ship", help_text="Drop-ship or not.")
    low = filters.BooleanFilter(
        method="filter_low", help_text="Low stock: available at or under the reorder point."
    )
    q = filters.CharFilter(method="filter_q", help_text="Search SKU, name and barcode.")
    ordering = StableOrderingFilter(
        fields=(
            ("sku", "sku"),
            ("name", "name"),
            ("price", "price"),
            ("reorder_point", "reorder_point"),
            ("total_on_hand", "on_hand"),
            ("total_available", "available"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
        )
    )

    class Meta:
        model = Product
        fields = []

    def filter_barcode(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(barcode__in=gtin_variants(value))

    def filter_low(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(pk__in=_low_stock_products())
        return queryset.exclude(pk__in=_low_stock_products())

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(sku__icontains=value) | Q(name__icontains=value) | Q(barcode__in=gtin_variants(value))
        )


class WarehouseFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")
    active = filters.BooleanFilter(field_name="is_active")
    ordering = StableOrderingFilter(
        fields=(("code", "code"), ("name", "name"), ("priority", "priority"))
    )

    class Meta:
        model = Warehouse
        fields = []


class LocationFilter(filters.FilterSet):
    warehouse = filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact", help_text="Warehouse code."
    )
    code = filters.CharFilter(field_name="code", lookup_expr="iexact", help_text="Bin code.")
    barcode = filters.CharFilter(field_name="barcode", lookup_expr="iexact")
    active = filters.BooleanFilter(field_name="is_active")
    ordering = StableOrderingFilter(
        fields=(
            ("warehouse__code", "warehouse"),
            ("code", "code"),
            ("pick_sequence", "pick_sequence"),
        )
    )

    class Meta:
        model = Location
        fields = []


class StockFilter(filters.FilterSet):
    sku = filters.CharFilter(field_name="product__sku", lookup_expr="iexact", help_text="SKU.")
    product = IdFilter(field_name="product_id", help_text="Product id.")
    warehouse = filters.CharFilter(
        field_name="location__warehouse__code", lookup_expr="iexact", help_text="Warehouse code."
    )
    location = filters.CharFilter(
        field_name="location__code", lookup_expr="iexact", help_text="Bin code."
    )
    available_gt = IntegerFilter(
        field_name="available_quantity",
        lookup_expr="gt",
        help_text="Only rows with more than this many available.",
    )
    low = filters.BooleanFilter(
        method="filter_low", help_text="Only rows of products that are low on stock."
    )
    ordering = StableOrderingFilter(
        fields=(
            ("product__sku", "sku"),
            ("location__warehouse__code", "warehouse"),
            ("location__code", "location"),
            ("location__pick_sequence", "pick_sequence"),
            ("on_hand", "on_hand"),
            ("allocated", "allocated"),
            ("available_quantity", "available"),
            ("last_counted_at", "last_counted_at"),
            ("updated_at", "updated_at"),
        )
    )

    class Meta:
        model = StockLevel
        fields = []

    def filter_low(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(product__in=_low_stock_products())
        return queryset.exclude(product__in=_low_stock_products())


class MovementFilter(filters.FilterSet):
    sku = filters.CharFilter(field_name="product__sku", lookup_expr="iexact", help_text="SKU.")
    product = IdFilter(field_name="product_id", help_text="Product id.")
    warehouse = filters.CharFilter(
        field_name="location__warehouse__code", lookup_expr="iexact", help_text="Warehouse code."
    )
    location = filters.CharFilter(
        field_name="location__code", lookup_expr="iexact", help_text="Bin code."
    )
    kind = filters.ChoiceFilter(choices=StockMovement.Kind.choices)
    reference = filters.CharFilter(field_name="reference", lookup_expr="iexact")
    created = filters.DateFromToRangeFilter(
        field_name="created_at",
        help_text="Date range: created_after=YYYY-MM-DD and/or created_before=YYYY-MM-DD.",
    )
    ordering = StableOrderingFilter(
        fields=(("created_at", "created_at"), ("product__sku", "sku"), ("quantity", "quantity"))
    )

    class Meta:
        model = StockMovement
        fields = []


class PurchaseOrderFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=PurchaseOrder.Status.choices, help_text="Status; repeat for several."
    )
    supplier = filters.CharFilter(
        field_name="supplier__code", lookup_expr="iexact", help_text="Supplier code."
    )
    warehouse = filters.CharFilter(
        field_name="warehouse__code", lookup_expr="iexact", help_text="Warehouse code."
    )
    sku = filters.CharFilter(method="filter_sku", help_text="Only orders with this SKU on them.")
    drop_ship = filters.BooleanFilter(field_name="is_drop_ship", help_text="Drop-ship or not.")
    open = filters.BooleanFilter(
        method="filter_open", help_text="Still open (draft, sent, partially received) or not."
    )
    number = filters.CharFilter(field_name="number", lookup_expr="iexact")
    customer_reference = filters.CharFilter(
        field_name="customer_reference", lookup_expr="iexact", help_text="Sales order number."
    )
    created = filters.DateFromToRangeFilter(
        field_name="created_at",
        help_text="Date range: created_after=YYYY-MM-DD and/or created_before=YYYY-MM-DD.",
    )
    ordering = StableOrderingFilter(
        fields=(
            ("created_at", "created_at"),
            ("number", "number"),
            ("expected_on", "expected_on"),
            ("status", "status"),
        )
    )

    class Meta:
        model = PurchaseOrder
        fields = []

    def filter_sku(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            pk__in=PurchaseOrderLine.objects.filter(product__sku__iexact=value).values(
                "purchase_order_id"
            )
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(status__in=PurchaseOrder.OPEN)
        return queryset.exclude(status__in=PurchaseOrder.OPEN)


class CountAdjustmentFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        choices=CountAdjustment.Status.choices, help_text="Status; repeat for several."
    )
    warehouse = filters.CharFilter(
        field_name="location__warehouse__code", lookup_expr="iexact", help_text="Warehouse code."
    )
    sku = filters.CharFilter(field_name="product__sku", lookup_expr="iexact", help_text="SKU.")

    class Meta:
        model = CountAdjustment
        fields = []
