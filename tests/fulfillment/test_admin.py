"""The floor in the admin: pages per role, transition buttons, print and wave actions, the scan log."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulfillment import services
from fulfillment.models import Carrier, ScanEvent, Shipment, ShippingMethod, Wave
from oms.errors import DomainError
from oms.models import Job
from tests.documents.reading import page_texts, scanned_texts
from tests.fulfillment.conftest import floor_snapshot, pack_in_parcels

ADMIN_PAGES = {
    # url name: (args builder, who may open it)
    "admin:fulfillment_carrier_changelist": {"Manager", "Warehouse", "Sales"},
    "admin:fulfillment_carrier_add": {"Manager"},
    "admin:fulfillment_shippingmethod_changelist": {"Manager", "Warehouse", "Sales"},
    "admin:fulfillment_shippingmethod_add": {"Manager"},
    "admin:fulfillment_packagetype_changelist": {"Manager", "Warehouse"},
    "admin:fulfillment_packagetype_add": {"Manager"},
    "admin:fulfillment_shipment_changelist": {"Manager", "Warehouse", "Sales"},
    "admin:fulfillment_shipment_change": {"Manager", "Warehouse", "Sales"},
    "admin:fulfillment_wave_changelist": {"Manager", "Warehouse"},
    "admin:fulfillment_wave_change": {"Manager", "Warehouse"},
    "admin:fulfillment_scanevent_changelist": {"Manager", "Warehouse"},
}


def change_post(shipment, transition):
    """Return the change-form POST the admin's transition button sends."""
    data = {"_fsm_transition_to": transition}
    for prefix, rows in [("lines", shipment.lines.count()), ("parcels", shipment.parcels.count())]:
        data[f"{prefix}-TOTAL_FORMS"] = rows
        data[f"{prefix}-INITIAL_FORMS"] = rows
    return data


def action_post(action, shipments):
    return {"action": action, "_selected_action": [shipment.pk for shipment in shipments]}


@pytest.mark.parametrize("role", ["Manager", "Warehouse", "Sales"])
def test_each_admin_page_is_open_or_refused_by_role(
    client, picked_wave, sales_user, warehouse_user, manager_user, role
):
    # given
    wave, shipment = picked_wave
    user = {"Manager": manager_user, "Warehouse": warehouse_user, "Sales": sales_user}[role]
    client.force_login(user)
    wrong = []
    for name, allowed in ADMIN_PAGES.items():
        args = [wave.pk if "wave" in name else shipment.pk] if name.endswith("_change") else []
        # when
        response = client.get(reverse(name, args=args))
        # then
        if (response.status_code == 200) != (role in allowed):
            wrong.append(f"{name}: {response.status_code}")
        assert response.status_code in (200, 403, 302)
    assert wrong == []


def test_sales_sees_a_shipment_read_only_without_buttons_or_actions(
    client, picked_wave, sales_user
):
    # given
    _, shipment = picked_wave
    client.force_login(sales_user)
    before = floor_snapshot()
    # when
    page = client.get(reverse("admin:fulfillment_shipment_change", args=[shipment.pk]))
    listing = client.get(reverse("admin:fulfillment_shipment_changelist"))
    posted = client.post(
        reverse("admin:fulfillment_shipment_change", args=[shipment.pk]),
        change_post(shipment, "cancel"),
    )
    # then
    assert shipment.number in page.text
    assert "_fsm_transition_to" not in page.text
    assert "print_labels" not in listing.text
    assert posted.status_code == 403
    assert floor_snapshot() == before


def test_manager_adds_a_carrier_and_a_service_through_the_admin(client, manager_user):
    # given
    client.force_login(manager_user)
    # when
    client.post(
        reverse("admin:fulfillment_carrier_add"),
        {
            "code": "evri",
            "name": "Evri",
            "tracking_url_template": "https://www.evri.com/track/parcel/{tracking}",
            "is_active": "on",
            "methods-TOTAL_FORMS": 0,
            "methods-INITIAL_FORMS": 0,
        },
    )
    carrier = Carrier.objects.get(code="EVRI")
    response = client.post(
        reverse("admin:fulfillment_shippingmethod_add"),
        {
            "carrier": carrier.pk,
            "code": "Evri-48",
            "name": "48 hour",
            "price": "2.99",
            "is_active": "on",
        },
    )
    # then
    assert response.status_code == 302
    method = ShippingMethod.objects.get(carrier=carrier)
    assert (method.code, method.price, method.is_active) == ("evri-48", Decimal("2.99"), True)


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"tracking_url_template": "track me"}, "tracking_url_template", "{tracking}"),
        ({"code": "R M"}, "code", "one word"),
        ({"code": "rm"}, "code", "Another carrier"),
    ],
)
def test_a_bad_carrier_is_refused_beside_the_field_and_nothing_is_saved(
    client, manager_user, royal_mail, data, field, words
):
    # given
    client.force_login(manager_user)
    before = list(Carrier.objects.values_list("code", "name", "tracking_url_template"))
    post = {"code": "NEW", "name": "New", "is_active": "on", "methods-TOTAL_FORMS": 0}
    post.update({"methods-INITIAL_FORMS": 0, **data})
    # when
    response = client.post(reverse("admin:fulfillment_carrier_add"), post)
    # then
    assert response.status_code == 200
    assert words in str(response.context["adminform"].form.errors[field])
    assert list(Carrier.objects.values_list("code", "name", "tracking_url_template")) == before


