"""The shapes of the catalogue API: products, warehouses and bins."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.models import Location, Product, Warehouse
from inventory.serializers.base import MAX_GRAMS, MAX_MM, SKU, WAREHOUSE, code_field, quantity_field
from oms.api_inputs import money, text, whole


class ProductSerializer(serializers.ModelSerializer):
    """A product with its stock summed over every bin."""

    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    tax_class = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Tax class code (standard, reduced, zero, exempt, ...); null: standard.",
    )
    on_hand = serializers.IntegerField(source="total_on_hand", read_only=True)
    allocated = serializers.IntegerField(source="total_allocated", read_only=True)
    available = serializers.IntegerField(source="total_available", read_only=True)
    is_low_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "description",
            "barcode",
            "price",
            "weight_grams",
            "length_mm",
            "width_mm",
            "height_mm",
            "reorder_point",
            "supplier",
            "tax_class",
            "is_drop_ship",
            "is_active",
            "on_hand",
            "allocated",
            "available",
            "is_low_stock",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_low_stock(self, product: Product) -> bool:
        return bool(
            product.is_active
            and not product.is_drop_ship
            and product.reorder_point > 0
            and product.total_available <= product.reorder_point
        )


class ProductWriteSerializer(serializers.Serializer):
    """The fields of a product that can be set; the supplier is named by its code."""

    sku = code_field(SKU)
    name = code_field(255)
    description = text(required=False, allow_blank=True)
    barcode = code_field(48, required=False, allow_blank=True, allow_null=True)
    price = money("Price", required=False)
    weight_grams = whole("Weight", maximum=MAX_GRAMS, required=False)
    length_mm = whole("Length", maximum=MAX_MM, required=False)
    width_mm = whole("Width", maximum=MAX_MM, required=False)
    height_mm = whole("Height", maximum=MAX_MM, required=False)
    reorder_point = quantity_field("Reorder point", minimum=0, required=False)
    supplier = code_field(
        32, required=False, allow_blank=True, allow_null=True, help_text="Supplier code."
    )
    tax_class = code_field(
        30,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Tax class code (standard, reduced, zero, exempt, ...); empty: standard.",
    )
    is_drop_ship = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


# --- warehouses and bins -----------------------------------------------------------------------


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "address", "priority", "is_active"]
        read_only_fields = fields


class WarehouseCreateSerializer(serializers.Serializer):
    code = code_field(WAREHOUSE)
    name = code_field(200)
    address = text(required=False, allow_blank=True)
    priority = whole("Priority", maximum=1000, required=False)


class LocationSerializer(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code", read_only=True)

    class Meta:
        model = Location
        fields = ["id", "warehouse", "code", "barcode", "pick_sequence", "is_active"]
        read_only_fields = fields


class LocationCreateSerializer(serializers.Serializer):
    warehouse = code_field(WAREHOUSE, help_text="Warehouse code, for example MAIN.")
    code = code_field(32, help_text="Bin code, for example A-01-03.")
    pick_sequence = quantity_field("Pick sequence", minimum=0, required=False, default=0)
    barcode = serializers.CharField(
        max_length=48,
        required=False,
        allow_blank=True,
        default="",
        help_text="Printed bin barcode; BIN-<warehouse>-<code> when left out.",
    )


class LocationUpdateSerializer(serializers.Serializer):
    warehouse = serializers.CharField(
        max_length=16, required=False, help_text="Warehouse code; only for a bin with no stock."
    )
    code = serializers.CharField(max_length=32, required=False)
    barcode = serializers.CharField(max_length=48, required=False, allow_blank=True)
    pick_sequence = quantity_field("Pick sequence", minimum=0, required=False)
    is_active = serializers.BooleanField(required=False)
