"""Opening an order's status page: links by email, lookups by number, limits and the log.

The rules (SPEC 10):

- a link's token is 192 random bits (``secrets``), stored only as its SHA-256
  and compared in constant time; it expires ``OMS_TRACK_LINK_DAYS`` (90) days
  after it was made, or ``OMS_TRACK_LOOKUP_HOURS`` (24) for one made by a lookup;
- a lookup takes the order number and the customer's email or the shipping
  postcode; a wrong number, a wrong email, a draft: all get the same answer;
- tries are counted in the shared cache per client address (links and
  lookups, ``OMS_TRACK_RATE_PER_CLIENT``) and per order number (lookups,
  ``OMS_TRACK_RATE_PER_ORDER``); past either, nothing is looked up;
- every try is a row of ``TrackingLookup``, whatever its outcome: so opening
  and finding are not one transaction (a refusal must not roll its log back);
  each row is written on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from oms.rate_limit import Limit, count_try
from oms.services import service
from orders.models import Order, TrackingLink, TrackingLookup

TOKEN_BYTES = 24
# What a token looks like (token_urlsafe of 24 bytes: 32 characters); anything else misses.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_NUMBER = 30
MAX_SECRET = 254
MISSED = (
    "We could not find an order with those details. Check the order number and use "
    "the email address or the postcode the order was sent to."
)
LINK_MISSED = (
    "This link does not open an order any more: links expire after a while. "
    "Find your order with its number and your email address or postcode."
)
Via = TrackingLink.Via
Outcome = TrackingLookup.Outcome


class TrackingRefused(Exception):
    """The page is not shown: the words for the customer, and how long to wait when limited."""

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class Opened:
    order: Order
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_days() -> int:
    return int(getattr(settings, "OMS_TRACK_LINK_DAYS", 90))


def public_url(path: str) -> str:
    """Return an absolute address of this site for emails (``OMS_PUBLIC_URL``)."""
    base = str(getattr(settings, "OMS_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + path


def track_path(token: str) -> str:
    return reverse("track:page", args=[token])


@service
def tracking_link_issue(*, order_id: int, via: str = Via.EMAIL) -> str:
    """Make a new link to an order's status page; return its token (the only clear copy)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    lifetime = (
        timedelta(days=link_days())
        if via == Via.EMAIL
        else timedelta(hours=int(getattr(settings, "OMS_TRACK_LOOKUP_HOURS", 24)))
    )
    TrackingLink.objects.create(
        order_id=order_id,
        token_hash=_hash(token),
        via=via,
        expires_at=timezone.now() + lifetime,
    )
    return token


def _limit(name: str, default: str) -> Limit:
    return Limit.parse(getattr(settings, name, default))


def _wait_words(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return (
        "Too many tries from here in a short time. "
        f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


def _log(*, client: str, via: str, outcome: str, number: str = "", order_id=None) -> None:
    TrackingLookup.objects.create(
        client=(client or "")[:45],
        via=via,
        number=(number or "")[:MAX_NUMBER],
        order_id=order_id,
        outcome=outcome,
    )


def tracking_open(*, token: str, client: str) -> Opened:
    """Return the order a link opens, or refuse (TrackingRefused) in the customer's words."""
    via = TrackingLookup.Via.LINK
    wait = count_try("track-client", client, _limit("OMS_TRACK_RATE_PER_CLIENT", "30/600"))
    if wait:
        _log(client=client, via=via, outcome=Outcome.LIMITED)
        raise TrackingRefused(_wait_words(wait), retry_after=wait)
    token = str(token or "")
    link = None
    if TOKEN_SHAPE.match(token):
        digest = _hash(token)
        link = TrackingLink.objects.select_related("order").filter(token_hash=digest).first()
        if link is not None and not hmac.compare_digest(link.token_hash, digest):
            link = None
    now = timezone.now()
    if link is None or link.order.status == Order.Status.DRAFT:
        _log(client=client, via=via, outcome=Outcome.MISSED)
        raise TrackingRefused(LINK_MISSED)
    if link.expires_at <= now:
        _log(client=client, via=via, outcome=Outcome.EXPIRED, order_id=link.order_id)
        raise TrackingRefused(LINK_MISSED)
    TrackingLink.objects.filter(pk=link.pk).update(last_used_at=now)
    _log(client=client, via=via, outcome=Outcome.SHOWN, order_id=link.order_id)
    return Opened(order=link.order, token=token)


def _normal_number(number: str) -> str:
    return "".join(str(number or "").split()).upper()[:MAX_NUMBER]


def _normal_postcode(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def _same(given: str, known: str) -> bool:
    return bool(known) and hmac.compare_digest(given.encode(), known.encode())


def tracking_find(*, number: str, email_or_postcode: str, client: str) -> str:
    """Find an order by its number and the customer's email or postcode; return a new link.

    Any miss is the same TrackingRefused, whatever was wrong.
    """
    via = TrackingLookup.Via.LOOKUP
    number = _normal_number(number)
    wait = count_try("track-client", client, _limit("OMS_TRACK_RATE_PER_CLIENT", "30/600"))
    wait = wait or count_try("track-order", number, _limit("OMS_TRACK_RATE_PER_ORDER", "10/600"))
    if wait:
        _log(client=client, via=via, outcome=Outcome.LIMITED, number=number)
        raise TrackingRefused(_wait_words(wait), retry_after=wait)
    secret = str(email_or_postcode or "").strip()[:MAX_SECRET]
    order = (
        Order.objects.select_related("customer", "shipping_address")
        .exclude(status=Order.Status.DRAFT)
        .filter(number=number)
        .first()
        if number and secret
        else None
    )
    matched = False
    if order is not None:
        email = (order.customer.email or "").strip().lower()
        postcode = (
            _normal_postcode(order.shipping_address.postal_code) if order.shipping_address else ""
        )
        matched = _same(secret.lower(), email) | _same(_normal_postcode(secret), postcode)
    if not matched:
        _log(client=client, via=via, outcome=Outcome.MISSED, number=number)
        raise TrackingRefused(MISSED)
    _log(client=client, via=via, outcome=Outcome.SHOWN, number=number, order_id=order.pk)
    return tracking_link_issue(order_id=order.pk, via=Via.LOOKUP)