def test_a_service_in_use_keeps_its_code_and_nothing_is_deleted(
    client, manager_user, make_order, stocked, royal_mail
):
    # given an order that ships with "standard"
    make_order(("MUG-RED", 1))
    method = ShippingMethod.objects.get(code="standard")
    client.force_login(manager_user)
    url = reverse("admin:fulfillment_shippingmethod_change", args=[method.pk])
    # when
    response = client.post(
        url, {"carrier": royal_mail.pk, "code": "std", "name": "Tracked 48", "price": "3.95"}
    )
    deleting = client.get(reverse("admin:fulfillment_shippingmethod_delete", args=[method.pk]))
    # then
    assert "is in use, so its code cannot change" in response.text
    method.refresh_from_db()
    assert (method.code, method.is_active) == ("standard", True)
    assert deleting.status_code == 403


def test_a_deactivated_service_disappears_from_the_desk_and_the_api(
    client, api_as, manager_user, sales_user, royal_mail, stocked
):
    # given
    client.force_login(manager_user)
    method = ShippingMethod.objects.get(code="standard")
    # when
    client.post(
        reverse("admin:fulfillment_shippingmethod_changelist"),
        {"action": "deactivate", "_selected_action": [method.pk]},
    )
    client.force_login(sales_user)
    desk = client.get(reverse("orders:order_new"))
    api = api_as(sales_user)
    carriers = api.get("/api/v1/carriers/").json()
    refused = api.post(
        "/api/v1/orders/",
        {
            "customer": {"email": "ann@example.com", "name": "Ann Lee"},
            "shipping_method": "standard",
            "lines": [{"sku": "MUG-RED", "quantity": 1}],
        },
        format="json",
    )
    # then
    method.refresh_from_db()
    assert method.is_active is False
    assert 'value="standard"' not in desk.text
    assert all(not carrier["services"] for carrier in carriers["results"])
    assert refused.status_code == 400
    assert "not offered" in refused.json()["errors"]["shipping_method"][0]


def test_cancel_button_runs_the_service_and_a_refusal_changes_nothing(
    client, warehouse_user, shipped_in_parcels, make_order, stocked, receive, bin_a
):
    # given a pending shipment and a shipped one
    receive(stocked, bin_a, 5)
    pending = services.shipment_create_for_order(
        order_id=make_order(("MUG-RED", 1)).pk, user=warehouse_user
    )[0]
    _, shipped = shipped_in_parcels
    client.force_login(warehouse_user)
    page = client.get(reverse("admin:fulfillment_shipment_change", args=[pending.pk]))
    # when
    client.post(
        reverse("admin:fulfillment_shipment_change", args=[pending.pk]),
        change_post(pending, "cancel"),
    )
    before = floor_snapshot()
    refused = client.post(
        reverse("admin:fulfillment_shipment_change", args=[shipped.pk]),
        change_post(shipped, "cancel"),
        follow=True,
    )
    # then
    assert 'value="cancel"' in page.text and 'value="start_picking"' not in page.text
    pending.refresh_from_db()
    assert pending.status == Shipment.Status.CANCELLED
    assert "can no longer be cancelled" in refused.text
    assert floor_snapshot() == before


def test_ship_button_refuses_a_carrier_tracking_number_it_cannot_know(
    client, warehouse_user, picked_wave, box
):
    # given a packed Royal Post shipment: its number must be scanned on the ship screen
    _, shipment = picked_wave
    pack_in_parcels(shipment, warehouse_user, box)
    client.force_login(warehouse_user)
    before = floor_snapshot()
    # when
    response = client.post(
        reverse("admin:fulfillment_shipment_change", args=[shipment.pk]),
        change_post(shipment, "ship"),
        follow=True,
    )
    # then
    assert "Enter or scan the Royal Post tracking number" in response.text
    assert floor_snapshot() == before


def test_ship_and_deliver_buttons_for_the_local_courier(
    client, warehouse_user, make_order, stocked, local_courier, box
):
    # given a packed local-courier shipment
    order = make_order(("MUG-RED", 1), method="courier")
    [shipment] = services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="4006381333931", wave_id=wave.pk)
    shipment.refresh_from_db()
    pack_in_parcels(shipment, warehouse_user, box)
    client.force_login(warehouse_user)
    url = reverse("admin:fulfillment_shipment_change", args=[shipment.pk])
    # the buttons read in plain words, not the transitions' names
    page = client.get(url).content.decode()
    assert re.search(r'value="ship"[^>]*>\s*Ship\s*</button>', page)
    # when
    client.post(url, change_post(shipment, "ship"))
    shipment.refresh_from_db()
    shipped_status, tracking = shipment.status, shipment.tracking_number
    client.post(url, change_post(shipment, "deliver"))
    # then
    shipment.refresh_from_db()
    assert shipped_status == Shipment.Status.SHIPPED and tracking
    assert shipment.status == Shipment.Status.DELIVERED


