"""Reads for inventory: every query the pages and API need, with its joins."""

from __future__ import annotations

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from inventory.models import (
    CountAdjustment,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
    Warehouse,
)
from oms.barcodes import gtin_variants
from oms.errors import NotFound


def product_get_by_sku(sku: str, *, field: str = "sku") -> Product:
    """Return the product with this SKU (case-insensitive), or refuse with NotFound."""
    sku = (sku or "").strip()
    product = Product.objects.filter(sku__iexact=sku).select_related("supplier").first()
    if product is None:
        raise NotFound(f"There is no product with SKU {sku!r}.", field=field, code="unknown_sku")
    return product


def product_find_by_code(code: str, *, with_stock: bool = False) -> Product | None:
    """Find a product by a scanned or typed code: its barcode first, then its SKU.

    A barcode matches in any GTIN spelling (a UPC-A scanned as 13 digits), a
    SKU in any case; deactivated products are found too. ``with_stock`` adds
    the stock totals of ``Product.objects.with_stock()``. Every screen, the
    desk and the scan services look codes up here.
    """
    code = (code or "").strip()
    if not code:
        return None
    products = Product.objects.select_related("supplier")
    if with_stock:
        products = products.with_stock()
    return (
        products.filter(barcode__in=gtin_variants(code)).first()
        or products.filter(sku__iexact=code).first()
    )


def warehouse_get(code: str, *, field: str = "warehouse") -> Warehouse:
    """Return the warehouse with this code, or refuse with NotFound."""
    code = (code or "").strip()
    warehouse = Warehouse.objects.filter(code__iexact=code).first()
    if warehouse is None:
        raise NotFound(f"There is no warehouse {code!r}.", field=field, code="unknown_warehouse")
    return warehouse


def location_get(*, warehouse: Warehouse, code: str, field: str = "location") -> Location:
    """Return a bin of a warehouse by its code or barcode, or refuse with NotFound."""
    code = (code or "").strip()
    location = (
        Location.objects.filter(warehouse=warehouse)
        .filter(Q(code__iexact=code) | Q(barcode__iexact=code))
        .select_related("warehouse")
        .first()
    )
    if location is None:
        raise NotFound(
            f"There is no bin {code!r} in warehouse {warehouse.code}.",
            field=field,
            code="unknown_location",
        )
    return location


def location_find_by_code(code: str, *, warehouse: Warehouse | None = None) -> Location | None:
    """Find a bin by its printed barcode, or by its code within a warehouse."""
    code = (code or "").strip()
    if not code:
        return None
    location = Location.objects.filter(barcode__iexact=code).select_related("warehouse").first()
    if location is None and warehouse is not None:
        location = (
            Location.objects.filter(warehouse=warehouse, code__iexact=code)
            .select_related("warehouse")
            .first()
        )
    if location is None and warehouse is None:
        matches = list(Location.objects.filter(code__iexact=code).select_related("warehouse")[:2])
        if len(matches) == 1:
            location = matches[0]
    return location


def product_list(*, search: str = "", only_active: bool | None = True) -> QuerySet[Product]:
    """List products with their stock totals; search by SKU, name or barcode."""
    qs = Product.objects.with_stock().select_related("supplier")
    if only_active is not None:
        qs = qs.filter(is_active=only_active)
    search = (search or "").strip()
    if search:
        qs = qs.filter(
            Q(sku__icontains=search)
            | Q(name__icontains=search)
            | Q(barcode__in=gtin_variants(search))
        )
    return qs


def low_stock_products() -> QuerySet[Product]:
    """Active stocked products whose available quantity is at or under their reorder point."""
    return (
        Product.objects.with_stock()
        .filter(is_active=True, is_drop_ship=False, reorder_point__gt=0)
        .filter(total_available__lte=F("reorder_point"))
    )


def stock_levels(*, product: Product | None = None) -> QuerySet[StockLevel]:
    """Stock rows with product and bin, in walking order."""
    qs = StockLevel.objects.select_related("product", "location", "location__warehouse")
    if product is not None:
        qs = qs.filter(product=product)
    return qs.order_by("location__warehouse__priority", "location__pick_sequence", "location__code")


def movements(*, product: Product | None = None) -> QuerySet[StockMovement]:
    """Ledger rows, newest first, with bin and user."""
    qs = StockMovement.objects.select_related("product", "location", "location__warehouse", "user")
    if product is not None:
        qs = qs.filter(product=product)
    return qs.order_by("-created_at", "-pk")


