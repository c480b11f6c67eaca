"""Idempotency keys for API writes: a retried request returns the first answer.

A client sends ``Idempotency-Key: <any string up to 255 characters>`` with a
POST. The key is stored per user together with a SHA-256 hash of the request
(method, path and the JSON body with sorted keys):

* same key, same request: the first response (status code and body) comes
  back again and nothing new is created; the reply carries
  ``Idempotent-Replayed: true``;
* same key, another request: 422, because the client is reusing a key by
  mistake;
* a request that fails (400, 403, 409, ...) stores nothing: the whole
  transaction rolls back with it, so the client may fix the request and
  retry with the same key.

Concurrency: the key row is inserted first, inside the same transaction as
the work. A second request with the same key blocks on the unique index
until the first commits, then fails to insert, reads the stored answer and
replays it (or runs the work itself when the first rolled back).

Keys live 24 hours (``KEY_LIFETIME``): after that the same key may be used
for a new request. ``manage.py purge_idempotency_keys`` deletes the expired
rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from oms.errors import Conflict, DomainError, InvalidInput
from oms.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID is ideal). Retrying the same request with the same key "
        "returns the first response and creates nothing new; reusing the key for a "
        "different request answers 422. Keys expire after 24 hours."
    ),
)


class KeyReused(DomainError):
    """The idempotency key was already used for a different request (HTTP 422)."""

    status_code = 422
    default_code = "idempotency_key_reused"


def canonical_body(data) -> str:
    """Return the request body as JSON with sorted keys, the same for equal bodies."""
    if hasattr(data, "lists"):  # a QueryDict from a form post
        data = {key: values if len(values) != 1 else values[0] for key, values in data.lists()}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_hash(*, method: str, path: str, data) -> str:
    """Return the SHA-256 hex digest that identifies a request for its idempotency key."""
    text = f"{method.upper()}\n{path}\n{canonical_body(data)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replay(record: IdempotencyKey) -> Response:
    return Response(
        json.loads(record.response_body) if record.response_body else None,
        status=record.response_status,
        headers={REPLAYED_HEADER: "true"},
    )


def _claim(*, user, key: str, fingerprint: str, method: str, path: str):
    """Insert the key row, or return the stored row of an earlier request with the key."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user, key=key, request_hash=fingerprint, method=method, path=path
            ), False
    except IntegrityError:
        pass
    record = IdempotencyKey.objects.select_for_update().get(user=user, key=key)
    if record.created_at < timezone.now() - KEY_LIFETIME:
        record.request_hash, record.method, record.path = fingerprint, method, path
        record.response_status, record.response_body = None, ""
        record.created_at = timezone.now()
        record.save()
        return record, False
    return record, True


def idempotent(request, work: Callable[[], Response]) -> Response:
    """Run ``work`` once per Idempotency-Key: store its response, replay it on a retry.

    Without the header the work simply runs. ``work`` must do its writes in the
    database and return a DRF Response; errors it raises roll everything back.
    """
    raw = request.headers.get(HEADER)
    if raw is None:
        return work()
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"The {HEADER} header must be 1 to {MAX_KEY_LENGTH} characters long.",
            field=HEADER,
            code="bad_idempotency_key",
        )
    method, path = request.method.upper(), request.path[:255]
    fingerprint = request_hash(method=method, path=path, data=request.data)
    with transaction.atomic():
        record, seen = _claim(
            user=request.user, key=key, fingerprint=fingerprint, method=method, path=path
        )
        if seen:
            if record.request_hash != fingerprint:
                raise KeyReused(
                    f"The {HEADER} {key!r} was already used for a different request "
                    f"({record.method} {record.path}). Use a new key for a new request.",
                    field=HEADER,
                )
            if record.response_status is None:
                raise Conflict(
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    code="idempotency_in_progress",
                )
            return _replay(record)
        response = work()
        record.response_status = response.status_code
        record.response_body = (
            JSONRenderer().render(response.data).decode("utf-8")
            if response.data is not None
            else ""
        )
        record.save(update_fields=["response_status", "response_body"])
    return response


def purge_expired_keys(*, now=None) -> int:
    """Delete idempotency keys older than the lifetime; return how many went."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
