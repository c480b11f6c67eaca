"""Read GS1-128 barcodes: application identifiers, their data, and GS1 dates.

A GS1-128 code carries several fields, each led by an application
identifier (AI): GTIN (01), batch (10), use-by date (17), serial (21) ...
It arrives raw (``]C1`` prefix, group separator 0x1D ending variable-length
fields) or human-readable (``(01)...(10)...``). Everything here is a pure
function; ``oms.scanning`` uses it to tell what a scan is.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from oms.barcodes import gtin_check_digit, is_digits

GS = "\x1d"
SYMBOLOGY_PREFIXES = ("]C1", "]e0", "]d2", "]Q3")

_HUMAN_GS1 = re.compile(r"^(\(\d{2,4}\)[^()]*)+$")
_HUMAN_GS1_PART = re.compile(r"\((\d{2,4})\)([^()]*)")


class ScanError(ValueError):
    """A scanned string that cannot be read; the message says why in plain words."""


def printable(text: str) -> str:
    """Return text with control characters spelled out, e.g. <1D> for a group separator."""
    return "".join(char if char.isprintable() else f"<{ord(char):02X}>" for char in text)


def is_valid_gtin_like(digits: str) -> bool:
    """Tell whether a run of digits ends with a correct GS1 mod-10 check digit (SSCC, GSIN)."""
    return (
        is_digits(digits) and len(digits) >= 2 and gtin_check_digit(digits[:-1]) == int(digits[-1])
    )


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
DATE_AIS = {"11", "12", "13", "15", "16", "17"}
_NUMERIC_AIS = {"00", "01", "02", "11", "12", "13", "15", "16", "17", "20", "30", "37"}


def _measure_ai(ai: str) -> tuple[str, int | None, int] | None:
    """Return the table row for an AI, including the 4-digit measure AIs 310n-369n."""
    if ai in _AI_TABLE:
        return _AI_TABLE[ai]
    if len(ai) == 4 and is_digits(ai) and 310 <= int(ai[:3]) <= 369:
        return ("MEASURE", 6, 6)
    return None


def _measure_ai(ai: str) -> tuple[str, int | None, int] | None:
    """Return the table row for an AI, including the 4-digit measure AIs 310n-369n."""
    if ai in _AI_TABLE:
        return _AI_TABLE[ai]
    if len(ai) == 4 and is_digits(ai) and 310 <= int(ai[:3]) <= 369:
        return ("MEASURE", 6, 6)
    return None


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
    shown = printable(text[position : position + 4])
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
