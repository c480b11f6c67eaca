"""Load demo data from two public data sets: Open Food Facts and UCI Online Retail.

Open Food Facts gives grocery products with real GTIN barcodes; Online
Retail gives a UK giftware catalogue (stock codes, descriptions, prices).
Both are read as they are, quirks included: codes with a wrong check digit
or an unusual length, cancellations, negative quantities, fees and postage
booked as stock codes. Every step is get-or-create by natural key (SKU,
supplier code, warehouse code, bin code) and opening stock is booked only
for products that have no movements yet, so loading twice changes nothing.
Random choices are seeded by SKU, so the same product always gets the same
price, reorder point and opening quantity.
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import re
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Upper

from inventory import selectors, services
from inventory.models import Location, Product, StockLevel, StockMovement, Supplier, Warehouse
from oms.barcodes import GTIN_LENGTHS, gtin_variants, is_digits, is_valid_gtin

OFF_FILE = "openfoodfacts.tsv"
RETAIL_FILE = "online-retail.csv.gz"
DEFAULT_PRODUCTS = 400
OPENING_REFERENCE = "OPENING-STOCK"
SEED = "oms-demo"

# Retail barcodes: EAN-8, UPC-A, EAN-13. GTIN-14 marks cases and pallets, not items.
OFF_LENGTHS = {8, 12, 13}
BRAND_SUPPLIERS = 4  # the most frequent brands become suppliers; the rest share one
GROCERY_SUPPLIER = ("GROCERY-WHOLESALE", "Grocery wholesale (mixed brands)")
GIFTWARE_SUPPLIER = ("GIFTWARE-UK", "Giftware wholesale UK")

# Stock codes in Online Retail that are money or services, not goods.
NON_PRODUCT_CODES = {
    "POST": "postage",
    "DOT": "dotcom postage",
    "C2": "carriage",
    "M": "manual price correction",
    "D": "discount",
    "S": "samples",
    "B": "bad debt adjustment",
    "BANK CHARGES": "bank charges",
    "AMAZONFEE": "Amazon fee",
    "CRUK": "CRUK commission",
    "PADS": "cushion pads at a token price",
}
_STOCK_CODE = re.compile(r"^\d{5}[A-Z]{0,4}$")
_QUANTITY = re.compile(r"(\d+(?:[.,]\d+)?)\s*(kg|mg|g|cl|ml|l|litres?|liters?)\b", re.IGNORECASE)
_GRAMS = {"kg": 1000, "g": 1, "mg": 0.001, "l": 1000, "cl": 10, "ml": 1}

WAREHOUSES = [
    # code, name, priority, aisles, bays per aisle, shelves per bay
    ("MAIN", "Main warehouse", 10, "ABCDEF", 10, 4),
    ("NORTH", "North depot", 20, "AB", 5, 3),
]


@dataclass
class Candidate:
    """One product read from a data set, ready to be created."""

    sku: str
    name: str
    price: Decimal
    barcode: str | None = None
    description: str = ""
    weight_grams: int = 0
    brand: str = ""


@dataclass
class SourceResult:
    """What one data set held: usable products, and what was skipped and why."""

    label: str
    file: str
    candidates: list[Candidate] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason -> rows or codes
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    facts: dict[str, int] = field(default_factory=dict)
    created: int = 0
    existing: int = 0

    def skip(self, reason: str, example: str, count: int = 1) -> None:
        """Count a skipped row or code under its reason, keeping a few examples."""
        self.skipped[reason] += count
        if len(self.examples[reason]) < 12:
            self.examples[reason].append(example)


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


def default_data_dir() -> Path:
    """Return the data folder: $OMS_DATA_DIR, else shared/data beside the project."""
    configured = os.environ.get("OMS_DATA_DIR", "").strip()
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR).parent / "shared" / "data"


def sample_data_dir() -> Path:
    """Return the folder of small sample files cut from the real data sets."""
    return Path(settings.BASE_DIR) / "tests" / "data"


def clean_text(value: str) -> str:
    """Collapse runs of whitespace and trim."""
    return " ".join((value or "").split())


def parse_customer_id(value: str) -> str | None:
    """Return a CustomerID as written by people ("17850"), or None when blank.

    The export writes IDs as floats ("17850.0"); many lines have none at all.
    """
    value = (value or "").strip()
    if not value:
        return None
    if value.endswith(".0") and is_digits(value[:-2]):
        return value[:-2]
    return value


def parse_weight_grams(quantity: str) -> int:
    """Read a pack size such as "150 g", "1 kg" or "75 cl" as grams (1 ml taken as 1 g)."""
    match = _QUANTITY.search(quantity or "")
    if not match:
        return 0
    number = float(match.group(1).replace(",", "."))
    unit = match.group(2).lower()
    unit = "l" if unit.startswith("lit") else unit
    return max(0, min(round(number * _GRAMS[unit]), 1_000_000))


def non_product_reason(code: str) -> str | None:
    """Tell why an Online Retail stock code is not a product, or None when it is one."""
    if code in NON_PRODUCT_CODES:
        return "not a product: postage, fees, discounts, adjustments"
    if code.startswith("GIFT_"):
        return "not a product: gift voucher"
    if not _STOCK_CODE.match(code):
        return "not a catalogue stock code"
    return None


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


def demo_price(sku: str) -> Decimal:
    """Return a plausible shelf price for a product whose data set has none."""
    rng = random.Random(f"{SEED}:price:{sku}")
    return Decimal(rng.randint(79, 1299)) / 100


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


# --- reading the data sets -------------------------------------------------------------------


def read_open_food_facts(path: Path) -> SourceResult:
    """Read the TAB-separated Open Food Facts export, keeping rows with a valid GTIN."""
    result = SourceResult(label="Open Food Facts", file=path.name)
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        header = handle.readline().rstrip("\r\n").split("\t")
        column = {name: index for index, name in enumerate(header)}
        rows = 0
        for line in handle:
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < len(header):
                parts += [""] * (len(header) - len(parts))
            rows += 1
            code = parts[column["code"]].strip()
            name = clean_text(parts[column["product_name"]])
            if not is_digits(code) or len(code) not in OFF_LENGTHS:
                length = f"{len(code)} digits" if is_digits(code) else "not digits"
                result.skip("unusual length (not EAN-8, UPC-A or EAN-13)", f"{code} ({length})")
                continue
            if not is_valid_gtin(code):
                kind = GTIN_LENGTHS[len(code)]
                result.skip("bad check digit", f"{code} ({kind})")
                continue
            if not name:
                result.skip("no product name", code)
                continue
            if seen & set(gtin_variants(code)):
                result.skip("duplicate barcode in the file", code)
                continue
            seen.update(gtin_variants(code))
            quantity = clean_text(parts[column["quantity"]])
            brands = [clean_text(b) for b in parts[column["brands"]].split(",") if b.strip()]
            full_name = name if not quantity or quantity in name else f"{name} {quantity}"
            generic = clean_text(parts[column["generic_name"]])
            about = [generic] if generic else []
            if brands:
                about.append(f"Brand: {', '.join(brands)}.")
            sku = f"OFF-{code}"
            result.candidates.append(
                Candidate(
                    sku=sku,
                    name=full_name[:255],
                    price=demo_price(sku),
                    barcode=code,
                    description=" ".join(about),
                    weight_grams=parse_weight_grams(quantity),
                    brand=brands[0] if brands else "",
                )
            )
    result.facts = {"rows": rows, "usable rows": len(result.candidates)}
    return result


def read_online_retail(path: Path) -> SourceResult:
    """Read the gzip CSV of Online Retail order lines into one product per stock code.

    Only sale lines count (numeric invoice, quantity and price above zero):
    cancellations (invoice "C..."), returns and write-offs (negative
    quantities) and free lines never make a product, a name or a price.
    Stock codes are compared upper-case ("85123a" is "85123A"). The name is
    the most common description of the code, the price its most common price.
    """
    result = SourceResult(label="Online Retail", file=path.name)
    descriptions: dict[str, Counter] = defaultdict(Counter)
    prices: dict[str, Counter] = defaultdict(Counter)
    lines_per_code: Counter = Counter()
    customers: set[str] = set()
    invoices: set[str] = set()
    facts = Counter()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader)]
        col = {name: index for index, name in enumerate(header)}
        i_invoice, i_code, i_desc = col["InvoiceNo"], col["StockCode"], col["Description"]
        i_qty, i_price, i_customer = col["Quantity"], col["UnitPrice"], col["CustomerID"]
        for row in reader:
            facts["lines"] += 1
            try:
                invoice, code = row[i_invoice].strip(), row[i_code].strip().upper()
                quantity, price = int(row[i_qty]), Decimal(row[i_price])
                customer = parse_customer_id(row[i_customer])
            except (IndexError, ValueError, InvalidOperation):
                facts["unreadable lines"] += 1
                continue
            if invoice.startswith("C"):
                facts["cancellation lines"] += 1
            if quantity < 0:
                facts["negative-quantity lines"] += 1
            if customer is None:
                facts["lines without CustomerID"] += 1
            else:
                customers.add(customer)
            invoices.add(invoice)
            lines_per_code[code] += 1
            if is_digits(invoice) and quantity > 0 and price > 0:
                description = clean_text(row[i_desc])
                if description:
                    descriptions[code][description] += 1
                prices[code][price] += 1
    sold: Counter = Counter()
    for code in sorted(lines_per_code):
        reason = non_product_reason(code)
        if reason:
            what = f" {NON_PRODUCT_CODES[code]}" if code in NON_PRODUCT_CODES else ""
            result.skip(reason, f"{code}{what} ({_lines(lines_per_code[code])})")
        elif not prices[code]:
            result.skip("never sold at a positive price", code)
        else:
            sold[code] = sum(prices[code].values())
    for code, _ in sorted(sold.items(), key=lambda item: (-item[1], item[0])):
        name = _most_common(descriptions[code]) or f"Stock code {code}"
        price = _most_common(prices[code])
        result.candidates.append(
            Candidate(sku=code, name=name[:255], price=price.quantize(Decimal("0.01")))
        )
    names = ["lines", "invoices", "cancellation lines", "negative-quantity lines"]
    names += ["lines without CustomerID", "customers", "unreadable lines"]
    facts.update(invoices=len(invoices), customers=len(customers))
    result.facts = {name: facts[name] for name in names if facts[name] or name != names[-1]}
    result.facts["usable stock codes"] = len(result.candidates)
    return result


def _most_common(counter: Counter):
    """Return the most frequent key; ties go to the smallest, so the result is stable."""
    if not counter:
        return None
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


# --- writing ---------------------------------------------------------------------------------


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


def _lines(count: int) -> str:
    return f"{count:,} line" if count == 1 else f"{count:,} lines"