def product_detail(pk: int) -> Product:
    """Return one product with its stock rows and supplier."""
    product = (
        Product.objects.with_stock()
        .select_related("supplier")
        .prefetch_related(
            Prefetch(
                "stock_levels",
                queryset=StockLevel.objects.select_related(
                    "location", "location__warehouse"
                ).order_by("location__warehouse__priority", "location__pick_sequence"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if product is None:
        raise NotFound("That product does not exist.")
    return product


def ledger_mismatches() -> list[dict]:
    """Return every (product, bin) whose on_hand differs from the sum of its movements."""
    ledger = {
        (row["product"], row["location"]): row["total"]
        for row in StockMovement.objects.order_by()
        .values("product", "location")
        .annotate(total=Sum("quantity"))
    }
    levels = {
        (row["product"], row["location"]): row["on_hand"]
        for row in StockLevel.objects.values("product", "location", "on_hand")
    }
    wrong = {
        key: (levels.get(key, 0), ledger.get(key, 0))
        for key in ledger.keys() | levels.keys()
        if levels.get(key, 0) != ledger.get(key, 0)
    }
    if not wrong:
        return []
    skus = dict(Product.objects.filter(pk__in={k[0] for k in wrong}).values_list("pk", "sku"))
    bins = {
        loc.pk: str(loc)
        for loc in Location.objects.filter(pk__in={k[1] for k in wrong}).select_related("warehouse")
    }
    return [
        {"sku": skus[p], "location": bins[loc], "on_hand": on_hand, "ledger": total}
        for (p, loc), (on_hand, total) in sorted(wrong.items())
    ]


def supplier_get(code: str, *, field: str = "supplier") -> Supplier:
    """Return the supplier with this code, or refuse with NotFound."""
    code = (code or "").strip()
    supplier = Supplier.objects.filter(code__iexact=code).first()
    if supplier is None:
        raise NotFound(f"There is no supplier {code!r}.", field=field, code="unknown_supplier")
    return supplier


# --- scan screens -----------------------------------------------------------------------------


def location_by_id(pk: int | None) -> Location | None:
    """Return a bin with its warehouse, or None."""
    if not pk:
        return None
    return Location.objects.select_related("warehouse").filter(pk=pk).first()


def products_by_ids(ids) -> dict[int, Product]:
    """Return {pk: product} for the given primary keys, in one query."""
    return Product.objects.in_bulk(list(ids))


def locations_by_ids(ids) -> dict[int, Location]:
    """Return {pk: bin with its warehouse} for the given primary keys, in one query."""
    return Location.objects.select_related("warehouse").in_bulk(list(ids))


def warehouse_bins(code: str, *, limit: int) -> list[Location]:
    """Return the active bins of the warehouse with this code (any case), in walking order."""
    return list(
        Location.objects.select_related("warehouse")
        .filter(warehouse__code__iexact=code, is_active=True)
        .order_by("pick_sequence", "code")[:limit]
    )


def receive_history(*, user, limit: int = 10) -> list[StockMovement]:
    """The user's latest receipts and receipt reversals, newest first, each marked ``undone``.

    Costs two queries whatever the limit.
    """
    rows = list(
        StockMovement.objects.filter(user=user)
        .filter(
            Q(kind=StockMovement.Kind.RECEIPT)
            | Q(kind=StockMovement.Kind.ADJUSTMENT, reason__startswith="Undo of receipt #")
        )
        .select_related("product", "location", "location__warehouse")
        .order_by("-created_at", "-pk")[:limit]
    )
    receipts = [row for row in rows if row.kind == StockMovement.Kind.RECEIPT]
    markers = {f"Undo of receipt #{row.pk}": row for row in receipts}
    undone = set(
        StockMovement.objects.filter(
            kind=StockMovement.Kind.ADJUSTMENT, reason__in=list(markers)
        ).values_list("reason", flat=True)
    )
    for row in rows:
        row.undone = f"Undo of receipt #{row.pk}" in undone
    return rows


def stock_in_bin(location: Location) -> list[StockLevel]:
    """Stock rows with something on hand in one bin, with their products, by SKU."""
    return list(
        StockLevel.objects.filter(location=location, on_hand__gt=0)
        .select_related("product")
        .order_by("product__sku")
    )


def bins_to_count() -> QuerySet[StockLevel]:
    """Stock rows a short pick asked to count, in walking order, with product and bin."""
    return (
        StockLevel.objects.filter(count_requested_at__isnull=False)
        .select_related("product", "location", "location__warehouse")
        .order_by(
            "location__warehouse__priority",
            "location__warehouse__code",
            "location__pick_sequence",
            "location__code",
            "product__sku",
        )
    )


def count_adjustments() -> QuerySet[CountAdjustment]:
    """Counts sent for approval, oldest first, with product, bin, current stock and people."""
    current = StockLevel.objects.filter(
        product=OuterRef("product"), location=OuterRef("location")
    ).values("on_hand")[:1]
    return (
        CountAdjustment.objects.select_related(
            "product", "location", "location__warehouse", "counted_by", "decided_by"
        )
        .annotate(on_hand_now=Subquery(current))
        .order_by("created_at", "pk")
    )


# --- purchase orders --------------------------------------------------------------------------


def purchase_orders() -> QuerySet[PurchaseOrder]:
    """Purchase orders with supplier, warehouse and lines (with products): constant queries."""
    return PurchaseOrder.objects.select_related(
        "supplier", "warehouse", "created_by"
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=PurchaseOrderLine.objects.select_related("product").order_by("pk"),
        )
    )


def purchase_order_by_number(number: str) -> PurchaseOrder | None:
    """Return the purchase order with this number (PO-000123, any case) and its lines, or None."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return purchase_orders().filter(number=number).first()
