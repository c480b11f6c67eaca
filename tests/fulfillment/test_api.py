import pytest

from fulfillment.models import Shipment
from orders.models import Order


@pytest.fixture
def api(api_as, warehouse_user):
    return api_as(warehouse_user)


def test_whole_flow_through_the_api(api, make_order, stocked, box, royal_mail):
    # given
    order = make_order(("MUG-RED", 2))
    # when: shipment, wave, pick, pack, ship, deliver
    created = api.post("/api/v1/shipments/", {"order": order.pk}, format="json")
    assert created.status_code == 201, created.json()
    shipment = created.json()[0]
    wave = api.post("/api/v1/waves/", {"max_orders": 10}, format="json").json()
    assert wave["pick_list"][0]["location"] == "A-01-01"
    for code in ["BIN-MAIN-A-01-01", "2*4006381333931"]:
        answer = api.post("/api/v1/scans/pick/", {"wave": wave["id"], "code": code}, format="json")
        assert answer.status_code == 200, answer.json()
    for code in [shipment["number"], "2*4006381333931", "CMD-DONE"]:
        answer = api.post(
            "/api/v1/scans/pack/",
            {"shipment": shipment["id"], "code": code, "package_type": box.pk},
            format="json",
        )
        assert answer.status_code == 200, answer.json()
    shipped = api.post(
        f"/api/v1/shipments/{shipment['id']}/ship/", {"tracking_number": "RM77"}, format="json"
    )
    delivered = api.post("/api/v1/tracking/", {"tracking_number": "RM77"}, format="json")
    # then
    assert shipped.status_code == 200, shipped.json()
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["parcels"][0]["weight_grams"] == 620
    assert delivered.status_code == 200
    assert delivered.json()["shipments"][0]["status"] == "delivered"
    assert Order.objects.get(pk=order.pk).status == Order.Status.DELIVERED
    detail = api.get(f"/api/v1/shipments/{shipment['id']}/").json()
    assert detail["tracking_url"] == "https://rm.example/track?n=RM77"
    listed = api.get("/api/v1/shipments/?status=delivered").json()
    assert [row["number"] for row in listed["results"]] == [shipment["number"]]


def test_refusals_are_json_with_the_right_status(api, picked_wave, floor):
    # given
    wave, shipment = picked_wave
    before = floor()
    # when
    over = api.post("/api/v1/scans/pick/", {"wave": wave.pk, "code": "CMD-DONE"}, format="json")
    wrong = api.post(
        "/api/v1/scans/pack/", {"shipment": shipment.pk, "code": "4000000000006"}, format="json"
    )
    no_tracking = api.post(f"/api/v1/shipments/{shipment.pk}/ship/", {}, format="json")
    unknown = api.post("/api/v1/tracking/", {"tracking_number": "NOPE"}, format="json")
    missing = api.get("/api/v1/shipments/999/")
    bad = api.post("/api/v1/scans/pick/", {"wave": "x"}, format="json")
    # then
    assert over.status_code == 200  # CMD-DONE on a picked wave is fine
    assert wrong.status_code == 404 and "Unknown code" in wrong.json()["detail"]
    assert no_tracking.status_code == 409 and "no closed parcel" in no_tracking.json()["detail"]
    assert unknown.status_code == 404
    assert missing.status_code == 404
    assert bad.status_code == 400
    assert floor()[:-1] == before[:-1]


def test_sales_cannot_scan_or_post_tracking(api_as, sales_user, picked_wave):
    api = api_as(sales_user)
    wave, _ = picked_wave
    assert api.post("/api/v1/scans/pick/", {"wave": wave.pk, "code": "X"}).status_code == 403
    assert api.post("/api/v1/tracking/", {"tracking_number": "X"}).status_code == 403


def test_anonymous_tracking_update_is_refused(api_client, db):
    response = api_client.post("/api/v1/tracking/", {"tracking_number": "X"})
    assert response.status_code in (401, 403)


def test_carriers_list_their_services(api, royal_mail, local_courier):
    response = api.get("/api/v1/carriers/")
    assert response.status_code == 200
    assert [c["code"] for c in response.json()["results"]] == ["LOC", "RM"]


def test_cancel_through_the_api(api, make_order, stocked, warehouse_user):
    order = make_order(("MUG-RED", 1))
    shipment = api.post("/api/v1/shipments/", {"order": order.pk}, format="json").json()[0]
    response = api.post(f"/api/v1/shipments/{shipment['id']}/cancel/", {"reason": "x"})
    assert response.status_code == 200
    assert Shipment.objects.get().status == "cancelled"
    again = api.post(f"/api/v1/shipments/{shipment['id']}/cancel/", {"reason": "x"})
    assert again.status_code == 409


def test_wave_page_query_count_is_constant(
    api, make_order, warehouse_user, warehouse, receive, django_assert_max_num_queries
):
    from fulfillment import services
    from tests.factories import LocationFactory, ProductFactory

    def build(n):
        for _ in range(n):
            product = ProductFactory()
            location = LocationFactory(warehouse=warehouse)
            receive(product, location, 5)
            make_order((product.sku, 1))
        services.shipments_create_ready(user=warehouse_user)
        return services.wave_create(user=warehouse_user)

    small, large = build(2), build(10)
    api.get(f"/api/v1/waves/{small.pk}/")
    with django_assert_max_num_queries(8) as small_queries:
        api.get(f"/api/v1/waves/{small.pk}/")
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        assert len(api.get(f"/api/v1/waves/{large.pk}/").json()["pick_list"]) == 10
