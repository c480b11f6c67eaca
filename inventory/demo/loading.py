"""Write the demo data: suppliers, warehouses, bins, products and opening stock.

Every step is get-or-create by natural key (SKU, supplier code, warehouse
code, bin code) and opening stock is booked only for products that have no
movements yet, so loading twice changes nothing. Random choices are seeded
by SKU, so the same product always gets the same price, reorder point and
opening quantity.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models.functions import Upper

from inventory import selectors, services
from inventory.demo.sources import (
    OFF_FILE,
    RETAIL_FILE,
    SEED,
    SourceResult,
    read_online_retail,
    read_open_food_facts,
)
from inventory.models import Location, Product, StockLevel, StockMovement, Supplier, Warehouse
from oms.barcodes import gtin_variants
from oms.models import TaxClass

DEFAULT_PRODUCTS = 400
OPENING_REFERENCE = "OPENING-STOCK"
BRAND_SUPPLIERS = 4  # the most frequent brands become suppliers; the rest share one
GROCERY_SUPPLIER = ("GROCERY-WHOLESALE", "Grocery wholesale (mixed brands)")
GIFTWARE_SUPPLIER = ("GIFTWARE-UK", "Giftware wholesale UK")
WAREHOUSES = [
    # code, name, priority, aisles, bays per aisle, shelves per bay
    ("MAIN", "Main warehouse", 10, "ABCDEF", 10, 4),
    ("NORTH", "North depot", 20, "AB", 5, 3),
]


@dataclass
class DemoReport:
    """Everything the loader did, for the summary printed at the end."""

    data_dir: Path
    sources: list[SourceResult] = field(default_factory=list)
    suppliers_created: int = 0
    warehouses_created: int = 0
    bins_created: int = 0
    bins_total: int = 0
    receipts: int = 0
    stock_rows: int = 0
    out_of_stock: int = 0
    low_stock: int = 0
    drop_ship: int = 0
    seconds: float = 0.0

    @property
    def products_created(self) -> int:
        return sum(source.created for source in self.sources)


@dataclass(frozen=True)
class StockPlan:
    """The demo figures one product always gets, derived from its SKU."""

    reorder_point: int
    main_quantity: int
    north_quantity: int
    drop_ship: bool


def stock_plan(sku: str) -> StockPlan:
    """Decide reorder point and opening stock for a product, the same on every run."""
    rng = random.Random(f"{SEED}:stock:{sku}")
    reorder_point = rng.choice([0, 5, 10, 10, 15, 20, 25])
    roll = rng.random()
    if roll < 0.03:
        return StockPlan(reorder_point, 0, 0, drop_ship=True)
    if roll < 0.10:  # out of stock: shows as low stock when it has a reorder point
        return StockPlan(max(reorder_point, 5), 0, 0, drop_ship=False)
    if roll < 0.22:  # at or under the reorder point
        reorder_point = max(reorder_point, 5)
        return StockPlan(reorder_point, rng.randint(1, reorder_point), 0, drop_ship=False)
    main = rng.randint(reorder_point + 12, reorder_point + 150)
    north = rng.randint(6, 40) if rng.random() < 0.25 else 0
    return StockPlan(reorder_point, main, north, drop_ship=False)


def bin_layout(aisles: str, bays: int, shelves: int) -> list[tuple[str, int]]:
    """Return (bin code, pick sequence) pairs in walking order.

    Pickers walk a serpentine: up odd aisles (A, C, ...) from bay 1, down even
    aisles (B, D, ...) from the last bay, shelves bottom to top in each bay.
    """
    layout = []
    for index, aisle in enumerate(aisles):
        bay_order = range(1, bays + 1) if index % 2 == 0 else range(bays, 0, -1)
        for bay in bay_order:
            for shelf in range(1, shelves + 1):
                layout.append((f"{aisle}-{bay:02d}-{shelf:02d}", (len(layout) + 1) * 10))
    return layout


def _supplier_key(brand: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", brand).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "-", ascii_name.upper()).strip("-")[:32]


def _ensure_suppliers(report: DemoReport, off: SourceResult | None, retail: SourceResult | None):
    """Create the suppliers the products need; return a map brand key -> supplier."""
    wanted: dict[str, str] = {}
    if off and off.candidates:
        brand_counts = Counter(_supplier_key(c.brand) for c in off.candidates if c.brand)
        brand_counts.pop("", None)
        spelling: dict[str, str] = {}
        for candidate in off.candidates:
            spelling.setdefault(_supplier_key(candidate.brand), candidate.brand)
        top = sorted(brand_counts.items(), key=lambda item: (-item[1], item[0]))
        for key, _ in top[:BRAND_SUPPLIERS]:
            wanted[key] = spelling[key]
        wanted[GROCERY_SUPPLIER[0]] = GROCERY_SUPPLIER[1]
    if retail and retail.candidates:
        wanted[GIFTWARE_SUPPLIER[0]] = GIFTWARE_SUPPLIER[1]
    existing = {s.code: s for s in Supplier.objects.filter(code__in=list(wanted))}
    for code, name in wanted.items():
        if code not in existing:
            existing[code] = services.supplier_create(
                code=code,
                name=name,
                email=f"orders@{code.lower()}.example.com",
                lead_time_days=random.Random(f"{SEED}:lead:{code}").choice([3, 5, 7, 10, 14]),
            )
            report.suppliers_created += 1
    return existing


def _ensure_warehouses(report: DemoReport) -> dict[str, list[Location]]:
    """Create the demo warehouses and their bins; return each one's bins in walking order."""
    bins: dict[str, list[Location]] = {}
    for code, name, priority, aisles, bays, shelves in WAREHOUSES:
        warehouse = Warehouse.objects.filter(code=code).first()
        if warehouse is None:
            warehouse = services.warehouse_create(code=code, name=name, priority=priority)
            report.warehouses_created += 1
        layout = bin_layout(aisles, bays, shelves)
        have = set(Location.objects.filter(warehouse=warehouse).values_list("code", flat=True))
        barcodes = {Location.default_barcode(code, bin_code): bin_code for bin_code, _ in layout}
        taken = set(
            Location.objects.filter(barcode__in=list(barcodes)).values_list("barcode", flat=True)
        )
        new = [
            Location(warehouse=warehouse, code=bin_code, barcode=barcode, pick_sequence=sequence)
            for (bin_code, sequence), barcode in zip(layout, barcodes, strict=True)
            if bin_code not in have and barcode not in taken
        ]
        Location.objects.bulk_create(new, batch_size=500)
        report.bins_created += len(new)
        by_code = {
            loc.code: loc
            for loc in Location.objects.filter(
                warehouse=warehouse, code__in=[c for c, _ in layout]
            ).select_related("warehouse")
        }
        bins[code] = [by_code[c] for c, _ in layout if c in by_code and by_code[c].is_active]
        report.bins_total += len(by_code)
    return bins