@pytest.mark.parametrize(
    "action, expected", [("print_labels", "label"), ("print_packing_slips", "order")]
)
def test_print_actions_give_one_pdf_whose_barcodes_decode(
    client, warehouse_user, packed_wave, action, expected
):
    # given three packed shipments
    wave, _ = packed_wave
    shipments = list(wave.shipments.order_by("pk"))
    client.force_login(warehouse_user)
    # when
    response = client.post(
        reverse("admin:fulfillment_shipment_changelist"), action_post(action, shipments)
    )
    # then
    assert response["Content-Type"] == "application/pdf"
    pages = scanned_texts(response.content)
    by_order = {shipment.order.number: shipment for shipment in shipments}
    assert len(pages) == 3
    texts = page_texts(response.content)
    for page, text, number in zip(pages, texts, sorted(by_order), strict=True):
        assert number in page  # the order's barcode scans back
        if expected == "label":
            assert by_order[number].number in text


def test_a_large_print_selection_goes_to_the_background(
    client, warehouse_user, packed_wave, settings
):
    # given more labels than a request prints
    settings.OMS_PDF_INLINE_MAX = 2
    wave, _ = packed_wave
    client.force_login(warehouse_user)
    # when
    response = client.post(
        reverse("admin:fulfillment_shipment_changelist"),
        action_post("print_labels", wave.shipments.all()),
    )
    # then
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.progress_total) == ("shipment_labels", 3)
    assert sorted(job.params["shipment_ids"]) == sorted(wave.shipments.values_list("pk", flat=True))


def test_build_wave_action_takes_the_ready_shipments_chosen(
    client, warehouse_user, sales_user, make_order, stocked, receive, bin_a
):
    # given two ready shipments
    receive(stocked, bin_a, 5)
    shipments = [
        services.shipment_create_for_order(
            order_id=make_order(("MUG-RED", 1)).pk, user=warehouse_user
        )[0]
        for _ in range(2)
    ]
    client.force_login(warehouse_user)
    url = reverse("admin:fulfillment_shipment_changelist")
    # when
    client.post(url, action_post("build_wave", shipments[:1]))
    again = client.post(url, action_post("build_wave", shipments[:1]), follow=True)
    # then
    wave = Wave.objects.get()
    assert list(wave.shipments.all()) == shipments[:1]
    assert "No shipment is ready to pick" in again.text
    assert Wave.objects.count() == 1


def test_shipment_list_searches_by_shipment_order_and_tracking(
    client, manager_user, shipped_in_parcels
):
    # given
    _, shipment = shipped_in_parcels
    client.force_login(manager_user)
    url = reverse("admin:fulfillment_shipment_changelist")
    # when
    found = [
        client.get(url, {"q": term}).context["cl"].result_count
        for term in [shipment.number.lower(), shipment.order.number, "RM123456789GB", "SH-999"]
    ]
    # then
    assert found == [1, 1, 1, 0]


def test_shipment_change_list_costs_the_same_queries_for_more_rows(
    client,
    manager_user,
    make_order,
    stocked,
    receive,
    bin_a,
    warehouse_user,
    django_assert_max_num_queries,
):
    # given
    receive(stocked, bin_a, 20)
    client.force_login(manager_user)
    url = reverse("admin:fulfillment_shipment_changelist")

    def make(count):
        for _ in range(count):
            order = make_order(("MUG-RED", 1))
            services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)

    make(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make(8)
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["cl"].result_count == 9


def test_scan_log_is_read_only_and_filters_by_user_screen_and_result(
    client, manager_user, warehouse_user, picked_wave
):
    # given a refused scan beside the accepted ones
    wave, _ = picked_wave
    with pytest.raises(DomainError):
        services.pick_scan(user=warehouse_user, code="NOT-A-CODE", wave_id=wave.pk)
    client.force_login(manager_user)
    url = reverse("admin:fulfillment_scanevent_changelist")
    event = ScanEvent.objects.first()
    # when
    counts = {
        key: client.get(url, params).context["cl"].result_count
        for key, params in {
            "all": {},
            "refused": {"result": "refused"},
            "pick": {"screen": "pick"},
            "pack": {"screen": "pack"},
            "user": {"user__id__exact": warehouse_user.pk},
            "other user": {"user__id__exact": manager_user.pk},
        }.items()
    }
    change = client.post(reverse("admin:fulfillment_scanevent_change", args=[event.pk]), {})
    # then
    assert counts["refused"] == 1
    assert counts["pick"] == counts["all"] == counts["user"]
    assert counts["pack"] == counts["other user"] == 0
    assert change.status_code == 403
