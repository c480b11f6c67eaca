"""The count screen: a blind count of one bin at a time, kept in the database, booked at the end.

Scanning a bin opens a ``CountSession``; each product scan adds to its tally
(a ``StockScan`` row), an undo takes the last one back. Nothing touches the
stock until the bin is finished: then the whole tally is booked in one
transaction through ``stock_count_bin`` (differences too large go to a
manager). Because the tally lives in the database, a reload, a logout or
another device of the same person carries on with it.

Locks (``oms.locks``): the person's open count first, then what
``stock_count_bin`` locks (pending count adjustments, stock rows).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory import selectors
from inventory.models import CountSession, Location, Product, StockScan
from inventory.services.counts import CountLine, stock_count_bin
from inventory.services.scanlog import (
    BUTTON,
    COUNT,
    KEEP,
    refuse_elsewhere,
    refuse_unknown,
    refused_state,
    scan_row,
    typed_quantity,
)
from oms.errors import Conflict, DomainError, InvalidInput
from oms.locks import lock_rows
from oms.scanlog import INFO, OK, TIMES, WARN, ScanAnswer, entry_kind, scan_service
from oms.scanning import Command, Scan, ScanKind, recognise
from oms.services import id_or_none, require_perm, whole_number

Action = StockScan.Action
COUNT_REFUSED = "Only warehouse staff and managers count stock."
# At most this many products can be ticked to count as zero at once.
MAX_ZEROS = 1000


def _open_session(user) -> CountSession | None:
    """Lock and return the person's open count, if any."""
    rows = lock_rows(
        CountSession.objects.filter(user=user, status=CountSession.Status.OPEN).select_related(
            "location__warehouse"
        )
    )
    return rows[0] if rows else None


def _state(user, session: CountSession | None, quantity=KEEP) -> selectors.ScreenState:
    before = selectors.scan_screen_state(user=user, screen=COUNT)
    return replace(
        refused_state(before, quantity=quantity),
        location=session.location if session else None,
        reference="",
    )


def _refused(*, error, user, code: str = "", quantity=KEEP, entry=BUTTON, **_):
    session = (
        CountSession.objects.filter(user=user, status=CountSession.Status.OPEN)
        .select_related("location")
        .first()
        if getattr(user, "pk", None)
        else None
    )
    return scan_row(
        user=user,
        screen=COUNT,
        scan=recognise(code),
        entry=entry_kind(entry) if entry != BUTTON else BUTTON,
        state=_state(user, session, quantity),
        count_session=session,
    )


@scan_service(refused=_refused)
def count_scan(*, user, code: str = "", quantity=None, entry: str = "") -> ScanAnswer:
    """Answer one scan on the count screen: start a bin, add to its tally, or a command.

    CMD-DONE finishes the bin, CMD-UNDO takes the last scan off the tally,
    CMD-CANCEL discards the count. A product before any bin, an unknown code,
    another bin while this one has scans, a closed bin and a bad quantity are
    refused, and nothing but the refusal is logged.
    """
    require_perm(user, "inventory.count_stock", COUNT_REFUSED)
    session = _open_session(user)
    state = _state(user, session, quantity)
    scan = recognise(code)
    row = partial(
        scan_row, user=user, screen=COUNT, scan=scan, entry=entry_kind(entry), count_session=session
    )
    if scan.kind is ScanKind.EMPTY:
        return ScanAnswer(INFO, "Scan a bin label, then every item in the bin.", row(state=state))
    if scan.kind is ScanKind.INVALID:
        raise InvalidInput(scan.error, field="code", code="unreadable")
    if scan.kind is ScanKind.COMMAND and scan.command is Command.DONE:
        return _finish(user=user, session=session, row=row, state=state)
    if scan.kind is ScanKind.COMMAND and scan.command is Command.UNDO:
        return _undo(session=session, row=row, state=state)
    if scan.kind is ScanKind.COMMAND and scan.command is Command.CANCEL:
        return _discard(user=user, session=session, row=row, state=state)
    if scan.kind not in (ScanKind.BIN, ScanKind.PRODUCT):
        raise refuse_elsewhere(scan, "count")
    location, product = selectors.find_scanned(scan, current=state.location)
    if location is not None:
        return _start(user=user, location=location, session=session, row=row, state=state)
    if product is None:
        raise refuse_unknown(scan)
    return _add(
        scan=scan,
        product=product,
        session=session,
        row=row,
        state=state,
        typed=typed_quantity(quantity),
    )