def _create_products(source: SourceResult, suppliers: dict[str, Supplier]) -> list[str]:
    """Create the products of one source that are missing; return every SKU it covers."""
    skus = [c.sku for c in source.candidates]
    existing = set(  # SKUs are unique whatever their case
        Product.objects.annotate(key=Upper("sku"))
        .filter(key__in=[sku.upper() for sku in skus])
        .values_list("key", flat=True)
    )
    variants = {v: c.sku for c in source.candidates if c.barcode for v in gtin_variants(c.barcode)}
    barcode_owner = dict(
        Product.objects.filter(barcode__in=list(variants)).values_list("barcode", "sku")
    )
    # Open Food Facts sells food: zero-rated for UK VAT (the giftware keeps the standard rate).
    food = TaxClass.objects.filter(code="zero").first()
    new = []
    covered = []
    for candidate in source.candidates:
        if candidate.sku.upper() in existing:
            source.existing += 1
            covered.append(candidate.sku)
            continue
        clash = candidate.barcode and next(
            (barcode_owner[v] for v in gtin_variants(candidate.barcode) if v in barcode_owner),
            None,
        )
        if clash:
            source.skip("barcode already used by another product", f"{candidate.barcode} ({clash})")
            continue
        supplier = suppliers.get(_supplier_key(candidate.brand)) if candidate.brand else None
        if supplier is None:
            fallback = GIFTWARE_SUPPLIER if candidate.barcode is None else GROCERY_SUPPLIER
            supplier = suppliers.get(fallback[0])
        plan = stock_plan(candidate.sku)
        new.append(
            Product(
                sku=candidate.sku,
                name=candidate.name,
                description=candidate.description,
                barcode=candidate.barcode,
                price=candidate.price,
                weight_grams=candidate.weight_grams,
                reorder_point=plan.reorder_point,
                supplier=supplier,
                is_drop_ship=plan.drop_ship,
                tax_class=food if candidate.barcode is not None else None,
            )
        )
        covered.append(candidate.sku)
    Product.objects.bulk_create(new, batch_size=500)
    source.created += len(new)
    return covered


