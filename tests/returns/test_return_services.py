"""Opening, authorizing, receiving and deciding returns: every path and refusal."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from inventory.models import Location, StockLevel, StockMovement
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from oms.models import OutboundEmail
from orders.models import Order, OrderEvent
from returns import services
from returns.models import Disposition, Return, ReturnEvent
from tests.returns.conftest import red_line


def _open(order, user, quantity=1, reason="damaged", note=""):
    return services.return_create(
        order_id=order.pk,
        user=user,
        lines=[
            {"order_line": red_line(order).pk, "quantity": quantity, "reason": reason, "note": note}
        ],
    )


def _ledger_ok():
    call_command("check_stock_ledger")


def test_a_rep_opens_a_return_for_shipped_units(shipped_order, sales_user):
    # when
    rma = _open(shipped_order, sales_user, quantity=2)
    # then
    assert rma.number == f"RMA-{rma.pk:06d}"
    assert rma.status == Return.Status.REQUESTED
    assert rma.warehouse.code == "MAIN"
    assert rma.window_ends_on is not None
    [line] = rma.lines.all()
    assert (line.quantity_requested, line.reason.code) == (2, "damaged")
    assert ReturnEvent.objects.filter(rma=rma).exists()
    assert OrderEvent.objects.filter(order=shipped_order, type="return").exists()
    shipped_order.refresh_from_db()
    assert shipped_order.status == Order.Status.SHIPPED


@pytest.mark.parametrize(
    ("lines", "error", "words"),
    [
        ([{"sku": "MUG-RED", "quantity": 3, "reason": "damaged"}], Conflict, "Only 2"),
        ([{"sku": "MUG-RED", "quantity": 0, "reason": "damaged"}], InvalidInput, "at least 1"),
        ([{"sku": "NOPE", "quantity": 1, "reason": "damaged"}], InvalidInput, "not on order"),
        ([{"sku": "MUG-RED", "quantity": 1, "reason": "bored"}], InvalidInput, "Choose a reason"),
        ([{"sku": "MUG-RED", "quantity": 1, "reason": "other"}], InvalidInput, "needs a note"),
        ([], InvalidInput, "at least one item"),
        (
            [
                {"sku": "MUG-RED", "quantity": 1, "reason": "damaged"},
                {"sku": "MUG-RED", "quantity": 1, "reason": "damaged"},
            ],
            InvalidInput,
            "twice",
        ),
    ],
)
def test_bad_return_requests_are_refused_and_change_nothing(
    shipped_order, sales_user, unchanged, lines, error, words
):
    before = unchanged()
    with pytest.raises(error, match=words):
        services.return_create(order_id=shipped_order.pk, user=sales_user, lines=lines)
    assert unchanged() == before


def test_returns_together_never_exceed_what_shipped(shipped_order, sales_user, unchanged):
    # given
    _open(shipped_order, sales_user, quantity=1)
    _open(shipped_order, sales_user, quantity=1)
    before = unchanged()
    # when / then
    with pytest.raises(Conflict, match="Only 0 × MUG-RED can be returned: 2 shipped, 2 already"):
        _open(shipped_order, sales_user, quantity=1)
    assert unchanged() == before


def test_a_cancelled_return_gives_its_units_back(shipped_order, sales_user):
    rma = _open(shipped_order, sales_user, quantity=2)
    services.return_cancel(return_id=rma.pk, user=sales_user, reason="customer kept them")
    assert _open(shipped_order, sales_user, quantity=2).lines.get().quantity_requested == 2


def test_an_order_that_never_shipped_has_nothing_to_return(
    make_order, stocked, sales_user, unchanged
):
    order = make_order(("MUG-RED", 1))
    before = unchanged()
    with pytest.raises(Conflict, match=r"Nothing of order .* has shipped"):
        _open(order, sales_user)
    assert unchanged() == before


def test_warehouse_staff_cannot_open_returns(shipped_order, warehouse_user):
    with pytest.raises(NotAllowed):
        _open(shipped_order, warehouse_user)


def test_an_unknown_order_or_return_is_not_found(db, sales_user):
    with pytest.raises(NotFound):
        services.return_create(order_id=999999, user=sales_user, lines=[])
    with pytest.raises(NotFound):
        services.return_authorize(return_id="abc", user=sales_user)


def test_authorizing_emails_the_customer_the_label_and_slip(
    shipped_order, sales_user, mailoutbox, django_capture_on_commit_callbacks
):
    rma = _open(shipped_order, sales_user, quantity=2)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.return_authorize(
            return_id=rma.pk, user=sales_user, quantities={rma.lines.get().pk: 1}
        )
    # then
    rma.refresh_from_db()
    assert rma.status == Return.Status.AUTHORIZED
    assert rma.lines.get().quantity_authorized == 1
    assert OutboundEmail.objects.filter(kind="return_authorized").count() == 1
    [mail] = [m for m in mailoutbox if "label" in m.subject]
    names = [name for name, _, _ in mail.attachments]
    assert names == [f"return-label-{rma.number}.pdf", f"return-slip-{rma.number}.pdf"]
    assert all(content.startswith(b"%PDF") for _, content, _ in mail.attachments)
    # and the email links to the order's status page, where the return shows
    assert re.search(r"/track/[\w-]{32}/", mail.body)


def test_after_the_window_only_a_manager_authorizes_with_a_reason(
    shipped_order, sales_user, manager_user, unchanged
):
    rma = _open(shipped_order, sales_user)
    late = rma.window_ends_on + datetime.timedelta(days=1)
    before = unchanged()
    with pytest.raises(NotAllowed, match="only a manager"):
        services.return_authorize(return_id=rma.pk, user=sales_user, today=late)
    with pytest.raises(InvalidInput, match="say why"):
        services.return_authorize(return_id=rma.pk, user=manager_user, today=late)
    assert unchanged() == before
    services.return_authorize(
        return_id=rma.pk, user=manager_user, today=late, outside_window_reason="loyal customer"
    )
    rma.refresh_from_db()
    assert rma.outside_window_reason == "loyal customer"
    assert rma.window_ends_on == late + datetime.timedelta(days=30)


def _authorized(order, user, quantity=2):
    rma = _open(order, user, quantity=quantity)
    return services.return_authorize(return_id=rma.pk, user=user)


def test_receiving_books_units_into_the_returns_bin_on_hand_but_not_available(
    shipped_order, sales_user, warehouse_user, stocked
):
    rma = _authorized(shipped_order, sales_user)
    line = rma.lines.get()
    # when
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    # then
    rma.refresh_from_db()
    assert rma.status == Return.Status.PARTIALLY_RECEIVED
    returns_bin = Location.objects.get(warehouse=rma.warehouse, is_returns_bin=True)
    level = StockLevel.objects.get(product=stocked, location=returns_bin)
    assert (level.on_hand, level.allocated) == (1, 0)
    assert StockMovement.objects.filter(kind="return_receipt", reference=rma.number).count() == 1
    from inventory.models import Product

    totals = Product.objects.with_stock().get(pk=stocked.pk)
    assert totals.total_on_hand - totals.total_available == 1 + totals.total_allocated
    assert red_line(shipped_order).quantity_returned == 1
    # the second unit completes it
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    rma.refresh_from_db()
    assert rma.status == Return.Status.RECEIVED
    assert OutboundEmail.objects.filter(kind="return_received").count() == 1
    _ledger_ok()


def test_receiving_refusals_change_nothing(shipped_order, sales_user, warehouse_user, unchanged):
    requested = _open(shipped_order, sales_user)
    rma = _authorized(shipped_order, sales_user, quantity=1)
    line = rma.lines.get()
    before = unchanged()
    with pytest.raises(InvalidInput, match="not on return"):
        services.return_receive(
            return_id=rma.pk, line_id=requested.lines.get().pk, user=warehouse_user
        )
    assert unchanged() == before
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    before = unchanged()
    with pytest.raises(Conflict, match="cannot receive goods: everything on it has arrived"):
        services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    with pytest.raises(Conflict, match="not been authorized"):
        services.return_receive(
            return_id=requested.pk, line_id=requested.lines.get().pk, user=warehouse_user
        )
    with pytest.raises(NotAllowed):
        services.return_receive(return_id=rma.pk, line_id=line.pk, user=sales_user)
    assert unchanged() == before


def test_one_too_many_is_refused(shipped_order, sales_user, warehouse_user, unchanged):
    rma = _authorized(shipped_order, sales_user, quantity=2)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    before = unchanged()
    with pytest.raises(Conflict, match="One too many"):
        services.return_receive(return_id=rma.pk, line_id=line.pk, quantity=2, user=warehouse_user)
    assert unchanged() == before


def test_restock_moves_units_to_a_sellable_bin_and_serves_backorders(
    shipped_order,
    sales_user,
    warehouse_user,
    bin_a,
    stocked,
    make_order,
    django_capture_on_commit_callbacks,
):
    # given: everything else of the red mug is promised, and one more order waits
    rma = _authorized(shipped_order, sales_user, quantity=1)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    free = StockLevel.objects.get(product=stocked, location=bin_a).available
    make_order(("MUG-RED", free))
    waiting = make_order(("MUG-RED", 1))
    assert waiting.status == Order.Status.BACKORDERED
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.return_dispose(
            return_id=rma.pk,
            line_id=line.pk,
            kind="restock",
            location=bin_a.pk,
            user=warehouse_user,
        )
    # then
    rma.refresh_from_db()
    assert rma.status == Return.Status.INSPECTED
    waiting.refresh_from_db()
    assert waiting.status == Order.Status.ALLOCATED
    assert StockMovement.objects.filter(kind="return_restock", reference=rma.number).count() == 2
    _ledger_ok()


def test_scrap_and_quarantine(shipped_order, sales_user, warehouse_user, stocked):
    rma = _authorized(shipped_order, sales_user, quantity=2)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, quantity=2, user=warehouse_user)
    services.return_dispose(return_id=rma.pk, line_id=line.pk, kind="scrap", user=warehouse_user)
    services.return_dispose(
        return_id=rma.pk, line_id=line.pk, kind="quarantine", user=warehouse_user
    )
    rma.refresh_from_db()
    assert rma.status == Return.Status.INSPECTED
    services.return_close(return_id=rma.pk, user=sales_user)
    rma.refresh_from_db()
    assert rma.status == Return.Status.CLOSED
    returns_bin = Location.objects.get(is_returns_bin=True)
    assert StockLevel.objects.get(product=stocked, location=returns_bin).on_hand == 1
    assert StockMovement.objects.filter(kind="scrap", reference=rma.number).count() == 1
    _ledger_ok()


def test_replace_makes_a_free_replacement_order_allocated_like_any(
    shipped_order, sales_user, warehouse_user, bin_a
):
    rma = _authorized(shipped_order, sales_user, quantity=1)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    disposition = services.return_dispose(
        return_id=rma.pk, line_id=line.pk, kind="replace", goods="scrap", user=warehouse_user
    )
    replacement = disposition.replacement_order
    assert replacement.total == 0
    assert replacement.status == Order.Status.ALLOCATED
    assert replacement.customer_id == shipped_order.customer_id
    assert rma.number in replacement.notes
    _ledger_ok()


def test_disposition_refusals_change_nothing(
    shipped_order, sales_user, warehouse_user, bin_a, unchanged
):
    from tests.factories import LocationFactory, WarehouseFactory

    other = LocationFactory(warehouse=WarehouseFactory(code="EAST"), code="E-01-01")
    rma = _authorized(shipped_order, sales_user, quantity=2)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    returns_bin = Location.objects.get(is_returns_bin=True)
    before = unchanged()
    cases = [
        ({"kind": "restock", "location": other.pk}, InvalidInput, "another warehouse"),
        ({"kind": "restock", "location": returns_bin.pk}, InvalidInput, "returns bin"),
        ({"kind": "restock", "location": None}, InvalidInput, "Choose the bin"),
        ({"kind": "scrap", "quantity": 2}, Conflict, "Only 1"),
        ({"kind": "burn"}, InvalidInput, "Choose restock"),
    ]
    for kwargs, error, words in cases:
        with pytest.raises(error, match=words):
            services.return_dispose(
                return_id=rma.pk, line_id=line.pk, user=warehouse_user, **kwargs
            )
    assert unchanged() == before


def test_undo_a_receipt_and_a_disposition(shipped_order, sales_user, warehouse_user, bin_a):
    rma = _authorized(shipped_order, sales_user, quantity=1)
    line = rma.lines.get()
    receipt = services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    disposition = services.return_dispose(
        return_id=rma.pk, line_id=line.pk, kind="restock", location=bin_a.pk, user=warehouse_user
    )
    with pytest.raises(Conflict, match="disposition"):
        services.return_receipt_undo(receipt_id=receipt.pk, user=warehouse_user)
    services.return_disposition_undo(disposition_id=disposition.pk, user=warehouse_user)
    rma.refresh_from_db()
    assert rma.status == Return.Status.RECEIVED
    services.return_receipt_undo(receipt_id=receipt.pk, user=warehouse_user)
    rma.refresh_from_db()
    assert rma.status == Return.Status.AUTHORIZED
    assert red_line(shipped_order).quantity_returned == 0
    assert Disposition.objects.get().undone_at is not None
    _ledger_ok()


def test_finish_receiving_short(shipped_order, sales_user, warehouse_user):
    rma = _authorized(shipped_order, sales_user, quantity=2)
    line = rma.lines.get()
    services.return_receive(return_id=rma.pk, line_id=line.pk, user=warehouse_user)
    services.return_dispose(return_id=rma.pk, line_id=line.pk, kind="scrap", user=warehouse_user)
    services.return_receiving_finish(return_id=rma.pk, user=warehouse_user)
    rma.refresh_from_db()
    assert rma.status == Return.Status.INSPECTED
    # the unit that never came may be returned again
    assert _open(shipped_order, sales_user, quantity=1)


def test_expire_authorized_returns_with_nothing_arrived(shipped_order, sales_user):
    rma = _authorized(shipped_order, sales_user, quantity=1)
    assert services.returns_expire(today=rma.window_ends_on) == []
    later = rma.window_ends_on + datetime.timedelta(days=1)
    assert services.returns_expire(today=later) == [rma.number]
    rma.refresh_from_db()
    assert rma.status == Return.Status.EXPIRED


def test_reject_needs_a_reason_and_only_from_requested(shipped_order, sales_user, unchanged):
    rma = _open(shipped_order, sales_user)
    with pytest.raises(InvalidInput):
        services.return_reject(return_id=rma.pk, user=sales_user, reason=" ")
    services.return_reject(return_id=rma.pk, user=sales_user, reason="worn")
    before = unchanged()
    with pytest.raises(TransitionRefused, match="rejected: it cannot be authorized"):
        services.return_authorize(return_id=rma.pk, user=sales_user)
    assert unchanged() == before


def test_customer_request_rules(shipped_order, sales_user):
    line = red_line(shipped_order)
    ask = [{"order_line": line.pk, "quantity": 1, "reason": "no_longer_needed"}]
    with pytest.raises(Conflict, match="once they have been delivered"):
        services.return_request(order_id=shipped_order.pk, lines=ask)
    from orders import services as order_services

    order_services.order_delivered(order=shipped_order, delivered_at=timezone.now())
    rma = services.return_request(order_id=shipped_order.pk, lines=ask)
    assert rma.source == Return.Source.CUSTOMER and rma.created_by is None
    with pytest.raises(Conflict, match="already have your request"):
        services.return_request(order_id=shipped_order.pk, lines=ask)
    late = timezone.localdate() + datetime.timedelta(days=31)
    with pytest.raises(Conflict, match="are over"):
        services.return_request(order_id=shipped_order.pk, lines=ask, today=late)


def return_event_row():
    """Make one return timeline row (for the append-only table checks)."""
    from tests.factories import CustomerFactory, WarehouseFactory

    customer = CustomerFactory()
    order = Order.objects.create(customer=customer)
    rma = Return.objects.create(order=order, customer=customer, warehouse=WarehouseFactory())
    ReturnEvent.objects.create(rma=rma, note="opened")
    return ReturnEvent
