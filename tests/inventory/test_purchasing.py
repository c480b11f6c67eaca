"""Purchase orders: create, send, cancel, receive, undo, and the automatic draft for backorders."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_fsm import can_proceed

from inventory import services
from inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderReceipt,
    StockLevel,
    StockMovement,
)
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from orders import services as order_services
from orders.models import Order, OrderEvent
from tests.factories import (
    CustomerFactory,
    LocationFactory,
    ProductFactory,
    SupplierFactory,
    WarehouseFactory,
    address_data,
)

S = PurchaseOrder.Status


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="ACME", name="Acme Mugs")


@pytest.fixture
def mug(product, supplier):
    """The red mug, bought from Acme, reordered when 2 or fewer are left."""
    product.supplier = supplier
    product.reorder_point = 2
    product.save()
    return product


@pytest.fixture
def bowl(supplier):
    return ProductFactory(sku="BOWL", name="Blue bowl", supplier=supplier)


@pytest.fixture
def draft(mug, bowl, supplier, warehouse, manager_user):
    """A draft for 10 mugs and 4 bowls to the main warehouse."""
    return services.purchase_order_create(
        supplier=supplier,
        warehouse=warehouse,
        lines=[(mug, 10, "3.20"), (bowl, 4)],
        user=manager_user,
    )


@pytest.fixture
def sent(draft, manager_user):
    return services.purchase_order_send(purchase_order_id=draft.pk, user=manager_user)


def po_state(po):
    """Return a purchase order's status, version and lines, to prove nothing changed."""
    po = PurchaseOrder.objects.get(pk=po.pk)
    lines = sorted(
        PurchaseOrderLine.objects.filter(purchase_order=po).values_list(
            "product_id", "quantity_ordered", "quantity_received"
        )
    )
    return po.status, po.version, lines


def line_of(po, product) -> PurchaseOrderLine:
    return PurchaseOrderLine.objects.get(purchase_order=po, product=product)


def on_hand(product, location) -> int:
    level = StockLevel.objects.filter(product=product, location=location).first()
    return level.on_hand if level else 0


# --- create -----------------------------------------------------------------------------------


def test_create_makes_a_numbered_draft_with_its_lines(draft, mug, bowl, manager_user):
    # given / when the draft fixture
    # then
    assert draft.status == S.DRAFT
    assert draft.number == f"PO-{draft.pk:06d}"
    assert draft.created_by == manager_user
    assert line_of(draft, mug).quantity_ordered == 10
    assert line_of(draft, mug).unit_cost == Decimal("3.20")
    assert line_of(draft, bowl).unit_cost == Decimal("0.00")


def test_create_merges_two_lines_of_one_product(mug, supplier, warehouse, manager_user):
    # given / when
    po = services.purchase_order_create(
        supplier=supplier, warehouse=warehouse, lines=[(mug, 3), (mug, 4)], user=manager_user
    )
    # then
    assert list(po.lines.values_list("quantity_ordered", flat=True)) == [7]


@pytest.mark.parametrize(
    ("lines", "error", "words"),
    [
        ([], InvalidInput, "at least one line"),
        ([("mug", 0)], InvalidInput, "at least 1"),
        ([("mug", "two")], InvalidInput, "whole number"),
        ([("mug", 1, "-1")], InvalidInput, "0 or more"),
        ([("mug", 1, "1.999")], InvalidInput, "two decimals"),
        ([("old", 1)], InvalidInput, "deactivated"),
        ([("sofa", 1)], InvalidInput, "drop-ship"),
    ],
)
def test_create_refuses_bad_lines_and_writes_nothing(
    mug, supplier, warehouse, manager_user, lines, error, words
):
    # given
    products = {
        "mug": mug,
        "old": ProductFactory(is_active=False),
        "sofa": ProductFactory(is_drop_ship=True),
    }
    wanted = [(products[name], *rest) for name, *rest in lines]
    # when / then
    with pytest.raises(error, match=words):
        services.purchase_order_create(
            supplier=supplier, warehouse=warehouse, lines=wanted, user=manager_user
        )
    assert PurchaseOrder.objects.count() == 0


def test_create_refuses_an_inactive_supplier_or_closed_warehouse(
    mug, supplier, warehouse, manager_user
):
    # given
    closed = WarehouseFactory(code="OLD", is_active=False)
    gone = SupplierFactory(is_active=False)
    # when / then
    with pytest.raises(Conflict, match="inactive"):
        services.purchase_order_create(
            supplier=gone, warehouse=warehouse, lines=[(mug, 1)], user=manager_user
        )
    with pytest.raises(Conflict, match="closed"):
        services.purchase_order_create(
            supplier=supplier, warehouse=closed, lines=[(mug, 1)], user=manager_user
        )
    assert PurchaseOrder.objects.count() == 0


@pytest.mark.parametrize("role", ["sales_user", "warehouse_user"])
def test_only_managers_create_purchase_orders(request, mug, supplier, warehouse, role):
    # given
    user = request.getfixturevalue(role)
    # when / then
    with pytest.raises(NotAllowed):
        services.purchase_order_create(
            supplier=supplier, warehouse=warehouse, lines=[(mug, 1)], user=user
        )
    assert PurchaseOrder.objects.count() == 0


