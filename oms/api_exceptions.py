"""Error JSON for the API: a message, a stable code and a message per field.

Every endpoint answers bad input in one shape (``oms.api_schema.ErrorSerializer``)::

    {"detail": "the first message", "code": "invalid",
     "errors": {"lines[0].quantity": ["..."], "customer.email": ["..."]}}

Fields of nested objects and lists are named by their dotted path
(``flatten_errors``); a view validates its input with ``validated``, and
whatever DRF or Django refuses on its own reaches the same shape through
``exception_handler``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from oms.errors import DomainError, InvalidInput

logger = logging.getLogger(__name__)


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """Return DRF's nested error detail as ``{"lines[0].sku": ["message"], ...}``.

    The errors of a nested object as a whole (its ``non_field_errors``) are
    named by the object's path; errors of the request as a whole are
    ``non_field_errors``.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = key if not prefix else f"{prefix}.{key}"
            if key == "non_field_errors" and prefix:
                name = prefix
            flat.update(flatten_errors(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            flat[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_errors(item, f"{prefix}[{index}]"))
    else:
        flat[prefix or "non_field_errors"] = [str(detail)]
    return flat


def invalid_input(detail) -> InvalidInput:
    """Return the 400 error for DRF's error detail: its first message, and every one by field."""
    errors = flatten_errors(detail)
    first = next(iter(errors.values()), None)
    return InvalidInput(first[0] if first else "Invalid input.", errors=errors)


def validated(serializer_class, data, **kwargs) -> dict:
    """Validate request data with the serializer, or refuse it with a message per field (400)."""
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise invalid_input(serializer.errors)
    return serializer.validated_data


def _invalid_body(error: InvalidInput) -> dict:
    """Return the body of a 400: like any domain error, and always with ``errors``."""
    return {"detail": error.message, "code": error.code, "errors": error.errors}


def exception_handler(exc, context):
    """Turn every error into JSON with a message (and one per field): never a 500 for bad input."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response(_invalid_body(invalid_input(detail)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        logger.warning("Integrity error turned into 409: %s", exc)
        return Response(
            {
                "detail": "This clashes with data saved at the same moment; try again.",
                "code": "conflict",
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, SuspiciousOperation):
        # Too many fields or too large a body (Django's DATA_UPLOAD_* limits), a bad header.
        return Response(
            {"detail": "The request is too large or malformed.", "code": "bad_request"},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _invalid_body(invalid_input(exc.detail))
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response
