"""Receiving a purchase order's goods into bins, and taking a receipt back."""

import pytest

from inventory import services
from inventory.models import (
    PurchaseOrder,
    PurchaseOrderReceipt,
    StockMovement,
)
from oms.errors import Conflict, InvalidInput, NotAllowed, TransitionRefused
from tests.factories import (
    LocationFactory,
    ProductFactory,
    WarehouseFactory,
)
from tests.inventory.helpers import line_of, on_hand, po_state

S = PurchaseOrder.Status


# --- receive ----------------------------------------------------------------------------------


def test_receiving_part_books_stock_and_marks_the_order_partially_received(
    sent, mug, bin_a, warehouse_user
):
    # when 3 of 10 mugs arrive
    [movement] = services.purchase_order_receive(
        purchase_order_id=sent.pk, lines=[(mug, 3, bin_a)], user=warehouse_user
    )
    # then
    sent.refresh_from_db()
    assert sent.status == S.PARTIALLY_RECEIVED
    assert line_of(sent, mug).quantity_received == 3
    assert (movement.kind, movement.quantity, movement.reference, movement.user) == (
        StockMovement.Kind.RECEIPT,
        3,
        sent.number,
        warehouse_user,
    )
    assert on_hand(mug, bin_a) == 3
    assert movement.purchase_receipt.line == line_of(sent, mug)


def test_receiving_everything_marks_the_order_received(
    sent, mug, bowl, bin_a, bin_b, warehouse_user
):
    # given 4 mugs already in
    services.purchase_order_receive(
        purchase_order_id=sent.pk, lines=[(mug, 4, bin_a)], user=warehouse_user
    )
    # when the rest arrives, mugs over two bins
    movements = services.purchase_order_receive(
        purchase_order_id=sent.pk,
        lines=[(mug, 5, bin_a), (mug, 1, bin_b), (bowl, 4, bin_b)],
        user=warehouse_user,
    )
    # then
    sent.refresh_from_db()
    assert sent.status == S.RECEIVED
    assert sent.received_at is not None
    assert len(movements) == 3
    assert (on_hand(mug, bin_a), on_hand(mug, bin_b), on_hand(bowl, bin_b)) == (9, 1, 4)
    assert StockMovement.objects.filter(reference=sent.number).count() == 4


def test_over_receipt_is_refused_with_what_is_still_expected(
    sent, mug, bin_a, warehouse_user, snapshot
):
    # given 7 of 10 in
    services.purchase_order_receive(
        purchase_order_id=sent.pk, lines=[(mug, 7, bin_a)], user=warehouse_user
    )
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(Conflict) as refused:
        services.purchase_order_receive(
            purchase_order_id=sent.pk, lines=[(mug, 5, bin_a)], user=warehouse_user
        )
    assert refused.value.code == "over_receipt"
    assert "expects only 3 more of MUG-RED Red mug (10 ordered, 7 received)" in str(refused.value)
    assert po_state(sent) == before
    assert snapshot() == stock


def test_one_bad_line_refuses_the_whole_receipt(sent, mug, bowl, bin_a, warehouse_user, snapshot):
    # given
    before, stock = po_state(sent), snapshot()
    # when 2 mugs (fine) and 5 bowls (only 4 ordered)
    with pytest.raises(Conflict, match="expects only 4 more of BOWL"):
        services.purchase_order_receive(
            purchase_order_id=sent.pk,
            lines=[(mug, 2, bin_a), (bowl, 5, bin_a)],
            user=warehouse_user,
        )
    # then
    assert po_state(sent) == before
    assert snapshot() == stock


def test_a_product_not_on_the_order_is_refused(sent, bin_a, warehouse_user, snapshot):
    # given
    cup = ProductFactory(sku="CUP", name="Cup")
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(Conflict, match=f"Not on {sent.number}: CUP Cup") as refused:
        services.purchase_order_receive(
            purchase_order_id=sent.pk, lines=[(cup, 1, bin_a)], user=warehouse_user
        )
    assert refused.value.code == "not_on_purchase_order"
    assert po_state(sent) == before
    assert snapshot() == stock


