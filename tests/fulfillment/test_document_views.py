"""Who may print the floor's documents, and how a PDF is answered."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("name", ["shipment_label", "shipment_packing_slip"])
def test_warehouse_prints_shipment_documents_inline_and_sales_is_refused(
    client, shipped_in_parcels, warehouse_user, sales_user, name
):
    # given
    _, shipment = shipped_in_parcels
    url = reverse(f"fulfillment:{name}", args=[shipment.pk])

    # when
    client.force_login(sales_user)
    refused = client.get(url)
    client.force_login(warehouse_user)
    printed = client.get(url)
    saved = client.get(url, {"download": "1"})

    # then
    assert refused.status_code == 403
    assert printed.status_code == 200
    assert printed["Content-Type"] == "application/pdf"
    assert printed["Content-Disposition"].startswith("inline;")
    assert saved["Content-Disposition"].startswith("attachment;")
    assert printed.content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["wave_pick_list", "wave_labels", "wave_packing_slips"])
def test_wave_documents_for_managers_not_for_sales(
    client, shipped_in_parcels, manager_user, sales_user, name
):
    # given
    wave, _ = shipped_in_parcels
    url = reverse(f"fulfillment:{name}", args=[wave.pk])

    # when
    client.force_login(sales_user)
    refused = client.get(url)
    client.force_login(manager_user)
    printed = client.get(url)

    # then
    assert refused.status_code == 403
    assert printed.status_code == 200
    assert printed.content.startswith(b"%PDF")


def test_documents_need_a_login_and_an_existing_object(client, warehouse_user):
    # when
    anonymous = client.get(reverse("fulfillment:shipment_label", args=[1]))
    client.force_login(warehouse_user)
    missing = client.get(reverse("fulfillment:shipment_label", args=[999999]))
    missing_wave = client.get(reverse("fulfillment:wave_labels", args=[999999]))

    # then
    assert anonymous.status_code == 302
    assert missing.status_code == 404
    assert missing_wave.status_code == 404
