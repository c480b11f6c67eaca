"""Cells written to a CSV or XLSX file, kept from running as spreadsheet formulas.

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return, which some spreadsheets skip before reading one of those) is
run as a formula when the file is opened: a customer named
``=HYPERLINK("http://evil.example", "Click")`` would become a link in the
manager's spreadsheet. Such a cell is written with a leading apostrophe, the
mark spreadsheets read as "this is text" (the OWASP advice for CSV
injection). Plain numbers (``-12``, ``-4.50``, ``+3``) are left as they are:
they are data, not formulas.
"""

from __future__ import annotations

import re

DANGEROUS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def safe_text(value: str) -> str:
    """Return a text cell that a spreadsheet shows as text, never runs as a formula."""
    if value[:1] in DANGEROUS and value and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_cell(value):
    """Return the value with any formula-like text made safe; other values unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(row) -> list:
    """Return a row with every text cell made safe."""
    return [safe_text(v) if isinstance(v, str) else v for v in row]