# --- send and cancel --------------------------------------------------------------------------


def test_send_moves_a_draft_to_sent(draft, manager_user):
    # when
    po = services.purchase_order_send(purchase_order_id=draft.pk, user=manager_user)
    # then
    po.refresh_from_db()
    assert po.status == S.SENT
    assert po.sent_at is not None
    assert po.version == draft.version + 1


def test_send_twice_is_refused_and_changes_nothing(sent, manager_user):
    # given
    before = po_state(sent)
    # when / then
    with pytest.raises(TransitionRefused, match="is sent"):
        services.purchase_order_send(purchase_order_id=sent.pk, user=manager_user)
    assert po_state(sent) == before


def test_warehouse_staff_cannot_send(draft, warehouse_user):
    # given
    before = po_state(draft)
    # when / then
    with pytest.raises(NotAllowed):
        services.purchase_order_send(purchase_order_id=draft.pk, user=warehouse_user)
    assert po_state(draft) == before


def test_a_missing_purchase_order_is_not_found(db, manager_user):
    with pytest.raises(NotFound):
        services.purchase_order_send(purchase_order_id=999, user=manager_user)


@pytest.mark.parametrize("fixture", ["draft", "sent"])
def test_cancel_a_draft_or_sent_order(request, manager_user, fixture):
    # given
    po = request.getfixturevalue(fixture)
    # when
    services.purchase_order_cancel(
        purchase_order_id=po.pk, user=manager_user, reason="supplier closed"
    )
    # then
    po.refresh_from_db()
    assert po.status == S.CANCELLED
    assert "Cancelled: supplier closed" in po.notes


def test_cancel_after_goods_arrived_is_refused(sent, mug, bin_a, manager_user, snapshot):
    # given 2 mugs received
    services.purchase_order_receive(
        purchase_order_id=sent.pk, lines=[(mug, 2, bin_a)], user=manager_user
    )
    before, stock = po_state(sent), snapshot()
    # when / then
    with pytest.raises(TransitionRefused, match="partially received"):
        services.purchase_order_cancel(purchase_order_id=sent.pk, user=manager_user)
    assert po_state(sent) == before
    assert snapshot() == stock


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


# --- automatic draft for backorders -----------------------------------------------------------


def test_a_shortfall_raises_a_draft_for_it_plus_the_reorder_point(mug, warehouse, bin_a):
    # when 5 are short and nothing is on order
    request = services.purchase_order_request(product=mug, shortfall=5)
    # then
    po = request.purchase_order
    assert request.created and request.quantity == 7
    assert (po.status, po.supplier, po.warehouse) == (S.DRAFT, mug.supplier, warehouse)
    assert line_of(po, mug).quantity_ordered == 7


def test_open_orders_that_cover_the_shortfall_mean_nothing_new(sent, mug):
    # given 10 mugs on a sent order
    # when 8 are short
    request = services.purchase_order_request(product=mug, shortfall=8)
    # then
    assert (request.purchase_order, request.quantity, request.covered) == (None, 0, 10)
    assert request.numbers == [sent.number]
    assert PurchaseOrder.objects.count() == 1


def test_a_bigger_shortfall_tops_up_the_suppliers_draft(sent, mug, bowl, warehouse):
    # given 10 mugs and 4 bowls on a sent order, and a draft for 2 more bowls
    bowls = services.purchase_order_request(product=bowl, shortfall=6).purchase_order
    assert line_of(bowls, bowl).quantity_ordered == 2
    # when 15 mugs are short
    request = services.purchase_order_request(product=mug, shortfall=15)
    # then the mugs join the bowls' draft: 15 - 10 on order + 2 reorder point
    assert request.purchase_order == bowls
    assert not request.created
    assert line_of(bowls, mug).quantity_ordered == 7
    assert PurchaseOrder.objects.filter(status=S.DRAFT).count() == 1
    # and asked again with the same shortfall, nothing more is ordered
    again = services.purchase_order_request(product=mug, shortfall=15)
    assert again.quantity == 0
    assert line_of(bowls, mug).quantity_ordered == 7


def test_a_second_request_tops_up_the_same_line(mug, warehouse):
    # given
    first = services.purchase_order_request(product=mug, shortfall=5).purchase_order
    # when the shortfall grows to 12 (7 already on the draft)
    services.purchase_order_request(product=mug, shortfall=12)
    # then
    assert list(first.lines.values_list("quantity_ordered", flat=True)) == [7 + 5 + 2]


def test_the_draft_goes_to_the_warehouse_that_holds_the_product(mug, warehouse):
    # given the mug is stocked in EAST, which comes before MAIN
    east = WarehouseFactory(code="EAST", priority=1)
    services.stock_receive(product=mug, location=LocationFactory(warehouse=east), quantity=1)
    # when
    request = services.purchase_order_request(product=mug, shortfall=3)
    # then
    assert request.purchase_order.warehouse == east


