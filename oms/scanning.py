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
  0x1D ending variable-length fields) or human-readable (``(01)...(10)...``)
- document numbers: orders ``SO-000123``, purchase orders ``PO-000001``
- a quantity typed before a product code: ``5*4006381333931``, ``5x...``
"""

from __future__ import annotations

import calendar
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

GS = "\x1d"
SYMBOLOGY_PREFIXES = ("]C1", "]e0", "]d2", "]Q3")
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


class DocumentType(StrEnum):
    ORDER = "order"
    PURCHASE_ORDER = "purchase_order"


DOCUMENT_PREFIXES = {
    "SO": DocumentType.ORDER,
    "PO": DocumentType.PURCHASE_ORDER,
}

_QUANTITY_PREFIX = re.compile(r"^\s*(\d{1,9})\s*[*xX\u00d7]\s*(\S.*)$")
_DOCUMENT = re.compile(r"^(?P<prefix>[A-Z]{2,3})-(?P<number>\d{1,12})$")
# A bare bin code: a letter aisle (with an optional digit) and two or three number groups.
_BIN_SHAPE = re.compile(r"^[A-Z]{1,3}\d{0,2}(-\d{1,4}){2,3}$")
_HUMAN_GS1 = re.compile(r"^(\(\d{2,4}\)[^()]*)+$")
_HUMAN_GS1_PART = re.compile(r"\((\d{2,4})\)([^()]*)")
_HUMAN_GS1_START = re.compile(r"^\(\d{2,4}\)")

# Application identifiers: AI -> (title, fixed length of the data, or None when variable,
# maximum length). Fixed-length fields are not ended by a group separator.
_AI_TABLE: dict[str, tuple[str, int | None, int]] = {
    "00": ("SSCC", 18, 18),
    "01": ("GTIN", 14, 14),
    "02": ("CONTENT", 14, 14),
    "10": ("BATCH/LOT", None, 20),
    "11": ("PROD DATE", 6, 6),
    "12": ("DUE DATE", 6, 6),
    "13": ("PACK DATE", 6, 6),
    "15": ("BEST BEFORE", 6, 6),
    "16": ("SELL BY", 6, 6),
    "17": ("USE BY", 6, 6),
    "20": ("VARIANT", 2, 2),
    "21": ("SERIAL", None, 20),
    "22": ("CPV", None, 20),
    "30": ("VAR. COUNT", None, 8),
    "37": ("COUNT", None, 8),
    "240": ("ADDITIONAL ID", None, 30),
    "241": ("CUST. PART No.", None, 30),
    "250": ("SECONDARY SERIAL", None, 30),
    "251": ("REF. TO SOURCE", None, 30),
    "400": ("ORDER NUMBER", None, 30),
    "401": ("GINC", None, 30),
    "402": ("GSIN", 17, 17),
    "403": ("ROUTE", None, 30),
    "410": ("SHIP TO LOC", 13, 13),
    "411": ("BILL TO", 13, 13),
    "412": ("PURCHASE FROM", 13, 13),
    "413": ("SHIP FOR LOC", 13, 13),
    "414": ("LOC No.", 13, 13),
    "415": ("PAY TO", 13, 13),
    "420": ("SHIP TO POST", None, 20),
    "422": ("ORIGIN", 3, 3),
}
_DATE_AIS = {"11", "12", "13", "15", "16", "17"}
_NUMERIC_AIS = {"00", "01", "02", "11", "12", "13", "15", "16", "17", "20", "30", "37"}


def _measure_ai(ai: str) -> tuple[str, int | None, int] | None:
    """Return the table row for an AI, including the 4-digit measure AIs 310n-369n."""
    if ai in _AI_TABLE:
        return _AI_TABLE[ai]
    if len(ai) == 4 and is_digits(ai) and 310 <= int(ai[:3]) <= 369:
        return ("MEASURE", 6, 6)
    return None


class ScanError(ValueError):
    """A scanned string that cannot be read; the message says why in plain words."""


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
        return self.value or _printable(self.raw)


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else f"<{ord(char):02X}>" for char in text)


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


def is_valid_gtin_like(digits: str) -> bool:
    """Tell whether a run of digits ends with a correct GS1 mod-10 check digit (SSCC, GSIN)."""
    return (
        is_digits(digits) and len(digits) >= 2 and gtin_check_digit(digits[:-1]) == int(digits[-1])
    )


# --- GS1-128 ----------------------------------------------------------------------------------


def parse_gs1(text: str) -> dict[str, str]:
    """Split a GS1-128 string into {AI: data}, raw or human-readable; raise ScanError if unreadable."""
    text = text.strip()
    for prefix in SYMBOLOGY_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if text.startswith("("):
        return _parse_gs1_human(text)
    return _parse_gs1_raw(text)


def _parse_gs1_human(text: str) -> dict[str, str]:
    if not _HUMAN_GS1.match(text):
        raise ScanError("That GS1 code is not readable: brackets do not match.")
    fields: dict[str, str] = {}
    for ai, data in _HUMAN_GS1_PART.findall(text):
        _store_ai(fields, ai, data.strip().rstrip(GS))
    return fields


def _parse_gs1_raw(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        if text[position] == GS:  # a stray separator (some scanners send one first)
            position += 1
            continue
        ai, row = _read_ai(text, position)
        position += len(ai)
        _, fixed, maximum = row
        if fixed is not None:
            data = text[position : position + fixed]
            position += fixed
            if position < len(text) and text[position] == GS:
                position += 1
        else:
            end = text.find(GS, position)
            end = len(text) if end == -1 else end
            data = text[position:end]
            if len(data) > maximum:
                raise ScanError(
                    f"GS1 field ({ai}) is longer than {maximum} characters: a group separator "
                    "is probably missing. Check the scanner settings."
                )
            position = end + 1
        _store_ai(fields, ai, data)
    if not fields:
        raise ScanError("That GS1 code holds no data.")
    return fields


def _read_ai(text: str, position: int) -> tuple[str, tuple[str, int | None, int]]:
    for length in (2, 3, 4):
        ai = text[position : position + length]
        if len(ai) == length and is_digits(ai):
            row = _measure_ai(ai)
            if row is not None:
                return ai, row
    shown = _printable(text[position : position + 4])
    raise ScanError(
        f"The GS1 code has an application identifier this system does not know ({shown}…)."
    )


def _store_ai(fields: dict[str, str], ai: str, data: str) -> None:
    row = _measure_ai(ai)
    if row is None:
        raise ScanError(
            f"The GS1 code has an application identifier this system does not know ({ai})."
        )
    title, fixed, maximum = row
    if fixed is not None and len(data) != fixed:
        raise ScanError(f"GS1 field ({ai}) {title} must be {fixed} characters, not {len(data)}.")
    if not data:
        raise ScanError(f"GS1 field ({ai}) {title} is empty.")
    if len(data) > maximum:
        raise ScanError(f"GS1 field ({ai}) {title} is longer than {maximum} characters.")
    if (ai in _NUMERIC_AIS or len(ai) == 4 or fixed == 13) and not is_digits(data):
        raise ScanError(f"GS1 field ({ai}) {title} must be digits only.")
    if any(not char.isprintable() for char in data):
        raise ScanError(f"GS1 field ({ai}) {title} contains control characters.")
    if ai in fields:
        raise ScanError(f"The GS1 code holds field ({ai}) twice.")
    fields[ai] = data


def gs1_date(yymmdd: str, *, today: date | None = None) -> date:
    """Return the date of a GS1 YYMMDD field; day 00 means the last day of the month.

    The century follows the GS1 rule: a year more than 50 years ahead of
    ``today`` belongs to the previous century, one more than 49 years behind
    to the next.
    """
    if len(yymmdd) != 6 or not is_digits(yymmdd):
        raise ScanError(f"{yymmdd!r} is not a date in the form YYMMDD.")
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    today = today or date.today()
    century = today.year // 100 * 100
    difference = yy - today.year % 100
    if difference > 50:
        century -= 100
    elif difference < -49:
        century += 100
    year = century + yy
    if not 1 <= month <= 12:
        raise ScanError(f"{yymmdd} is not a date: there is no month {month:02d}.")
    last_day = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last_day
    if day > last_day:
        raise ScanError(f"{yymmdd} is not a date: month {month:02d} has {last_day} days.")
    return date(year, month, day)


def _recognise_gs1(raw: str, text: str, *, today: date | None) -> Scan:
    fields = parse_gs1(text)
    gtin = fields.get("01") or fields.get("02") or ""
    if gtin and not is_valid_gtin(gtin):
        expected = gtin_check_digit(gtin[:-1])
        raise ScanError(
            f"The product number (01) {gtin} has a wrong check digit: it should end in "
            f"{expected}. Scan it again."
        )
    for ai in _DATE_AIS & fields.keys():
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
