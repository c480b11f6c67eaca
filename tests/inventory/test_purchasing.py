"""Purchase orders: create, send, cancel, the admin buttons and the state table."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_fsm import can_proceed

from inventory import services
from inventory.models import (
    PurchaseOrder,
)
from oms.errors import Conflict, InvalidInput, NotAllowed, NotFound, TransitionRefused
from tests.factories import (
    ProductFactory,
    SupplierFactory,
    WarehouseFactory,
)
from tests.inventory.helpers import line_of, po_state

S = PurchaseOrder.Status


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
