"""What the inventory API's modules share: the error answers they document, the ledger rows."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from inventory import selectors
from inventory.serializers.stock import MovementSerializer
from oms.api_schema import ErrorSerializer

BAD_INPUT = OpenApiResponse(ErrorSerializer, description="Bad input: a message per field.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role does not allow this.")
MISSING = OpenApiResponse(ErrorSerializer, description="A SKU, warehouse or bin is unknown.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="Clashes with the current state.")
WRITE_ERRORS = {400: BAD_INPUT, 403: FORBIDDEN, 404: MISSING, 409: CONFLICT}


def movements_out(movements) -> list[dict]:
    """Return ledger rows as the API shows them, read again with product, bin and user."""
    by_pk = {m.pk: m for m in selectors.movements().filter(pk__in=[m.pk for m in movements])}
    return [MovementSerializer(by_pk[m.pk]).data for m in movements]
