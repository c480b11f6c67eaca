"""Bounded inputs for the API: every number, amount, text and moment has a limit.

Serializers and filters build their fields from these, so a value the
database could not hold (an id past bigint, a priority past smallint, an
amount past numeric(12,2), a time zone offset PostgreSQL refuses) is refused
with 400 and a message in the user's words before any query runs, and the
OpenAPI schema states each limit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oms.services import MAX_ID, MAX_MONEY, MAX_TEXT

# Real time zones lie between UTC-12 and UTC+14.
MAX_UTC_OFFSET = datetime.timedelta(hours=14)
MOMENT_OUT_OF_RANGE = "Give a date and time between the years 1 and 9999, with a real time zone."


def check_moment(value: datetime.datetime | None) -> datetime.datetime | None:
    """Return an aware moment the database can store, or refuse it (Django ValidationError)."""
    if value is None:
        return None
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            "A time zone offset lies between -12:00 and +14:00.", code="bad_offset"
        )
    try:
        value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        raise ValidationError(MOMENT_OUT_OF_RANGE, code="out_of_range") from None
    return value


def whole(
    label: str, *, minimum: int = 0, maximum: int = 1_000_000, **kwargs
) -> serializers.IntegerField:
    """Return a whole-number field from ``minimum`` to ``maximum``, refused in plain words."""
    not_whole = f"{label} must be a whole number."
    return serializers.IntegerField(
        min_value=minimum,
        max_value=maximum,
        error_messages={
            "invalid": not_whole,
            "max_string_length": not_whole,
            "min_value": (
                f"{label} cannot be negative."
                if minimum == 0
                else f"{label} must be at least {minimum:,}."
            ),
            "max_value": f"{label} cannot be more than {maximum:,}.",
        },
        **kwargs,
    )


def object_id(label: str, **kwargs) -> serializers.IntegerField:
    """Return a field for the id of a row: a whole number from 1 up to the id column's limit."""
    message = f"{label} must be an id: a whole number from 1."
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": message,
            "max_string_length": message,
            "min_value": message,
            "max_value": f"There is no {label.lower()} with that id.",
        },
        **kwargs,
    )


def money(label: str, *, minimum: Decimal = Decimal("0"), **kwargs) -> serializers.DecimalField:
    """Return an amount field with two decimals, from ``minimum`` up to what a column holds."""
    amount = f"{label} must be an amount such as 19.80."
    return serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=minimum,
        max_value=MAX_MONEY,
        error_messages={
            "invalid": amount,
            "max_string_length": amount,
            "max_digits": f"{label} cannot be more than {MAX_MONEY:,}.",
            "max_whole_digits": f"{label} cannot be more than {MAX_MONEY:,}.",
            "max_decimal_places": f"{label} can have at most two decimals.",
            "min_value": f"{label} cannot be less than {minimum}.",
            "max_value": f"{label} cannot be more than {MAX_MONEY:,}.",
        },
        **kwargs,
    )


def text(*, max_length: int = MAX_TEXT, **kwargs) -> serializers.CharField:
    """Return a text field that is never longer than ``max_length``."""
    return serializers.CharField(max_length=max_length, **kwargs)


class MomentField(serializers.DateTimeField):
    """A date and time the database can store: a real time zone, years 1 to 9999."""

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        try:
            return check_moment(moment)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class MomentFormField(forms.DateTimeField):
    """The form field behind MomentFilter."""

    def to_python(self, value):
        return check_moment(super().to_python(value))


@extend_schema_field(OpenApiTypes.DATETIME)
class MomentFilter(filters.DateTimeFilter):
    """Filter on a date and time, refusing one the database cannot compare (400)."""

    field_class = MomentFormField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """Filter on the id of a row: a whole number from 1 up to the id column's limit."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
