"""Counts too far from the record wait for a manager; only then are they booked."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory import services
from inventory.models import CountAdjustment, StockLevel, StockMovement
from inventory.selectors import ledger_mismatches
from oms.errors import Conflict, NotAllowed, NotFound, TransitionRefused
from tests.factories import ProductFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
PENDING = CountAdjustment.Status.PENDING


def level(product, location) -> tuple[int, int]:
    row = StockLevel.objects.get(product=product, location=location)
    return row.on_hand, row.allocated


def adjustments():
    return sorted(
        CountAdjustment.objects.values_list("pk", "status", "expected", "counted", "movement_id")
    )


@pytest.fixture
def pending(stocked, bin_a, warehouse_user):
    """A warehouse count of 7 red mugs where 10 are on record: waiting for approval."""
    line = services.stock_count(
        product=stocked, location=bin_a, counted=7, user=warehouse_user, reference="COUNT A"
    )
    return line.pending


# --- counting --------------------------------------------------------------------------------


def test_a_count_off_by_more_than_the_share_waits_and_books_nothing(
    stocked, bin_a, warehouse_user, snapshot
):
    # given 10 on record
    before = snapshot()
    # when a warehouse count finds 7 (30 %, above the 10 % allowed)
    line = services.stock_count(product=stocked, location=bin_a, counted=7, user=warehouse_user)
    # then nothing is booked; the count waits for a manager
    assert snapshot() == before
    assert line.movement is None
    assert (line.expected, line.counted, line.difference) == (10, 7, -3)
    adjustment = line.pending
    assert (adjustment.status, adjustment.counted_by) == (PENDING, warehouse_user)
    assert (adjustment.expected, adjustment.counted) == (10, 7)
    assert StockLevel.objects.get(location=bin_a).last_counted_at is None


def test_a_count_off_by_more_than_the_value_waits_even_within_the_share(
    bin_a, warehouse_user, snapshot
):
    # given 100 lamps at 50.00 on record
    lamp = ProductFactory(sku="LAMP", price=Decimal("50.00"))
    services.stock_receive(product=lamp, location=bin_a, quantity=100)
    before = snapshot()
    # when a count finds 97: 3 % off, but 150.00 worth (above the 100.00 allowed)
    line = services.stock_count(product=lamp, location=bin_a, counted=97, user=warehouse_user)
    # then it waits
    assert line.pending is not None
    assert line.pending.difference_value == Decimal("-150.00")
    assert snapshot() == before


def test_a_small_difference_is_booked_at_once(stocked, bin_a, warehouse_user):
    # when a count finds 9 of 10 (10 %, 9.90 worth: within both limits)
    line = services.stock_count(product=stocked, location=bin_a, counted=9, user=warehouse_user)
    # then it is booked
    assert line.pending is None
    assert (line.movement.kind, line.movement.quantity) == (StockMovement.Kind.COUNT, -1)
    assert level(stocked, bin_a) == (9, 0)
    assert not CountAdjustment.objects.exists()


def test_a_managers_count_is_booked_at_once(stocked, bin_a, manager_user):
    # when a manager (who may adjust stock anyway) counts 2 of 10
    line = services.stock_count(product=stocked, location=bin_a, counted=2, user=manager_user)
    # then it is booked
    assert line.pending is None
    assert level(stocked, bin_a) == (2, 0)


def test_the_limits_are_settings(stocked, bin_a, warehouse_user, settings):
    # given a warehouse that allows counts 50 % off
    settings.OMS_COUNT_APPROVAL_SHARE = "0.5"
    # when a count finds 7 of 10
    line = services.stock_count(product=stocked, location=bin_a, counted=7, user=warehouse_user)
    # then it is booked at once
    assert line.pending is None
    assert level(stocked, bin_a) == (7, 0)


def test_a_newer_count_replaces_a_waiting_one(pending, stocked, bin_a, warehouse_user):
    # when the bin is counted again and matches the record
    line = services.stock_count(product=stocked, location=bin_a, counted=10, user=warehouse_user)
    # then the older count is closed, and nothing waits any more
    pending.refresh_from_db()
    assert pending.status == CountAdjustment.Status.REJECTED
    assert pending.note == "Replaced by a newer count by wendy.warehouse"
    assert line.pending is None
    assert not CountAdjustment.objects.filter(status=PENDING).exists()


def test_the_count_screen_says_a_large_difference_was_sent_for_approval(
    client, warehouse_user, stocked, bin_a
):
    # given a warehouse user counting the bin: 7 mugs where 10 are on record
    client.force_login(warehouse_user)
    client.post(reverse("inventory:count_scan"), {"code": "BIN-MAIN-A-01-01"}, **HTMX)
    client.post(reverse("inventory:count_scan"), {"code": "7*4006381333931"}, **HTMX)
    # when the bin is finished
    response = client.post(reverse("inventory:count_finish"), **HTMX)
    # then the answer says the difference waits for a manager, and nothing was booked
    body = response.content.decode()
    assert (
        "Bin A-01-01 counted. 1 difference found. 1 difference too large to book: sent for a "
        "manager&#x27;s approval (not booked yet)." in body
    )
    assert "data-pending>sent for approval</span>" in body
    assert level(stocked, bin_a) == (10, 0)
    assert CountAdjustment.objects.get().counted == 7


# --- deciding --------------------------------------------------------------------------------


def test_approving_books_the_count_through_the_ledger(pending, stocked, bin_a, manager_user):
    # when a manager approves
    approved = services.count_adjustment_approve(
        adjustment_id=pending.pk, user=manager_user, note="Seen the empty shelf"
    )
    # then the count is booked, with who counted and who approved
    assert level(stocked, bin_a) == (7, 0)
    movement = approved.movement
    assert (movement.kind, movement.quantity, movement.user) == (
        StockMovement.Kind.COUNT,
        -3,
        manager_user,
    )
    assert movement.reason == "Count by wendy.warehouse, approved: Seen the empty shelf"
    assert movement.reference == "COUNT A"
    assert (approved.status, approved.decided_by) == (
        CountAdjustment.Status.APPROVED,
        manager_user,
    )
    assert StockLevel.objects.get(location=bin_a).last_counted_at == pending.created_at
    assert ledger_mismatches() == []


def test_approving_after_stock_moved_is_refused_and_changes_nothing(
    pending, stocked, bin_a, manager_user, snapshot
):
    # given 5 more mugs received since the count
    services.stock_receive(product=stocked, location=bin_a, quantity=5)
    before = snapshot(), adjustments()
    # when a manager approves
    with pytest.raises(Conflict) as refused:
        services.count_adjustment_approve(adjustment_id=pending.pk, user=manager_user)
    # then it is refused, saying so, and the count still waits
    assert refused.value.code == "stock_moved"
    assert refused.value.message == (
        "Stock of MUG-RED in A-01-01 moved since the count: 10 were on record then, 15 now. "
        "Reject this count and count the bin again."
    )
    assert (snapshot(), adjustments()) == before


def test_rejecting_keeps_the_stock_and_a_decided_count_cannot_be_decided_again(
    pending, stocked, bin_a, manager_user, snapshot
):
    # when a manager rejects
    rejected = services.count_adjustment_reject(
        adjustment_id=pending.pk, user=manager_user, note="Count again"
    )
    # then the stock stays as recorded
    assert rejected.status == CountAdjustment.Status.REJECTED
    assert (rejected.decided_by, rejected.note) == (manager_user, "Count again")
    assert level(stocked, bin_a) == (10, 0)
    # and approving it now is refused, changing nothing
    before = snapshot(), adjustments()
    with pytest.raises(TransitionRefused, match="was already rejected"):
        services.count_adjustment_approve(adjustment_id=pending.pk, user=manager_user)
    assert (snapshot(), adjustments()) == before


@pytest.mark.parametrize("decide", ["count_adjustment_approve", "count_adjustment_reject"])
def test_warehouse_staff_cannot_decide_on_counts(pending, warehouse_user, snapshot, decide):
    before = snapshot(), adjustments()
    with pytest.raises(NotAllowed, match="Only managers"):
        getattr(services, decide)(adjustment_id=pending.pk, user=warehouse_user)
    assert (snapshot(), adjustments()) == before


@pytest.mark.parametrize("adjustment_id", [999999, "abc", "", None, "\u00b2", "9" * 30])
def test_an_unknown_count_is_not_found(db, manager_user, adjustment_id):
    with pytest.raises(NotFound, match="That count does not exist"):
        services.count_adjustment_approve(adjustment_id=adjustment_id, user=manager_user)


# --- the manager's page ------------------------------------------------------------------------


def test_the_manager_page_lists_waiting_counts_and_approves_them(
    client, manager_user, pending, stocked, bin_a
):
    # given
    client.force_login(manager_user)
    # when
    page = client.get(reverse("inventory:count_approvals"))
    response = client.post(
        reverse("inventory:count_approve", args=[pending.pk]), {"note": "ok"}, follow=True
    )
    # then
    assert f'data-count-adjustment="{pending.pk}"' in page.text
    assert "Red mug" in page.text and "-29.70" in page.text
    assert "data-stock-moved" not in page.text
    assert "Count of Red mug in A-01-01 approved and booked." in response.text
    assert level(stocked, bin_a) == (7, 0)
    assert "No count is waiting for approval." in response.text


def test_the_manager_page_shows_stock_moved_and_refuses_to_book_it(
    client, manager_user, pending, stocked, bin_a
):
    # given 5 received since the count
    services.stock_receive(product=stocked, location=bin_a, quantity=5)
    client.force_login(manager_user)
    # when
    page = client.get(reverse("inventory:count_approvals"))
    response = client.post(reverse("inventory:count_approve", args=[pending.pk]), follow=True)
    # then
    assert "data-stock-moved>stock moved since the count" in page.text
    assert "moved since the count: 10 were on record then, 15 now" in response.text
    assert level(stocked, bin_a) == (15, 0)


def test_the_manager_page_rejects(client, manager_user, pending, stocked, bin_a):
    client.force_login(manager_user)
    client.post(reverse("inventory:count_reject", args=[pending.pk]), {"note": "no"})
    pending.refresh_from_db()
    assert (pending.status, pending.note) == (CountAdjustment.Status.REJECTED, "no")
    assert level(stocked, bin_a) == (10, 0)


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", "count_approvals"), ("post", "count_approve"), ("post", "count_reject")],
)
def test_warehouse_staff_are_refused_the_manager_page(
    client, warehouse_user, pending, snapshot, method, name
):
    client.force_login(warehouse_user)
    before = snapshot(), adjustments()
    url = reverse(f"inventory:{name}", args=[] if name == "count_approvals" else [pending.pk])
    response = getattr(client, method)(url)
    assert response.status_code == 403
    assert "Red mug" not in response.text
    assert (snapshot(), adjustments()) == before


def test_the_manager_page_costs_the_same_queries_for_many_counts(
    client, manager_user, warehouse_user, bin_a, django_assert_max_num_queries
):
    # given twelve products each counted far off
    for _ in range(12):
        product = ProductFactory()
        services.stock_receive(product=product, location=bin_a, quantity=10)
        services.stock_count(product=product, location=bin_a, counted=1, user=warehouse_user)
    client.force_login(manager_user)
    # when / then
    with django_assert_max_num_queries(8):
        response = client.get(reverse("inventory:count_approvals"))
    assert response.text.count("data-count-adjustment=") == 12


# --- the API and the admin -----------------------------------------------------------------------


def test_the_api_lists_and_approves_counts(api_as, manager_user, pending, stocked, bin_a):
    client = api_as(manager_user)
    listed = client.get("/api/v1/count-adjustments/?status=pending")
    response = client.post(
        f"/api/v1/count-adjustments/{pending.pk}/approve/", {"note": "ok"}, format="json"
    )
    assert [row["id"] for row in listed.json()["results"]] == [pending.pk]
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["decided_by"]) == (
        "approved",
        "maya.manager",
    )
    assert level(stocked, bin_a) == (7, 0)


def test_the_api_refuses_warehouse_staff_and_stale_counts(
    api_as, warehouse_user, manager_user, pending, stocked, bin_a, snapshot
):
    # given stock moved since the count
    services.stock_receive(product=stocked, location=bin_a, quantity=1)
    before = snapshot(), adjustments()
    # when / then
    url = f"/api/v1/count-adjustments/{pending.pk}/approve/"
    assert api_as(warehouse_user).post(url, {}, format="json").status_code == 403
    stale = api_as(manager_user).post(url, {}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stock_moved"
    missing = api_as(manager_user).post("/api/v1/count-adjustments/abc/reject/", {}, format="json")
    assert missing.status_code == 404
    long_note = api_as(manager_user).post(
        f"/api/v1/count-adjustments/{pending.pk}/reject/", {"note": "x" * 300}, format="json"
    )
    assert long_note.status_code == 400
    assert (snapshot(), adjustments()) == before


def test_the_api_answers_a_body_that_is_no_object_as_every_endpoint_does(
    api_as, manager_user, pending, snapshot
):
    # given
    before = snapshot(), adjustments()
    # when
    response = api_as(manager_user).post(
        f"/api/v1/count-adjustments/{pending.pk}/approve/", ["ok"], format="json"
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["non_field_errors"]
    assert (snapshot(), adjustments()) == before


def test_the_admin_approve_button_runs_the_service(client, admin_user, pending, stocked, bin_a):
    client.force_login(admin_user)
    url = reverse("admin:inventory_countadjustment_change", args=[pending.pk])
    page = client.get(url)
    response = client.post(url, {"_fsm_transition_to": "approve"})
    assert "Approve and book" in page.text
    assert response.status_code == 302
    assert level(stocked, bin_a) == (7, 0)
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (CountAdjustment.Status.APPROVED, admin_user)