def _book_opening_stock(report: DemoReport, skus: list[str], bins: dict[str, list[Location]]):
    """Receive opening stock for demo products that have never had a movement."""
    moved = StockMovement.objects.values("product_id")
    products = Product.objects.filter(sku__in=skus, is_active=True).exclude(pk__in=moved)
    for product in products.order_by("sku"):
        plan = stock_plan(product.sku)
        rng = random.Random(f"{SEED}:bin:{product.sku}")
        for warehouse_code, quantity in (
            ("MAIN", plan.main_quantity),
            ("NORTH", plan.north_quantity),
        ):
            if quantity <= 0 or product.is_drop_ship or not bins.get(warehouse_code):
                continue
            location = rng.choice(bins[warehouse_code])
            services.stock_receive(
                product=product,
                location=location,
                quantity=quantity,
                reference=OPENING_REFERENCE,
                reason="Opening stock (demo data)",
            )
            report.receipts += 1


def load_demo_data(*, data_dir: Path, products: int | None = DEFAULT_PRODUCTS) -> DemoReport:
    """Load suppliers, warehouses, bins, products and opening stock from the data sets.

    ``products`` caps each source: the first N usable Open Food Facts rows and
    the N most ordered Online Retail stock codes; None loads everything.
    """
    started = time.monotonic()
    report = DemoReport(data_dir=Path(data_dir))
    off_path, retail_path = report.data_dir / OFF_FILE, report.data_dir / RETAIL_FILE
    off = read_open_food_facts(off_path) if off_path.is_file() else None
    retail = read_online_retail(retail_path) if retail_path.is_file() else None
    report.sources = [source for source in (off, retail) if source is not None]
    for source in report.sources:
        if products is not None:
            source.candidates = source.candidates[:products]
    with transaction.atomic():
        suppliers = _ensure_suppliers(report, off, retail)
        bins = _ensure_warehouses(report)
        skus: list[str] = []
        for source in report.sources:
            skus += _create_products(source, suppliers)
        _book_opening_stock(report, skus, bins)
    demo = Product.objects.filter(sku__in=skus)
    report.stock_rows = StockLevel.objects.filter(product__in=demo).count()
    report.drop_ship = demo.filter(is_drop_ship=True).count()
    stocked = demo.with_stock().filter(is_drop_ship=False, is_active=True)
    report.out_of_stock = stocked.filter(total_on_hand=0).count()
    report.low_stock = selectors.low_stock_products().filter(sku__in=skus).count()
    report.seconds = time.monotonic() - started
    return report


def format_report(report: DemoReport) -> str:
    """Describe what the loader found, skipped and created, in a few lines."""
    lines = [f"Demo data from {report.data_dir}"]
    for source in report.sources:
        facts = ", ".join(f"{value:,} {name}" for name, value in source.facts.items())
        lines.append(f"  {source.label} ({source.file}): {facts}")
        lines.append(
            f"    products: {source.created + source.existing:,} loaded "
            f"({source.created:,} new, {source.existing:,} already there)"
        )
        for reason, count in sorted(source.skipped.items(), key=lambda item: -item[1]):
            examples = ", ".join(source.examples[reason])
            more = ", ..." if count > len(source.examples[reason]) else ""
            lines.append(f"    skipped {count:,} {reason}: {examples}{more}")
    lines += [
        f"  suppliers: {Supplier.objects.count():,} ({report.suppliers_created} new)",
        f"  warehouses: {', '.join(code for code, *_ in WAREHOUSES)} "
        f"({report.warehouses_created} new); bins: {report.bins_total:,} "
        f"({report.bins_created:,} new)",
        f"  stock: {report.receipts:,} opening receipts booked, {report.stock_rows:,} stock rows; "
        f"{report.out_of_stock:,} products at zero, {report.low_stock:,} at or under their "
        f"reorder point, {report.drop_ship:,} drop-ship",
        f"  took {report.seconds:.1f} s",
    ]
    return "\n".join(lines)
