"""Tell what a scanned (or typed) string is: a command, a bin, a product or a document.

A keyboard-wedge scanner types the code and presses Enter, so the scan
screens receive plain strings. ``recognise`` turns one into a ``Scan``
without touching the database; the caller then looks the bin or product
up. Everything here is a pure function.

Understood:

- command barcodes ``CMD-DONE``, ``CMD-UNDO``, ``CMD-SHORT``, ``CMD-NEW-PARCEL`` ...
- bin labels ``BIN-<warehouse>-<code>`` and bare bin codes shaped like ``A-01-03``
- product codes: EAN-13, UPC-A, EAN-8, GTIN-14 (check digit verified) or Code 128 text
- GS1-128 with application identifiers, raw (``]C1`` prefix, group separator
  0x1D ending variable-length fields) or human-readable (``(01)...(10)...``), read by
  ``oms.gs1``
- document numbers: orders ``SO-000123``, purchase orders ``PO-000001``, returns ``RMA-000001``
- a quantity typed before a product code: ``5*4006381333931``, ``5x...``
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from oms.barcodes import (
    GTIN_LENGTHS,
    MAX_CODE128_LENGTH,
    gtin_check_digit,
    is_digits,
    is_valid_gtin,
)
from oms.gs1 import (
    DATE_AIS,
    GS,
    SYMBOLOGY_PREFIXES,
    ScanError,
    gs1_date,
    is_valid_gtin_like,
    parse_gs1,
    printable,
)

__all__ = [
    "GS",
    "Command",
    "DocumentType",
    "Scan",
    "ScanError",
    "ScanKind",
    "gs1_date",
    "is_valid_gtin_like",
    "parse_gs1",
    "recognise",
]

MAX_SCAN_LENGTH = 200
MAX_PREFIX_QUANTITY = 100_000


class ScanKind(StrEnum):
    EMPTY = "empty"
    INVALID = "invalid"
    COMMAND = "command"
    BIN = "bin"
    PRODUCT = "product"
    DOCUMENT = "document"
    SSCC = "sscc"


class Command(StrEnum):
    DONE = "DONE"
    UNDO = "UNDO"
    SHORT = "SHORT"
    NEW_PARCEL = "NEW-PARCEL"
    CANCEL = "CANCEL"
    SKIP = "SKIP"
    RESTOCK = "RESTOCK"
    SCRAP = "SCRAP"
    QUARANTINE = "QUARANTINE"
    REPLACE = "REPLACE"


class DocumentType(StrEnum):
    ORDER = "order"
    PURCHASE_ORDER = "purchase_order"
    RETURN = "return"


DOCUMENT_PREFIXES = {
    "SO": DocumentType.ORDER,
    "PO": DocumentType.PURCHASE_ORDER,
    "RMA": DocumentType.RETURN,
}

_QUANTITY_PREFIX = re.compile(r"^\s*(\d{1,9})\s*[*xX\u00d7]\s*(\S.*)$")
_DOCUMENT = re.compile(r"^(?P<prefix>[A-Z]{2,3})-(?P<number>\d{1,12})$")
# A bare bin code: a letter aisle (with an optional digit) and two or three number groups.
_BIN_SHAPE = re.compile(r"^[A-Z]{1,3}\d{0,2}(-\d{1,4}){2,3}$")
_HUMAN_GS1_START = re.compile(r"^\(\d{2,4}\)")


@dataclass(frozen=True)
class Scan:
    """What one scanned string turned out to be.

    ``value`` is the part to look up: the command name, the bin barcode or
    code, the product code (a GTIN as scanned, or Code 128 text), the
    document number. ``ambiguous`` is set when a bare code may be either a
    bin or a product, so the caller should try the other when the first
    lookup finds nothing.
    """

    raw: str
    kind: ScanKind
    value: str = ""
    quantity: int | None = None
    symbology: str = ""
    command: Command | None = None
    warehouse_code: str = ""
    bin_code: str = ""
    document_type: DocumentType | None = None
    gtin: str = ""
    batch: str = ""
    expiry: date | None = None
    serial: str = ""
    ais: dict[str, str] = field(default_factory=dict)
    ambiguous: bool = False
    error: str = ""

    @property
    def is_valid(self) -> bool:
        return self.kind not in {ScanKind.EMPTY, ScanKind.INVALID}

    @property
    def display(self) -> str:
        """Return the code as a person would read it (GS1 in the bracketed form)."""
        if self.symbology == "gs1-128" and self.ais:
            return "".join(f"({ai}){data}" for ai, data in self.ais.items())
        return self.value or printable(self.raw)


def _invalid(raw: str, message: str) -> Scan:
    return Scan(raw=raw, kind=ScanKind.INVALID, error=message)


def recognise(code: str, *, today: date | None = None) -> Scan:
    """Tell what a scanned or typed string is; never raises for bad input.

    ``today`` anchors the century of two-digit GS1 years (default: today).
    """
    raw = code if isinstance(code, str) else ""
    text = raw.strip(" \t\r\n")
    if not text:
        return Scan(raw=raw, kind=ScanKind.EMPTY, error="Nothing was scanned.")
    if len(text) > MAX_SCAN_LENGTH:
        return _invalid(raw, "That code is far too long to be a barcode. Scan it again.")

    quantity = None
    match = _QUANTITY_PREFIX.match(text)
    if match and not text.upper().startswith(("CMD-", "BIN-")):
        quantity = int(match.group(1))
        text = match.group(2).strip()
        if quantity < 1:
            return _invalid(raw, "A quantity before a code must be at least 1.")
        if quantity > MAX_PREFIX_QUANTITY:
            return _invalid(
                raw, f"A quantity before a code cannot be more than {MAX_PREFIX_QUANTITY:,}."
            )

    try:
        scan = _recognise_code(raw, text, today=today)
    except ScanError as error:
        return _invalid(raw, str(error))
    if quantity is not None:
        if scan.kind is not ScanKind.PRODUCT:
            return _invalid(
                raw, "A quantity can only go before a product code, as in 5*4006381333931."
            )
        scan = replace(scan, quantity=quantity)
    return scan


def _recognise_code(raw: str, text: str, *, today: date | None) -> Scan:
    if text.startswith(SYMBOLOGY_PREFIXES) or GS in text or _HUMAN_GS1_START.match(text):
        return _recognise_gs1(raw, text, today=today)
    if any(not char.isprintable() for char in text):
        raise ScanError(
            "The scan contained control characters. Check the scanner settings and scan again."
        )
    upper = text.upper()
    if upper.startswith("CMD-"):
        return _recognise_command(raw, upper)
    if upper.startswith("BIN-"):
        return _recognise_bin_label(raw, upper)
    if is_digits(text):
        return _recognise_digits(raw, text, today=today)
    if any(char.isspace() for char in text):
        raise ScanError(
            f"{text!r} is not a barcode: codes have no spaces. Scan the barcode, or type it exactly."
        )
    if len(text) > MAX_CODE128_LENGTH:
        raise ScanError(f"A product or bin code is at most {MAX_CODE128_LENGTH} characters long.")
    document = _DOCUMENT.match(upper)
    if document and document.group("prefix") in DOCUMENT_PREFIXES:
        return Scan(
            raw=raw,
            kind=ScanKind.DOCUMENT,
            value=upper,
            document_type=DOCUMENT_PREFIXES[document.group("prefix")],
        )
    if _BIN_SHAPE.match(upper):
        return Scan(raw=raw, kind=ScanKind.BIN, value=upper, bin_code=upper, ambiguous=True)
    return Scan(raw=raw, kind=ScanKind.PRODUCT, value=text, symbology="code128", ambiguous=True)


def _recognise_command(raw: str, upper: str) -> Scan:
    name = upper[len("CMD-") :]
    try:
        command = Command(name)
    except ValueError:
        known = ", ".join(f"CMD-{c.value}" for c in Command)
        raise ScanError(f"{upper} is not a command this system knows ({known}).") from None
    return Scan(raw=raw, kind=ScanKind.COMMAND, value=upper, command=command)


def _recognise_bin_label(raw: str, upper: str) -> Scan:
    rest = upper[len("BIN-") :]
    warehouse_code, _, bin_code = rest.partition("-")
    if not warehouse_code or not bin_code or any(char.isspace() for char in rest):
        raise ScanError(
            f"{upper} is not a complete bin label: expected BIN-<warehouse>-<bin>, "
            "for example BIN-MAIN-A-01-03."
        )
    return Scan(
        raw=raw, kind=ScanKind.BIN, value=upper, warehouse_code=warehouse_code, bin_code=bin_code
    )


def _recognise_digits(raw: str, text: str, *, today: date | None) -> Scan:
    if len(text) in GTIN_LENGTHS:
        name = GTIN_LENGTHS[len(text)]
        if not is_valid_gtin(text):
            expected = gtin_check_digit(text[:-1])
            raise ScanError(
                f"{text} is not a valid {name}: its check digit should be {expected}, "
                f"not {text[-1]}. Scan it again."
            )
        symbology = {8: "ean8", 12: "upca", 13: "ean13", 14: "gtin14"}[len(text)]
        return Scan(raw=raw, kind=ScanKind.PRODUCT, value=text, symbology=symbology, gtin=text)
    if text.startswith(("01", "02")) and len(text) >= 16 and is_valid_gtin(text[2:16]):
        # GS1-128 sent without its ]C1 symbology identifier.
        return _recognise_gs1(raw, text, today=today)
    if text.startswith("00") and len(text) == 20 and is_valid_gtin_like(text[2:]):
        return _recognise_gs1(raw, text, today=today)
    if len(text) > MAX_CODE128_LENGTH:
        raise ScanError(f"A product code is at most {MAX_CODE128_LENGTH} characters long.")
    return Scan(raw=raw, kind=ScanKind.PRODUCT, value=text, symbology="code128", ambiguous=True)


def _recognise_gs1(raw: str, text: str, *, today: date | None) -> Scan:
    fields = parse_gs1(text)
    gtin = fields.get("01") or fields.get("02") or ""
    if gtin and not is_valid_gtin(gtin):
        expected = gtin_check_digit(gtin[:-1])
        raise ScanError(
            f"The product number (01) {gtin} has a wrong check digit: it should end in "
            f"{expected}. Scan it again."
        )
    for ai in DATE_AIS & fields.keys():
        gs1_date(fields[ai], today=today)  # refuse impossible dates
    expiry = gs1_date(fields["17"], today=today) if "17" in fields else None
    common = {
        "raw": raw,
        "symbology": "gs1-128",
        "ais": fields,
        "batch": fields.get("10", ""),
        "serial": fields.get("21", ""),
        "expiry": expiry,
    }
    if gtin:
        return Scan(kind=ScanKind.PRODUCT, value=gtin, gtin=gtin, **common)
    if "00" in fields:
        sscc = fields["00"]
        if not is_valid_gtin_like(sscc):
            raise ScanError(f"The shipping container code (00) {sscc} has a wrong check digit.")
        return Scan(kind=ScanKind.SSCC, value=sscc, **common)
    raise ScanError("This GS1 barcode has no product number (01). Scan the product's own barcode.")
