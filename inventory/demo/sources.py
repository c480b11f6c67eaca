"""Read the two public data sets the demo loads: Open Food Facts and UCI Online Retail.

Open Food Facts gives grocery products with real GTIN barcodes; Online
Retail gives a UK giftware catalogue (stock codes, descriptions, prices).
Both are read as they are, quirks included: codes with a wrong check digit
or an unusual length, cancellations, negative quantities, fees and postage
booked as stock codes. What is skipped is counted, with examples, under its
reason.
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings

from oms.barcodes import GTIN_LENGTHS, gtin_variants, is_digits, is_valid_gtin

OFF_FILE = "openfoodfacts.tsv"
RETAIL_FILE = "online-retail.csv.gz"
SEED = "oms-demo"

# Retail barcodes: EAN-8, UPC-A, EAN-13. GTIN-14 marks cases and pallets, not items.
OFF_LENGTHS = {8, 12, 13}

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


def demo_price(sku: str) -> Decimal:
    """Return a plausible shelf price for a product whose data set has none."""
    rng = random.Random(f"{SEED}:price:{sku}")
    return Decimal(rng.randint(79, 1299)) / 100


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


def _lines(count: int) -> str:
    return f"{count:,} line" if count == 1 else f"{count:,} lines"
