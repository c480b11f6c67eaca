"""Read order lines shaped like the UCI Online Retail data set into invoices.

Columns: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
CustomerID, Country. The rules, applied by the history import and the
managers' marketplace import alike:

- an invoice is one order; lines keep their order in the file;
- an invoice number starting with ``C`` is a cancellation or return of goods
  sold earlier (``Invoice.credit``); its quantities are negative;
- ``CustomerID`` is written as ``17850.0``: it becomes ``17850``; an empty one
  makes a guest order;
- stock codes that are money or services (``NON_PRODUCT_CODES``: postage,
  discounts, fees, ...) are not goods: postage becomes the order's shipping
  price, the rest are left out and counted; on a C-invoice they are kept
  apart (``Invoice.charges``) for the returns it makes to count, and its
  postage may be refunded as shipping;
- a negative quantity on an ordinary invoice is a stock write-off recorded as
  a sale (no customer, no price): left out and counted;
- times are the shop's local time (Europe/London).

Every row that cannot be read (bad number, bad date) is refused with its line
number; nothing else in the file is dropped silently.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from inventory.demo.sources import NON_PRODUCT_CODES

SHOP_TIME = ZoneInfo("Europe/London")
POSTAGE_CODES = {"POST", "DOT", "C2"}
COLUMNS = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]
HOME_COUNTRY = "GB"
ZERO = Decimal("0.00")
COUNTRIES = {
    "Australia": "AU",
    "Austria": "AT",
    "Bahrain": "BH",
    "Belgium": "BE",
    "Brazil": "BR",
    "Canada": "CA",
    "Channel Islands": "JE",
    "Cyprus": "CY",
    "Czech Republic": "CZ",
    "Denmark": "DK",
    "EIRE": "IE",
    "European Community": "EU",
    "Finland": "FI",
    "France": "FR",
    "Germany": "DE",
    "Greece": "GR",
    "Hong Kong": "HK",
    "Iceland": "IS",
    "Israel": "IL",
    "Italy": "IT",
    "Japan": "JP",
    "Lebanon": "LB",
    "Lithuania": "LT",
    "Malta": "MT",
    "Netherlands": "NL",
    "Norway": "NO",
    "Poland": "PL",
    "Portugal": "PT",
    "RSA": "ZA",
    "Saudi Arabia": "SA",
    "Singapore": "SG",
    "Spain": "ES",
    "Sweden": "SE",
    "Switzerland": "CH",
    "USA": "US",
    "United Arab Emirates": "AE",
    "United Kingdom": "GB",
    "Unspecified": "ZZ",
}


@dataclass
class Line:
    stock_code: str
    description: str
    quantity: int
    unit_price: Decimal


@dataclass
class Invoice:
    number: str
    placed_at: datetime
    customer_id: str  # "" for a guest
    country: str  # ISO code (ZZ: not given)
    country_name: str
    lines: list[Line] = field(default_factory=list)
    shipping: Decimal = Decimal("0.00")
    charges: list[Line] = field(default_factory=list)  # a C-invoice's money and service lines

    @property
    def credit(self) -> bool:
        """Tell whether this is a cancellation or return (a C-invoice)."""
        return self.number.startswith("C")

    @property
    def channel(self) -> str:
        """Return the channel by the rule: abroad is marketplace, home with an account web, else phone."""
        if self.country != HOME_COUNTRY:
            return "marketplace"
        return "web" if self.customer_id else "phone"


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class Reading:
    invoices: list[Invoice]
    errors: list[RowError]
    skipped: Counter
    rows: int


def open_text(path: Path):
    """Open the data set, gzipped or not, as text."""
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def _quantity(raw: str) -> int:
    number = int(raw)
    if abs(number) > 1_000_000:
        raise ValueError("a quantity beyond a million")
    return number


def _price(raw: str, _seen: dict = {}) -> Decimal:  # noqa: B006  (a cache: prices repeat)
    price = _seen.get(raw)
    if price is None:
        price = Decimal(raw.strip())
        if not price.is_finite() or abs(price) >= Decimal("100000"):
            raise InvalidOperation
        price = price.quantize(Decimal("0.01"))
        if len(_seen) < 100_000:
            _seen[raw] = price
    return price


def _moment(raw: str, _seen: dict = {}) -> datetime:  # noqa: B006  (a cache: rows share times)
    moment = _seen.get(raw)
    if moment is None:
        moment = datetime.strptime(raw.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHOP_TIME)
        if len(_seen) < 100_000:
            _seen[raw] = moment
    return moment


def _customer(raw: str, _seen: dict = {}) -> str:  # noqa: B006  (a cache: customers repeat)
    known = _seen.get(raw)
    if known is not None:
        return known
    text = raw.strip()
    if text:
        number = Decimal(text)
        if number != number.to_integral_value() or number <= 0 or number >= 10**12:
            raise InvalidOperation
        text = str(int(number))
    if len(_seen) < 100_000:
        _seen[raw] = text
    return text


def read_invoices(
    source, *, since: date | None = None, limit: int | None = None, first_line: int = 2
) -> Reading:
    """Read a file (path or text stream) into invoices, refusing unreadable rows by line number.

    ``since`` keeps invoices dated that day or later; ``limit`` stops after that
    many data rows have been read (whole invoices only).
    """
    stream = open_text(Path(source)) if isinstance(source, str | Path) else source
    if isinstance(stream, io.BufferedIOBase):
        stream = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    invoices: dict[str, Invoice] = {}
    # ISO dates compare as text: rows before ``since`` are passed over without parsing.
    since_text = since.isoformat() if since else ""
    errors: list[RowError] = []
    skipped: Counter = Counter()
    rows = 0
    with stream:
        reader = csv.reader(stream)
        header = next(reader, [])
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            return Reading([], [RowError(1, f"Missing columns: {', '.join(missing)}.")], skipped, 0)
        at = [header.index(name) for name in COLUMNS]
        width = max(at) + 1
        pick = itemgetter(*at)
        for number, row in enumerate(reader, start=first_line):
            if len(row) < width:
                errors.append(RowError(number, "The row has fewer columns than the header."))
                continue
            invoice_no, code, description, quantity, moment, price, customer, country = pick(row)
            invoice_no = invoice_no.strip()
            if limit is not None and rows >= limit and invoice_no not in invoices:
                break
            rows += 1
            if since_text and moment[:10] < since_text:
                skipped["before the start date"] += 1
                continue
            try:
                placed_at = _moment(moment)
                quantity = _quantity(quantity)
                price = _price(price)
                customer_id = _customer(customer)
            except (ValueError, InvalidOperation):
                errors.append(
                    RowError(
                        number,
                        "A number or date cannot be read (Quantity, UnitPrice, InvoiceDate, "
                        "CustomerID).",
                    )
                )
                continue
            if not invoice_no or len(invoice_no) > 20:
                errors.append(RowError(number, "InvoiceNo is missing or too long."))
                continue
            if since is not None and placed_at.date() < since:
                skipped["before the start date"] += 1
                continue
            invoice = invoices.get(invoice_no)
            if invoice is None:
                country = country.strip()
                invoice = invoices[invoice_no] = Invoice(
                    number=invoice_no,
                    placed_at=placed_at,
                    customer_id=customer_id,
                    country=COUNTRIES.get(country, "ZZ"),
                    country_name=country or "Unspecified",
                )
            code = code.strip().upper()[:64]
            if code in POSTAGE_CODES and not invoice.credit:
                invoice.shipping += price * max(quantity, 0)
                continue
            if code in NON_PRODUCT_CODES and invoice.credit:
                invoice.charges.append(Line(code, code, quantity, price))
                continue
            if code in NON_PRODUCT_CODES or not code:
                skipped[f"not goods ({NON_PRODUCT_CODES.get(code, 'no stock code')})"] += 1
                continue
            if quantity == 0:
                skipped["a quantity of zero"] += 1
                continue
            if quantity < 0 and not invoice.credit:
                skipped["a write-off recorded as a sale"] += 1
                continue
            description = " ".join(description.split())[:255] or code
            invoice.lines.append(Line(code, description, quantity, max(price, ZERO)))
    kept = [invoice for invoice in invoices.values() if invoice.lines or invoice.charges]
    skipped["invoices with nothing but charges"] += len(invoices) - len(kept)
    return Reading(kept, errors, skipped, rows)
