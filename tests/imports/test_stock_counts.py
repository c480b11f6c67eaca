"""Importing stock counts: booked as count movements through the count services."""

import pytest
from django.urls import reverse

from inventory.models import StockLevel, StockMovement
from tests.imports.conftest import last_job

FILE = "warehouse,bin,sku,counted\nMAIN,A-01-01,MUG-RED,12\nMAIN,A-01-02,mug-red,3\n"


def test_preview_shows_each_difference_and_books_nothing(
    client, manager_user, stocked, bin_b, upload, snapshot
):
    # given
    client.force_login(manager_user)
    before = snapshot()
    # when
    upload("stock_counts", FILE)
    # then
    job = last_job()
    changed = client.get(reverse("imports:detail", args=[job.pk]) + "?show=update").content.decode()
    created = client.get(reverse("imports:detail", args=[job.pk]) + "?show=new").content.decode()
    assert "MUG-RED in MAIN/A-01-01: 10 on record, 12 counted (+2)" in changed
    assert "MUG-RED in MAIN/A-01-02: 0 on record, 3 counted (+3)" in created
    assert snapshot() == before


def test_confirm_books_count_movements_and_a_rerun_books_nothing(
    client, manager_user, stocked, bin_a, bin_b, preview_and_confirm
):
    # given
    client.force_login(manager_user)
    # when
    _, job = preview_and_confirm("stock_counts", FILE)
    # then
    assert job.params["report"]["totals"]["update"] == 1
    assert job.params["report"]["totals"]["new"] == 1
    counts = StockMovement.objects.filter(kind="count").order_by("pk")
    assert [(m.location_id, m.quantity) for m in counts] == [(bin_a.pk, 2), (bin_b.pk, 3)]
    assert all(m.reference.startswith("IMPORT-") for m in counts)
    # when the stock moves and the same file comes again
    _, again = preview_and_confirm("stock_counts", FILE)
    # then nothing is booked twice
    assert StockMovement.objects.filter(kind="count").count() == 2
    assert again.params["report"]["totals"]["skip"] == 2


def test_bad_rows_are_rejected_with_reasons_and_the_rest_is_booked(
    client, manager_user, stocked, bin_a, preview_and_confirm, django_capture_on_commit_callbacks
):
    # given two units promised to an order

    level = StockLevel.objects.get(product=stocked, location=bin_a)
    client.force_login(manager_user)
    text = (
        "warehouse,bin,sku,counted\n"
        "MAIN,Z-99,MUG-RED,1\n"
        "MAIN,A-01-01,NOPE,1\n"
        "MAIN,A-01-01,MUG-RED,-4\n"
        "MAIN,A-01-01,MUG-RED,many\n"
        "MAIN,A-01-01,MUG-RED,7\n"
        "MAIN,A-01-01,MUG-RED,8\n"
    )
    # when
    preview, _ = preview_and_confirm("stock_counts", text)
    # then
    page = client.get(reverse("imports:detail", args=[preview.pk]) + "?show=rejected")
    body = page.content.decode()
    assert "There is no bin Z-99 in warehouse MAIN." in body
    assert "There is no product with SKU NOPE." in body
    assert "Counted quantity cannot be negative." in body
    assert "Counted quantity must be a whole number." in body
    assert "already counted on line 6" in body
    level.refresh_from_db()
    assert level.on_hand == 7
    assert StockMovement.objects.filter(kind="count").count() == 1


def test_warehouse_staff_cannot_import_counts(client, warehouse_user, stocked, upload, snapshot):
    # given
    client.force_login(warehouse_user)
    before = snapshot()
    # when
    response = upload("stock_counts", FILE)
    # then
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("user", ["sales_user", "warehouse_user"])
def test_the_import_pages_are_for_managers_only(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("imports:index")).status_code == 403
