"""Stock counts: small differences are booked at once, large ones wait for a manager.

A count that differs from the record by more than ``OMS_COUNT_APPROVAL_SHARE``
of it, or by more than ``OMS_COUNT_APPROVAL_VALUE`` at the product's price,
becomes a pending ``CountAdjustment``: nothing is booked until a manager
approves it (then it is booked through the ledger, unless stock moved since
the count) or rejects it. Users who may adjust stock anyway (managers), and
the system itself, have their counts booked at once.

Locks (``oms.locks``): a bin's pending adjustments before its stock rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django_fsm import can_proceed

from inventory.models import CountAdjustment, Location, Product, StockMovement
from inventory.services.base import (
    Kind,
    check_not_below_allocated,
    check_settable,
    lock_level,
    lock_levels_for,
    set_on_hand,
)
from oms.errors import Conflict, NotFound, TransitionRefused
from oms.locks import lock_rows
from oms.services import id_or_none, require_perm, service, whole_number

Status = CountAdjustment.Status
APPROVE_PERM = "inventory.approve_countadjustment"


@dataclass(frozen=True)
class CountLine:
    """One product counted in a bin: what the record said, what was found, what became of it."""

    product: Product
    expected: int
    counted: int
    movement: StockMovement | None = None
    pending: CountAdjustment | None = None

    @property
    def difference(self) -> int:
        return self.counted - self.expected


def approval_limits() -> tuple[Decimal, Decimal]:
    """Return the share of the record and the value above which a count needs approval."""
    return (
        Decimal(str(settings.OMS_COUNT_APPROVAL_SHARE)),
        Decimal(str(settings.OMS_COUNT_APPROVAL_VALUE)),
    )


def count_needs_approval(*, user, product: Product, expected: int, counted: int) -> bool:
    """Tell whether a count by this user must wait for a manager before it is booked."""
    if user is None or user.has_perm("inventory.adjust_stock"):
        return False
    difference = abs(counted - expected)
    if difference == 0:
        return False
    share, value = approval_limits()
    return difference > share * expected or difference * Decimal(str(product.price)) > value


def _supersede(pending: list[CountAdjustment], *, user) -> None:
    """Close pending counts of a bin that a newer count replaces."""
    who = getattr(user, "username", "") or "the system"
    for adjustment in pending:
        adjustment.reject()
        adjustment.decided_at = timezone.now()
        adjustment.note = f"Replaced by a newer count by {who}"
        adjustment.save()


def _lock_pending(product_ids, location: Location) -> dict[int, list[CountAdjustment]]:
    rows = lock_rows(
        CountAdjustment.objects.filter(
            product_id__in=list(product_ids), location=location, status=Status.PENDING
        )
    )
    by_product: dict[int, list[CountAdjustment]] = {}
    for row in rows:
        by_product.setdefault(row.product_id, []).append(row)
    return by_product


@service
def stock_count(
    *, product: Product, location: Location, counted, user=None, reference: str = "", reason=""
) -> CountLine:
    """Record a count of one product in a bin: booked at once, or sent for approval.

    A count below what is promised to orders is refused. A newer count
    replaces a pending one of the same product and bin.
    """
    require_perm(user, "inventory.count_stock", "Only warehouse staff and managers count stock.")
    counted = whole_number(counted, field="counted", label="Counted quantity", minimum=0)
    check_settable(product=product, location=location, counted=counted)
    pending = _lock_pending([product.pk], location).get(product.pk, [])
    level = lock_level(product=product, location=location)
    # Counts of one bin queue on its stock row; one recorded while this one waited is news.
    if (
        CountAdjustment.objects.filter(product=product, location=location, status=Status.PENDING)
        .exclude(pk__in=[adjustment.pk for adjustment in pending])
        .exists()
    ):
        raise Conflict(
            f"Another count of {product.sku} in {location.code} was recorded a moment ago: "
            "count the bin again.",
            field="counted",
            code="counted_meanwhile",
        )
    check_not_below_allocated(level=level, counted=counted)
    expected = level.on_hand
    _supersede(pending, user=user)
    if count_needs_approval(user=user, product=product, expected=expected, counted=counted):
        adjustment = CountAdjustment.objects.create(
            product=product,
            location=location,
            expected=expected,
            counted=counted,
            reference=(reference or "")[:100],
            counted_by=user if getattr(user, "pk", None) else None,
        )
        return CountLine(product=product, expected=expected, counted=counted, pending=adjustment)
    movement = set_on_hand(
        level=level,
        counted=counted,
        kind=Kind.COUNT,
        user=user,
        reference=reference,
        reason=reason or "Stock count",
        counted_at=timezone.now(),
    )
    return CountLine(product=product, expected=expected, counted=counted, movement=movement)


@service
def stock_count_bin(
    *, location: Location, counts: Sequence[tuple[Product, int]], user=None, reference: str = ""
) -> list[CountLine]:
    """Record a bin count, all or nothing: each counted product is booked or sent for approval.

    Every counted row is locked first, in one statement. One refusal (a count
    below what is promised to orders) rolls back every line.
    """
    merged: dict[int, tuple[Product, int]] = {}
    for product, counted in counts:
        number = whole_number(counted, field="counted", label="Counted quantity", minimum=0)
        previous = merged.get(product.pk, (product, 0))[1]
        merged[product.pk] = (product, previous + number)
    _lock_pending(merged, location)
    lock_levels_for([(product, location) for product, _ in merged.values()])
    return [
        stock_count(
            product=product, location=location, counted=counted, user=user, reference=reference
        )
        for _, (product, counted) in sorted(merged.items())
    ]


def _lock_adjustment(adjustment_id) -> CountAdjustment:
    pk = id_or_none(adjustment_id)
    if pk is None:
        raise NotFound("That count does not exist.", code="unknown_count_adjustment")
    rows = lock_rows(
        CountAdjustment.objects.select_related("product", "location", "location__warehouse"),
        [pk],
    )
    if not rows:
        raise NotFound("That count does not exist.", code="unknown_count_adjustment")
    adjustment = rows[0]
    if not can_proceed(adjustment.approve):
        raise TransitionRefused(
            f"This count of {adjustment.product.sku} in {adjustment.location.code} was already "
            f"{adjustment.get_status_display().lower()}.",
            code="illegal_transition",
        )
    return adjustment


def _decide(adjustment: CountAdjustment, *, user, note: str) -> None:
    adjustment.decided_by = user if getattr(user, "pk", None) else None
    adjustment.decided_at = timezone.now()
    adjustment.note = (note or "").strip()[:255]
    adjustment.save()


@service
def count_adjustment_approve(*, adjustment_id, user=None, note: str = "") -> CountAdjustment:
    """Book a pending count through the ledger, if the bin's stock is still what was counted.

    Refused (409) when stock moved since the count (a receipt, a pick, a
    transfer): the count no longer says what the bin holds, so reject it and
    count again.
    """
    require_perm(user, APPROVE_PERM, "Only managers approve count differences.")
    adjustment = _lock_adjustment(adjustment_id)
    product, location = adjustment.product, adjustment.location
    level = lock_level(product=product, location=location)
    if level.on_hand != adjustment.expected:
        raise Conflict(
            f"Stock of {product.sku} in {location.code} moved since the count: "
            f"{adjustment.expected} were on record then, {level.on_hand} now. Reject this "
            "count and count the bin again.",
            code="stock_moved",
        )
    check_not_below_allocated(level=level, counted=adjustment.counted)
    counter = adjustment.counted_by.username if adjustment.counted_by_id else "the system"
    reason = f"Count by {counter}, approved" + (f": {note.strip()}" if note.strip() else "")
    adjustment.movement = set_on_hand(
        level=level,
        counted=adjustment.counted,
        kind=Kind.COUNT,
        user=user,
        reference=adjustment.reference,
        reason=reason,
        counted_at=adjustment.created_at,
    )
    adjustment.approve()
    _decide(adjustment, user=user, note=note)
    return adjustment


@service
def count_adjustment_reject(*, adjustment_id, user=None, note: str = "") -> CountAdjustment:
    """Reject a pending count: the stock stays as it is on record."""
    require_perm(user, APPROVE_PERM, "Only managers reject count differences.")
    adjustment = _lock_adjustment(adjustment_id)
    adjustment.reject()
    _decide(adjustment, user=user, note=note)
    return adjustment
