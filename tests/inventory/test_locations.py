"""Bins change only through location_update: a bin holding stock cannot change warehouse."""

import pytest
from django.urls import reverse

from inventory import services
from inventory.models import Location
from oms.errors import Conflict, NotAllowed
from tests.factories import WarehouseFactory


def bins():
    return sorted(Location.objects.values_list("pk", "warehouse_id", "code", "barcode"))


@pytest.fixture
def north(db):
    return WarehouseFactory(code="NORTH", name="North")


def test_an_empty_bin_can_move_to_another_warehouse(bin_b, north, warehouse_user):
    moved = services.location_update(location=bin_b, user=warehouse_user, warehouse=north)
    assert (moved.warehouse, moved.code) == (north, "A-01-02")


def test_a_bin_holding_stock_cannot_change_warehouse(stocked, bin_a, north, manager_user, snapshot):
    before = snapshot(), bins()
    with pytest.raises(Conflict) as refused:
        services.location_update(location=bin_a, user=manager_user, warehouse=north)
    assert refused.value.message == (
        "Bin A-01-01 holds stock (1 product(s) on hand): it cannot move to warehouse NORTH. "
        "Move its stock to other bins first."
    )
    assert refused.value.field == "warehouse"
    assert (snapshot(), bins()) == before


def test_a_bin_with_a_count_waiting_cannot_change_warehouse(
    stocked, bin_a, bin_b, north, warehouse_user, manager_user
):
    # given the bin emptied by a transfer, but a count of it waits for approval
    services.stock_count(product=stocked, location=bin_a, counted=2, user=warehouse_user)
    services.stock_transfer(
        product=stocked, from_location=bin_a, to_location=bin_b, quantity=10, user=manager_user
    )
    with pytest.raises(Conflict, match="a count waiting for approval"):
        services.location_update(location=bin_a, user=manager_user, warehouse=north)


def test_other_changes_are_checked_and_sales_may_not_edit_bins(
    bin_a, bin_b, sales_user, warehouse_user, snapshot
):
    before = bins()
    with pytest.raises(Conflict, match="Bin A-01-02 already exists"):
        services.location_update(location=bin_a, user=warehouse_user, code="a-01-02")
    with pytest.raises(NotAllowed):
        services.location_update(location=bin_a, user=sales_user, pick_sequence=5)
    assert bins() == before
    changed = services.location_update(location=bin_a, user=warehouse_user, pick_sequence=5)
    assert changed.pick_sequence == 5


def test_the_api_patches_a_bin_and_refuses_moving_one_with_stock(
    api_as, warehouse_user, stocked, bin_a, bin_b, north, snapshot
):
    client = api_as(warehouse_user)
    before = snapshot(), bins()
    refused = client.patch(f"/api/v1/locations/{bin_a.pk}/", {"warehouse": "NORTH"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["errors"]["warehouse"][0].startswith("Bin A-01-01 holds stock")
    assert (snapshot(), bins()) == before
    moved = client.patch(f"/api/v1/locations/{bin_b.pk}/", {"warehouse": "NORTH"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["warehouse"] == "NORTH"
    bad = client.patch(f"/api/v1/locations/{bin_b.pk}/", {"pick_sequence": -1}, format="json")
    assert bad.status_code == 400


def test_the_admin_refuses_moving_a_bin_with_stock_beside_the_field(
    client, admin_user, stocked, bin_a, north, snapshot
):
    client.force_login(admin_user)
    before = snapshot(), bins()
    response = client.post(
        reverse("admin:inventory_location_change", args=[bin_a.pk]),
        {
            "warehouse": north.pk,
            "code": "A-01-01",
            "barcode": bin_a.barcode,
            "pick_sequence": 10,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "holds stock (1 product(s) on hand)" in response.text
    assert (snapshot(), bins()) == before


def test_the_admin_saves_bin_changes_through_the_service(client, admin_user, bin_b, north):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:inventory_location_change", args=[bin_b.pk]),
        {
            "warehouse": north.pk,
            "code": "b-09",
            "barcode": "",
            "pick_sequence": 7,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    bin_b.refresh_from_db()
    assert (bin_b.warehouse, bin_b.code, bin_b.barcode, bin_b.pick_sequence) == (
        north,
        "B-09",
        "BIN-NORTH-B-09",
        7,
    )
