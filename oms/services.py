"""Helpers every app's services share: permission checks and model validation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from oms.errors import InvalidInput, NotAllowed
from oms.models import Heartbeat
from oms.transactions import service, unit_of_work

__all__ = ["service", "unit_of_work"]  # and the helpers below

_WHOLE = re.compile(r"^\s*[+-]?\d{1,9}\s*$")


def require_perm(user, perm: str, message: str) -> None:
    """Refuse unless the user holds the permission; ``None`` is the system itself."""
    if user is None:
        return
    if not user.has_perm(perm):
        raise NotAllowed(message)


def validation_error_to_domain(error: ValidationError) -> InvalidInput:
    """Turn a Django ValidationError into an InvalidInput with a message per field."""
    if hasattr(error, "error_dict"):
        errors = {
            field: [msg for err in messages for msg in err.messages]
            for field, messages in error.error_dict.items()
        }
    else:
        errors = {"__all__": list(error.messages)}
    first = next(iter(errors.values()))[0]
    return InvalidInput(first, errors=errors)


def full_clean_or_raise(instance: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    """Run model validation, raising InvalidInput with the messages per field."""
    try:
        instance.full_clean(exclude=list(exclude or []))
    except ValidationError as error:
        raise validation_error_to_domain(error) from error


# The most units any one quantity (an order line, a receipt, a count, a pick) may name.
MAX_QUANTITY = 1_000_000
# The largest amount a money column (numeric(12,2)) holds.
MAX_MONEY = Decimal("9999999999.99")
# Free text with no column length of its own (notes, descriptions) is refused past this.
MAX_TEXT = 5000


def whole_number(
    value, *, field: str, label: str = "Quantity", minimum: int = 1, maximum: int = MAX_QUANTITY
) -> int:
    """Return value as a whole number of at least ``minimum``, or refuse it in plain words."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"{label} must be a whole number.", field=field)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.match(value):
        number = int(value)
    else:
        raise InvalidInput(f"{label} must be a whole number.", field=field)
    if number < minimum:
        if minimum == 0:
            raise InvalidInput(f"{label} cannot be negative.", field=field)
        raise InvalidInput(f"{label} must be at least {minimum}.", field=field)
    if number > maximum:
        raise InvalidInput(f"{label} cannot be more than {maximum:,}.", field=field)
    return number


# Ids are bigint columns (DEFAULT_AUTO_FIELD is BigAutoField).
MAX_ID = 2**63 - 1
_ID = re.compile(r"^\s*[0-9]{1,19}\s*$")


def parse_id(value, *, field: str = "id", label: str = "The id") -> int:
    """Return value as the id of a row (1 up to the id column's limit), or refuse it (400).

    Every id that arrives from outside (a URL, a form, a JSON body, a query
    string) goes through here, so ``abc``, ``-1``, ``1.5`` and a number past
    the column are refused alike before any query runs.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"{label} must be a whole number from 1.", field=field, code="bad_id")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _ID.match(value):
        number = int(value)
    else:
        raise InvalidInput(f"{label} must be a whole number from 1.", field=field, code="bad_id")
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(
            f"{label} must be a whole number from 1 to {MAX_ID:,}.", field=field, code="bad_id"
        )
    return number


def id_or_none(value) -> int | None:
    """Return value as the id of a row (see parse_id), or None when it cannot be one."""
    try:
        return parse_id(value)
    except InvalidInput:
        return None


HEARTBEAT_SOURCE_MAX_LENGTH = 100


def heartbeat_record(*, user, source: str = "") -> Heartbeat:
    """Record that an API client pinged: one Heartbeat row naming the user and source."""
    if user is None or not getattr(user, "pk", None):
        raise NotAllowed("Log in (or send your API token) to ping.")
    if not isinstance(source, str):
        raise InvalidInput("The source must be text, for example web-shop.", field="source")
    source = source.strip()
    if len(source) > HEARTBEAT_SOURCE_MAX_LENGTH:
        raise InvalidInput(
            f"The source can be at most {HEARTBEAT_SOURCE_MAX_LENGTH} characters long.",
            field="source",
        )
    return Heartbeat.objects.create(user=user, source=source)