def test_a_bin_in_another_warehouse_is_refused(sent, mug, warehouse_user, snapshot):
    # given
    east = LocationFactory(warehouse=WarehouseFactory(code="EAST"), code="E-01-01")
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(Conflict, match="is delivered to MAIN"):
        services.purchase_order_receive(
            purchase_order_id=sent.pk, lines=[(mug, 1, east)], user=warehouse_user
        )
    assert po_state(sent) == before
    assert snapshot() == stock


@pytest.mark.parametrize(("quantity", "words"), [(0, "at least 1"), ("x", "whole number")])
def test_a_bad_quantity_is_refused(sent, mug, bin_a, warehouse_user, snapshot, quantity, words):
    # given
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(InvalidInput, match=words):
        services.purchase_order_receive(
            purchase_order_id=sent.pk, lines=[(mug, quantity, bin_a)], user=warehouse_user
        )
    assert po_state(sent) == before
    assert snapshot() == stock


def test_receiving_a_draft_is_refused(draft, mug, bin_a, warehouse_user, snapshot):
    # given
    before, stock = po_state(draft), snapshot()
    # when / then
    with pytest.raises(TransitionRefused, match=r"is draft\. Send it to the supplier first"):
        services.purchase_order_receive(
            purchase_order_id=draft.pk, lines=[(mug, 1, bin_a)], user=warehouse_user
        )
    assert po_state(draft) == before
    assert snapshot() == stock


def test_receiving_a_cancelled_order_is_refused(sent, mug, bin_a, manager_user, snapshot):
    # given
    services.purchase_order_cancel(purchase_order_id=sent.pk, user=manager_user)
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(TransitionRefused, match="is cancelled"):
        services.purchase_order_receive(
            purchase_order_id=sent.pk, lines=[(mug, 1, bin_a)], user=manager_user
        )
    assert po_state(sent) == before
    assert snapshot() == stock


def test_sales_cannot_receive(sent, mug, bin_a, sales_user, snapshot):
    # given
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(NotAllowed):
        services.purchase_order_receive(
            purchase_order_id=sent.pk, lines=[(mug, 1, bin_a)], user=sales_user
        )
    assert po_state(sent) == before
    assert snapshot() == stock


# --- undo -------------------------------------------------------------------------------------


def test_undoing_a_po_receipt_lowers_received_and_reopens_the_order(
    sent, mug, bowl, bin_a, warehouse_user
):
    # given everything received
    movements = services.purchase_order_receive(
        purchase_order_id=sent.pk, lines=[(mug, 10, bin_a), (bowl, 4, bin_a)], user=warehouse_user
    )
    # when the bowls are taken back
    reversal = services.purchase_order_receipt_undo(movement=movements[1], user=warehouse_user)
    # then
    sent.refresh_from_db()
    assert sent.status == S.PARTIALLY_RECEIVED
    assert sent.received_at is None
    assert line_of(sent, bowl).quantity_received == 0
    assert (reversal.quantity, on_hand(bowl, bin_a)) == (-4, 0)
    assert PurchaseOrderReceipt.objects.get(movement=movements[1]).undone_at is not None


def test_undoing_a_po_receipt_twice_is_refused(sent, mug, bin_a, warehouse_user, snapshot):
    # given
    [movement] = services.purchase_order_receive(
        purchase_order_id=sent.pk, lines=[(mug, 2, bin_a)], user=warehouse_user
    )
    services.purchase_order_receipt_undo(movement=movement, user=warehouse_user)
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(Conflict, match="already undone"):
        services.purchase_order_receipt_undo(movement=movement, user=warehouse_user)
    assert po_state(sent) == before
    assert snapshot() == stock


def test_undoing_a_plain_receipt_only_reverses_stock(mug, bin_a, warehouse_user):
    # given
    receipt = services.stock_receive(product=mug, location=bin_a, quantity=2, user=warehouse_user)
    # when
    services.purchase_order_receipt_undo(movement=receipt, user=warehouse_user)
    # then
    assert on_hand(mug, bin_a) == 0
