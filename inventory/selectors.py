"""Reads for inventory: every query the pages and API need, with its joins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from inventory.models import (
    CountAdjustment,
    CountSession,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    StockScan,
    Supplier,
    Warehouse,
)
from oms.barcodes import gtin_variants
from oms.errors import NotFound
from oms.scanning import DocumentType, Scan, ScanKind, recognise


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


@dataclass(frozen=True)
class ScreenState:
    """Where a receive or count screen stands: read back from its scan log, never the session."""

    location: Location | None = None
    reference: str = ""
    quantity_field: str = "1"
    last: StockScan | None = None


def scan_screen_state(*, user, screen: str) -> ScreenState:
    """Return where the user's receive or count screen stands: the state its last scan left."""
    last = (
        StockScan.objects.filter(user=user, screen=screen)
        .select_related("location__warehouse")
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        return ScreenState()
    return ScreenState(
        location=last.location,
        reference=last.reference,
        quantity_field=last.quantity_field,
        last=last,
    )


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


def find_scanned(scan: Scan, *, current: Location | None) -> tuple[Location | None, Product | None]:
    """Look a scanned bin or product up; an ambiguous bare code is tried both ways.

    A bare bin code is looked for in the current bin's warehouse first.
    """
    warehouse = current.warehouse if current else None

    def find_bin() -> Location | None:
        location = location_find_by_code(scan.value, warehouse=warehouse)
        if location is None and scan.warehouse_code:
            label_warehouse = Warehouse.objects.filter(code__iexact=scan.warehouse_code).first()
            if label_warehouse is None:
                return None
            location = location_find_by_code(scan.bin_code, warehouse=label_warehouse)
        if location is None and warehouse is not None and not scan.warehouse_code:
            location = location_find_by_code(scan.value)
        return location

    if scan.kind is ScanKind.BIN:
        location = find_bin()
        if location is None and scan.ambiguous:
            return None, product_find_by_code(scan.value)
        return location, None
    product = product_find_by_code(scan.value)
    if product is None and scan.ambiguous:
        return find_bin(), None
    return None, product


def receive_history(*, user, limit: int = 10) -> list[StockScan]:
    """Return the user's last receipts and undos on the receive screen, newest first: one query.

    Each row is marked ``undone`` when a later scan took it back; its
    ``movement`` is the ledger row it booked.
    """
    return list(
        StockScan.objects.filter(user=user, screen=StockScan.Screen.RECEIVE, movement__isnull=False)
        .select_related("product", "movement", "movement__location")
        .annotate(undone=Exists(StockScan.objects.filter(undoes=OuterRef("pk"))))
        .order_by("-created_at", "-pk")[:limit]
    )


def receive_undo_target(*, user) -> StockScan | None:
    """Return the user's last receipt on the receive screen that no scan has taken back."""
    return (
        StockScan.objects.filter(
            user=user,
            screen=StockScan.Screen.RECEIVE,
            action=StockScan.Action.RECEIVE,
            result=StockScan.Result.ACCEPTED,
            undone_by__isnull=True,
        )
        .select_related("product", "movement", "movement__location", "purchase_order")
        .order_by("-created_at", "-pk")
        .first()
    )


def count_session_latest(*, user) -> CountSession | None:
    """Return the user's latest count of a bin (open, finished or discarded), with its bin."""
    return (
        CountSession.objects.filter(user=user)
        .select_related("location__warehouse")
        .order_by("-created_at", "-pk")
        .first()
    )


def _count_scans(session: CountSession):
    return StockScan.objects.filter(
        count_session=session,
        action=StockScan.Action.COUNT,
        result=StockScan.Result.ACCEPTED,
        undone_by__isnull=True,
    )


def count_tally(session: CountSession) -> list[tuple[Product, int]]:
    """Add a count's scans up per product, in the order each was first scanned: two queries."""
    totals = list(
        _count_scans(session)
        .order_by()
        .values("product_id")
        .annotate(counted=Sum("quantity"), first=Min("pk"))
        .order_by("first")
    )
    products = Product.objects.in_bulk([row["product_id"] for row in totals])
    return [(products[row["product_id"]], row["counted"]) for row in totals]


def count_counted(session: CountSession, product: Product) -> int:
    """Return how many of a product a count has so far."""
    return (
        _count_scans(session)
        .filter(product=product)
        .aggregate(counted=Coalesce(Sum("quantity"), 0))["counted"]
    )


def count_last_scan(session: CountSession) -> StockScan | None:
    """Return a count's last scan that no undo took back, with its product."""
    return _count_scans(session).select_related("product").order_by("-created_at", "-pk").first()


def count_recent(session: CountSession, *, limit: int = 10) -> list[StockScan]:
    """Return a count's last scans that were not undone, newest first, with their products."""
    return list(
        _count_scans(session).select_related("product").order_by("-created_at", "-pk")[:limit]
    )


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


def purchase_order_for_reference(reference: str) -> PurchaseOrder | None:
    """Return the purchase order a receive screen's reference names, with its lines, or None."""
    scan = recognise(reference or "")
    if scan.kind is not ScanKind.DOCUMENT or scan.document_type is not DocumentType.PURCHASE_ORDER:
        return None
    return purchase_order_by_number(scan.value)