def _button(user, action):
    """Run a count-screen button (undo, finish) on the person's open count."""
    require_perm(user, "inventory.count_stock", COUNT_REFUSED)
    session = _open_session(user)
    row = partial(
        scan_row, user=user, screen=COUNT, scan=recognise(""), entry=BUTTON, count_session=session
    )
    return action(session=session, row=row, state=_state(user, session))


@scan_service(refused=_refused)
def count_undo(*, user) -> ScanAnswer:
    """Take the last scan off the bin's tally (button, F2 or the CMD-UNDO scan)."""
    return _button(user, _undo)


@scan_service(refused=_refused)
def count_finish(*, user) -> ScanAnswer:
    """Finish the bin (button, F4 or CMD-DONE): book the tally, list differences and unscanned."""
    return _button(user, partial(_finish, user=user))


def _start(*, user, location: Location, session, row, state) -> ScanAnswer:
    if session is not None and location.pk == session.location_id:
        return ScanAnswer(
            INFO, f"Already counting bin {location.code}: scan the items.", row(state=state)
        )
    if session is not None and selectors.count_last_scan(session) is not None:
        raise Conflict(
            f"Finish bin {session.location.code} first (Finish bin, F4 or CMD-DONE), or undo "
            "its scans.",
            field="code",
            code="count_open",
        )
    if not location.is_active:
        raise Conflict(
            f"Bin {location.code} is closed: it cannot be counted.",
            field="code",
            code="inactive_location",
        )
    if session is not None:
        session.abandon()
        session.save()
    try:
        with transaction.atomic():
            started = CountSession.objects.create(user=user, location=location)
    except IntegrityError:
        raise Conflict(
            "You started counting a bin on another screen a moment ago: scan the bin again.",
            field="code",
            code="counted_meanwhile",
        ) from None
    return ScanAnswer(
        OK,
        f"Counting bin {location.code} ({location.warehouse.code}): scan every item in it, "
        "then Finish bin.",
        row(state=replace(state, location=location), action=Action.BIN, count_session=started),
    )


def _add(*, scan: Scan, product: Product, session, row, state, typed: str) -> ScanAnswer:
    if session is None:
        raise InvalidInput(
            f"No bin yet: scan the bin label first, then {product.name}.",
            field="code",
            code="no_bin",
        )
    quantity = scan.quantity if scan.quantity is not None else whole_number(typed, field="quantity")
    so_far = selectors.count_counted(session, product) + quantity
    return ScanAnswer(
        OK,
        f"Counted {quantity} {TIMES} {product.name} ({so_far} so far in {session.location.code})",
        row(
            state=replace(state, quantity_field="1"),
            action=Action.COUNT,
            product=product,
            quantity=quantity,
        ),
    )


def _undo(*, session, row, state) -> ScanAnswer:
    target = selectors.count_last_scan(session) if session is not None else None
    if target is None:
        raise Conflict(
            "Nothing to undo: no item has been counted in this bin yet.",
            field="code",
            code="nothing_to_undo",
        )
    left = selectors.count_counted(session, target.product) - target.quantity
    return ScanAnswer(
        OK,
        f"Undone: {target.quantity} {TIMES} {target.product.name} taken off the count "
        f"({left} left in {session.location.code}).",
        row(
            state=state,
            action=Action.UNDO,
            undoes=target,
            product=target.product,
            quantity=-target.quantity,
        ),
    )


def _discard(*, user, session, row, state) -> ScanAnswer:
    after = replace(state, location=None)
    if session is None:
        latest = selectors.count_session_latest(user=user)
        if latest is not None and latest.status == CountSession.Status.FINISHED:
            latest.dismissed_at = timezone.now()
            latest.save(update_fields=["dismissed_at", "updated_at"])
        return ScanAnswer(
            INFO,
            "Nothing to discard: scan a bin label to start counting.",
            row(state=after, action=Action.DISCARD),
        )
    had_scans = selectors.count_last_scan(session) is not None
    session.abandon()
    session.save()
    code = session.location.code
    if had_scans:
        answer = ScanAnswer(WARN, f"Count of bin {code} discarded: nothing was written.")
    else:
        answer = ScanAnswer(INFO, f"Stopped counting bin {code}: nothing was written.")
    answer.event = row(state=after, action=Action.DISCARD)
    return answer


def _line(line: CountLine) -> dict:
    return {
        "product_id": line.product.pk,
        "sku": line.product.sku,
        "name": line.product.name,
        "expected": line.expected,
        "counted": line.counted,
        "difference": line.difference,
        "pending": line.pending is not None,
    }


