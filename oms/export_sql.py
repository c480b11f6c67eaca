"""CSV cells written by PostgreSQL itself: dates, numbers and flags come back as text.

An export spends most of its time in Python turning each datetime, decimal
and boolean into the text its widget writes. On PostgreSQL the same text is
asked of the database instead (``to_char`` for moments and days in the
current time zone, ``::text`` for numbers, ``CASE`` for flags), so each row
arrives as strings that csv.writer takes as they are. Only a column whose
widget and field this module knows is moved to SQL; any other column keeps
its widget's ``render`` in Python. SQLite keeps the Python path for all of
them. Text columns stay as read: oms.cells makes them safe in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Func, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from import_export import widgets

TEXT = "text"  # read as it is; made safe from formulas (oms.cells)
SQL = "sql"  # already written by the database, as the widget would
PYTHON = "python"  # written by the widget's render in Python

_TEXT_FIELDS = (models.CharField, models.TextField)
_NUMBER_FIELDS = (models.IntegerField, models.DecimalField)
# strftime codes PostgreSQL's to_char writes the same way (zero-padded numbers).
_TO_CHAR = {"Y": "YYYY", "m": "MM", "d": "DD", "H": "HH24", "M": "MI", "S": "SS"}
_FORMAT = re.compile(r"(?:%[YmdHMS]|[-/:. T])+")
_PLAIN_WIDGETS = (widgets.Widget, widgets.CharWidget)


@dataclass(frozen=True)
class Plan:
    """How each column is read: its name in the query and who writes it (TEXT, SQL or PYTHON)."""

    names: list[str]
    kinds: list[str]
    annotations: dict


def to_char_format(strftime: str) -> str | None:
    """Return the to_char pattern writing as ``strftime`` does, or None if it has other codes."""
    if not _FORMAT.fullmatch(strftime):
        return None
    out, i = [], 0
    while i < len(strftime):
        char = strftime[i]
        if char == "%":
            out.append(_TO_CHAR[strftime[i + 1]])
            i += 2
        else:
            # "T" is a literal here, quoted so to_char does not read it as a pattern.
            out.append('"T"' if char == "T" else char)
            i += 1
    return "".join(out)


class _ToChar(Func):
    function = "to_char"
    output_field = models.TextField()


class _AtTimeZone(Func):
    """``moment AT TIME ZONE 'Europe/London'``: the wall-clock time there, as localtime() gives."""

    template = "(%(expressions)s)"
    arg_joiner = " AT TIME ZONE "
    output_field = models.DateTimeField()


def _field_of(queryset, attribute: str):
    try:
        return F(attribute).resolve_expression(queryset.query).output_field
    except Exception:  # an attribute the query cannot name in SQL: the widget writes it
        return None


def _in_sql(widget, field, attribute: str):
    """Return the expression writing the column as its widget does, or None."""
    kind = type(widget)
    if kind in (widgets.DecimalWidget, widgets.IntegerWidget) or kind in _PLAIN_WIDGETS:
        if isinstance(field, _NUMBER_FIELDS):
            return Cast(F(attribute), models.TextField())
        return None
    if kind is widgets.BooleanWidget and isinstance(field, models.BooleanField):
        return Case(
            When(**{attribute: True}, then=Value("1")),
            When(**{attribute: False}, then=Value("0")),
            default=Value(""),
            output_field=models.TextField(),
        )
    if kind is widgets.DateTimeWidget and isinstance(field, models.DateTimeField):
        pattern = to_char_format(widget.formats[0])
        if pattern is None:
            return None
        moment = F(attribute)
        if settings.USE_TZ:
            moment = _AtTimeZone(moment, Value(timezone.get_current_timezone_name()))
        return _ToChar(moment, Value(pattern))
    if kind is widgets.DateWidget and type(field) is models.DateField:
        pattern = to_char_format(widget.formats[0])
        return None if pattern is None else _ToChar(F(attribute), Value(pattern))
    return None


def plan(queryset, attributes: list[str], field_widgets: list) -> Plan:
    """Return how to read these columns from this queryset on PostgreSQL."""
    names, kinds, annotations = [], [], {}
    for index, (attribute, widget) in enumerate(zip(attributes, field_widgets, strict=True)):
        field = _field_of(queryset, attribute)
        expression = None if field is None else _in_sql(widget, field, attribute)
        if expression is not None:
            name = f"_export_cell_{index}"
            annotations[name] = expression
            names.append(name)
            kinds.append(SQL)
        else:
            names.append(attribute)
            plain_text = type(widget) in _PLAIN_WIDGETS and isinstance(field, _TEXT_FIELDS)
            kinds.append(TEXT if plain_text else PYTHON)
    return Plan(names, kinds, annotations)
