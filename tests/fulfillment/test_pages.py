from django.urls import reverse

from fulfillment import services
from fulfillment.models import ScanEvent, Shipment


def test_warehouse_builds_a_wave_and_picks_on_the_screen(
    client, make_order, stocked, warehouse_user
):
    # given
    order = make_order(("MUG-RED", 2))
    client.force_login(warehouse_user)
    assert "Pick / pack / ship" in client.get("/").content.decode()
    # when
    client.post(reverse("fulfillment:shipments_ready"))
    response = client.post(reverse("fulfillment:wave_build"), {"max_orders": "5"})
    wave = order.shipments.get().wave
    page = client.get(reverse("fulfillment:pick", args=[wave.pk]))
    url = reverse("fulfillment:pick_scan", args=[wave.pk])
    client.post(url, {"code": "BIN-MAIN-A-01-01"}, HTTP_HX_REQUEST="true")
    wrong = client.post(url, {"code": "9*4006381333931"}, HTTP_HX_REQUEST="true")
    right = client.post(url, {"code": "2*4006381333931"}, HTTP_HX_REQUEST="true")
    # then
    assert response.status_code == 302
    assert "A-01-01" in page.content.decode() and "0 of 1 lines" in page.content.decode()
    assert 'data-scan-status="error"' in wrong.content.decode()
    assert "Over-pick: only 2 × Red mug left to pick from A-01-01." in wrong.content.decode()
    assert 'data-scan-status="ok"' in right.content.decode()
    assert "1 of 1 lines" in right.content.decode()
    # a reload resumes with the last answer
    assert (
        "Picked 2 × Red mug"
        in client.get(reverse("fulfillment:pick", args=[wave.pk])).content.decode()
    )


def test_pack_screen_packs_closes_and_ship_form_ships(
    client, picked_wave, warehouse_user, box, local_courier
):
    # given
    _, shipment = picked_wave
    client.force_login(warehouse_user)
    url = reverse("fulfillment:pack_scan")
    # when
    client.post(url, {"code": shipment.number}, HTTP_HX_REQUEST="true")
    wrong = client.post(url, {"code": "4000000000006"}, HTTP_HX_REQUEST="true")
    client.post(url, {"code": "2*4006381333931"}, HTTP_HX_REQUEST="true")
    closed = client.post(
        reverse("fulfillment:pack_close"), {"package_type": box.pk}, HTTP_HX_REQUEST="true"
    )
    detail = client.get(reverse("fulfillment:shipment_detail", args=[shipment.pk]))
    refused = client.post(
        reverse("fulfillment:shipment_ship", args=[shipment.pk]),
        {"shipping_method": shipment.shipping_method_id, "tracking_number": ""},
    )
    after_refusal = client.get(reverse("fulfillment:shipment_detail", args=[shipment.pk]))
    method = local_courier.methods.get()
    client.post(
        reverse("fulfillment:shipment_ship", args=[shipment.pk]), {"shipping_method": method.pk}
    )
    # then
    assert 'data-scan-status="error"' in wrong.content.decode()
    assert "is packed: ship it" in closed.content.decode()
    assert "Mark shipped" in detail.content.decode()
    assert refused.status_code == 302
    assert "Enter or scan the Royal Post tracking number" in after_refusal.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED
    assert ScanEvent.objects.filter(screen="pack", result="refused").count() == 1


def test_sales_cannot_open_the_floor_pages(client, sales_user):
    client.force_login(sales_user)
    assert client.get(reverse("fulfillment:pack")).status_code == 403
    assert client.get(reverse("fulfillment:wave_list")).status_code == 403


def test_wave_page_queries_stay_constant(
    client, make_order, warehouse_user, warehouse, receive, django_assert_max_num_queries
):
    from tests.factories import LocationFactory, ProductFactory

    def build(n):
        for _ in range(n):
            product = ProductFactory()
            receive(product, LocationFactory(warehouse=warehouse), 5)
            make_order((product.sku, 1))
        services.shipments_create_ready(user=warehouse_user)
        return services.wave_create(user=warehouse_user)

    client.force_login(warehouse_user)
    small, large = build(2), build(10)
    for name in ["fulfillment:wave_detail", "fulfillment:pick"]:
        client.get(reverse(name, args=[small.pk]))
        with django_assert_max_num_queries(30) as counted:
            client.get(reverse(name, args=[small.pk]))
        with django_assert_max_num_queries(len(counted.captured_queries)):
            response = client.get(reverse(name, args=[large.pk]))
        assert response.status_code == 200
    with django_assert_max_num_queries(30) as counted:
        client.get(reverse("fulfillment:wave_list"))


def test_the_pick_answer_is_read_back_from_the_log_after_a_new_login(
    client, picked_wave, warehouse_user
):
    # given a refused scan on the wave, then the user logs out
    wave, _ = picked_wave
    url = reverse("fulfillment:pick_scan", args=[wave.pk])
    client.force_login(warehouse_user)
    client.post(url, {"code": "4006381333931"}, HTTP_HX_REQUEST="true")
    client.logout()
    # when the user logs in again (another browser)
    client.force_login(warehouse_user)
    page = client.get(reverse("fulfillment:pick", args=[wave.pk])).content.decode()
    # then
    assert 'data-scan-status="error"' in page
    assert "Everything on" in page and "is picked: take the totes to the pack bench." in page


def test_closing_a_parcel_before_any_shipment_is_refused_and_shown_after_the_redirect(
    client, warehouse_user, floor
):
    # given nothing opened at the pack bench
    client.force_login(warehouse_user)
    before = floor()
    # when a plain form post closes a parcel
    response = client.post(reverse("fulfillment:pack_close"), {"package_type": ""})
    page = client.get(reverse("fulfillment:pack")).content.decode()
    # then
    assert response.status_code == 302
    assert 'data-scan-status="error"' in page
    assert "Scan the shipment or order barcode first." in page
    assert floor() == before
    assert ScanEvent.objects.get().result == ScanEvent.Result.REFUSED