def _book(*, user, location: Location, counts) -> list[CountLine]:
    """Book counts of a bin, all or nothing; a refusal says that nothing was saved."""
    try:
        return stock_count_bin(
            location=location, counts=counts, user=user, reference=f"COUNT {location}"
        )
    except DomainError as error:
        raise type(error)(
            f"Nothing was saved. {error.message}", code=error.code, errors=error.errors
        ) from error


def _sent_for_approval(lines) -> str:
    """Say how many differences wait for a manager, or nothing when none do."""
    waiting = sum(1 for line in lines if line.pending is not None)
    if not waiting:
        return ""
    return (
        f"{waiting} difference{'s' if waiting != 1 else ''} too large to book: sent for a "
        "manager's approval (not booked yet)."
    )


def _finish(*, user, session, row, state) -> ScanAnswer:
    """Book the tally in one transaction, then list the differences and what was not scanned."""
    if session is None:
        raise InvalidInput(
            "Scan a bin first: there is no count to finish.", field="code", code="no_count"
        )
    location = session.location
    tally = selectors.count_tally(session)
    lines = _book(user=user, location=location, counts=tally) if tally else []
    counted = {product.pk for product, _ in tally}
    unscanned = [
        {
            "product_id": level.product_id,
            "sku": level.product.sku,
            "name": level.product.name,
            "on_hand": level.on_hand,
            "allocated": level.allocated,
        }
        for level in selectors.stock_in_bin(location)
        if level.product_id not in counted
    ]
    by_pk = {line.product.pk: line for line in lines}
    session.finish()
    session.result = {
        "location_id": location.pk,
        "location": location.code,
        "lines": [_line(by_pk[product.pk]) for product, _ in tally],
        "unscanned": unscanned,
    }
    session.save()
    event = row(state=replace(state, location=None), action=Action.FINISH)
    differences = sum(1 for line in lines if line.difference)
    if not lines and not unscanned:
        message = f"Bin {location.code} finished: nothing counted, none expected."
        return ScanAnswer(INFO, message, event)
    parts = [f"Bin {location.code} counted."]
    if differences:
        parts.append(f"{differences} difference{'s' if differences != 1 else ''} found.")
    elif lines:
        parts.append("Everything scanned matches.")
    if _sent_for_approval(lines):
        parts.append(_sent_for_approval(lines))
    if unscanned:
        many = len(unscanned) != 1
        parts.append(
            f"{len(unscanned)} product{'s' if many else ''} with stock here "
            f"{'were' if many else 'was'} not scanned."
        )
    return ScanAnswer(WARN if differences or unscanned else OK, " ".join(parts), event)


@scan_service(refused=_refused)
def count_zero(*, user, product_ids) -> ScanAnswer:
    """Count the ticked products that were not scanned in the finished bin as zero."""
    require_perm(user, "inventory.count_stock", COUNT_REFUSED)
    latest = selectors.count_session_latest(user=user)
    rows = []
    if (
        latest is not None
        and latest.status == CountSession.Status.FINISHED
        and latest.dismissed_at is None
    ):
        rows = lock_rows(CountSession.objects.select_related("location__warehouse"), [latest.pk])
    session = rows[0] if rows and rows[0].status == CountSession.Status.FINISHED else None
    row = partial(
        scan_row,
        user=user,
        screen=COUNT,
        scan=recognise(""),
        entry=BUTTON,
        state=_state(user, None),
        action=Action.ZERO,
        count_session=session,
    )
    if session is None:
        raise InvalidInput(
            "There is no finished bin to correct: scan a bin first.", code="no_finished_count"
        )
    result = session.result
    allowed = {line["product_id"] for line in result["unscanned"]}
    ticked = {id_or_none(value) for value in list(product_ids)[:MAX_ZEROS]} & allowed
    if not ticked:
        return ScanAnswer(INFO, "Nothing ticked: products not scanned keep their stock.", row())
    location = session.location
    products = Product.objects.in_bulk(ticked)
    lines = _book(user=user, location=location, counts=[(products[pk], 0) for pk in sorted(ticked)])
    session.result = {
        **result,
        "lines": [*result["lines"], *(_line(line) for line in lines)],
        "unscanned": [line for line in result["unscanned"] if line["product_id"] not in ticked],
    }
    session.save(update_fields=["result", "updated_at"])
    names = ", ".join(f"{line.product.name} (was {line.expected})" for line in lines)
    waiting = _sent_for_approval(lines)
    message = f"Counted as zero in {location.code}: {names}." + (f" {waiting}" if waiting else "")
    return ScanAnswer(WARN, message, row())