def test_drop_ship_and_cancelled_orders_are_not_cover(sent, mug, manager_user):
    # given the only open cover is cancelled
    services.purchase_order_cancel(purchase_order_id=sent.pk, user=manager_user)
    # when
    request = services.purchase_order_request(product=mug, shortfall=1)
    # then
    assert request.covered == 0
    assert request.purchase_order != sent


@pytest.mark.parametrize("case", ["no supplier", "inactive supplier", "drop-ship"])
def test_a_product_that_cannot_be_bought_gets_none(db, warehouse, case):
    # given
    product = {
        "no supplier": lambda: ProductFactory(),
        "inactive supplier": lambda: ProductFactory(supplier=SupplierFactory(is_active=False)),
        "drop-ship": lambda: ProductFactory(supplier=SupplierFactory(), is_drop_ship=True),
    }[case]()
    # when
    request = services.purchase_order_request(product=product, shortfall=3)
    # then
    assert request is None
    assert PurchaseOrder.objects.count() == 0


# --- the whole story --------------------------------------------------------------------------


def test_backorder_draft_send_receive_serves_the_backorder(
    mug, bin_a, sales_user, manager_user, warehouse_user, django_capture_on_commit_callbacks
):
    # given an order for 4 mugs, none in stock
    order = order_services.order_create(
        customer=CustomerFactory(),
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": mug.sku, "quantity": 4}],
        place=True,
    )
    order = order_services.order_confirm(order_id=order.pk, user=sales_user)
    assert order.status == Order.Status.BACKORDERED
    # then a draft for 4 + 2 is raised, and the order's timeline names it
    po = PurchaseOrder.objects.get()
    assert (po.status, line_of(po, mug).quantity_ordered) == (S.DRAFT, 6)
    event = order.events.get(type=OrderEvent.Type.PURCHASE)
    assert po.number in event.note
    # when purchasing sends it and the warehouse receives it
    services.purchase_order_send(purchase_order_id=po.pk, user=manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_order_receive(
            purchase_order_id=po.pk, lines=[(mug, 6, bin_a)], user=warehouse_user
        )
    # then the order is served and the rest is free stock
    order.refresh_from_db()
    po.refresh_from_db()
    assert order.status == Order.Status.ALLOCATED
    assert po.status == S.RECEIVED
    level = StockLevel.objects.get(product=mug, location=bin_a)
    assert (level.on_hand, level.allocated) == (6, 4)
    assert PurchaseOrder.objects.count() == 1


# --- admin ------------------------------------------------------------------------------------


def test_admin_send_button_runs_the_service(client, admin_user, draft):
    # given
    client.force_login(admin_user)
    url = reverse("admin:inventory_purchaseorder_change", args=[draft.pk])
    data = {"_fsm_transition_to": "send", "lines-TOTAL_FORMS": 2, "lines-INITIAL_FORMS": 2}
    # when
    page = client.get(url)
    response = client.post(url, data)
    # then
    assert "Send to supplier" in page.text
    assert "mark_received" not in page.text
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.SENT


def test_admin_refuses_cancelling_a_received_order(
    client, admin_user, sent, mug, bowl, bin_a, warehouse_user
):
    # given
    services.purchase_order_receive(
        purchase_order_id=sent.pk, lines=[(mug, 10, bin_a), (bowl, 4, bin_a)], user=warehouse_user
    )
    client.force_login(admin_user)
    url = reverse("admin:inventory_purchaseorder_change", args=[sent.pk])
    data = {"_fsm_transition_to": "cancel", "lines-TOTAL_FORMS": 2, "lines-INITIAL_FORMS": 2}
    # when
    response = client.post(url, data, follow=True)
    # then
    assert "is received" in response.text
    sent.refresh_from_db()
    assert sent.status == S.RECEIVED


# --- the state machine as a table -------------------------------------------------------------

PO_ALLOWED = {
    "send": {S.DRAFT: S.SENT},
    "mark_partially_received": {
        S.SENT: S.PARTIALLY_RECEIVED,
        S.PARTIALLY_RECEIVED: S.PARTIALLY_RECEIVED,
        S.RECEIVED: S.PARTIALLY_RECEIVED,
    },
    "mark_received": {S.SENT: S.RECEIVED, S.PARTIALLY_RECEIVED: S.RECEIVED},
    "cancel": {S.DRAFT: S.CANCELLED, S.SENT: S.CANCELLED},
}
PO_CASES = [(name, state, PO_ALLOWED[name].get(state)) for name in PO_ALLOWED for state in S]


@pytest.mark.parametrize(
    ("transition", "state", "target"), PO_CASES, ids=[f"{t}-from-{s}" for t, s, _ in PO_CASES]
)
def test_purchase_order_transition_table(transition, state, target):
    # given
    po = PurchaseOrder(status=state)
    method = getattr(po, transition)
    # when
    allowed = can_proceed(method)
    # then
    assert allowed is (target is not None)
    if target is not None:
        method()
        assert po.status == target


def test_the_status_cannot_be_written_directly():
    # given
    po = PurchaseOrder(status=S.DRAFT)
    # when / then
    with pytest.raises(AttributeError):
        po.status = S.RECEIVED
