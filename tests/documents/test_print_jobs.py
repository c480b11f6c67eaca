"""Big print runs leave the request: the page queues a job, the worker prints, the user opens it."""

import pytest
from django.urls import reverse

from fulfillment import services
from oms.models import Job
from tests.documents.conftest import pack_in_parcels
from tests.documents.reading import page_sizes, scanned_texts
from tests.factories import LocationFactory

LABEL_SIZE = (288.0, 432.0)


@pytest.fixture
def packed_wave(make_order, stocked, receive, bin_a, warehouse_user, royal_mail, box):
    """A wave of three one-mug orders, picked and packed (three parcels)."""
    receive(stocked, bin_a, 10)
    orders = [make_order(("MUG-RED", 1)) for _ in range(3)]
    for order in orders:
        services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    services.pick_scan(user=warehouse_user, code="BIN-MAIN-A-01-01", wave_id=wave.pk)
    services.pick_scan(user=warehouse_user, code="3*4006381333931", wave_id=wave.pk)
    for shipment in wave.shipments.order_by("wave_position"):
        pack_in_parcels(shipment, warehouse_user, box)
    return wave, [order.number for order in orders]


def test_a_wave_above_the_limit_prints_in_the_background(
    client, settings, packed_wave, warehouse_user, django_capture_on_commit_callbacks
):
    # given
    settings.OMS_PDF_INLINE_MAX = 2
    wave, numbers = packed_wave
    client.force_login(warehouse_user)

    # when
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(reverse("fulfillment:wave_labels", args=[wave.pk]))
    job = Job.objects.get()

    # then: the request answered at once with the job's page, nothing printed yet
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.kind, job.progress_total, job.unit) == (
        "queued",
        "wave_labels",
        3,
        "labels",
    )
    page = client.get(response["Location"])
    assert "Waiting for a worker" in page.content.decode()

    # when: the worker runs it
    for callback in queued:
        callback()
    job.refresh_from_db()
    pdf = client.get(reverse("jobs:download", args=[job.pk]))

    # then
    assert job.status == "done" and job.progress_done == 3
    content = b"".join(pdf.streaming_content)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert page_sizes(content) == [LABEL_SIZE] * 3
    assert [codes & set(numbers) for codes in scanned_texts(content)] == [{n} for n in numbers]


def test_chunked_printing_keeps_every_page_in_order(
    client, settings, packed_wave, warehouse_user, django_capture_on_commit_callbacks, monkeypatch
):
    # given: chunks of two documents, so three slips are laid out in two passes
    from oms import pdf

    monkeypatch.setattr(pdf, "CHUNK", 2)
    settings.OMS_PDF_INLINE_MAX = 1
    wave, numbers = packed_wave
    client.force_login(warehouse_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("fulfillment:wave_packing_slips", args=[wave.pk]))
    job = Job.objects.get()
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)

    # then
    assert job.status == "done"
    assert scanned_texts(content) == [{n} for n in numbers]


def test_a_small_wave_still_prints_in_the_request(client, packed_wave, warehouse_user):
    # given
    wave, _ = packed_wave
    client.force_login(warehouse_user)

    # when
    response = client.get(reverse("fulfillment:wave_labels", args=[wave.pk]))

    # then
    assert response.status_code == 200
    assert page_sizes(response.content) == [LABEL_SIZE] * 3
    assert not Job.objects.exists()


def test_many_bin_labels_go_to_the_background_and_sales_cannot_ask(
    client, settings, warehouse, warehouse_user, sales_user, django_capture_on_commit_callbacks
):
    # given
    settings.OMS_PDF_INLINE_MAX = 2
    bins = [LocationFactory(warehouse=warehouse, code=f"B-{n:02d}") for n in range(3)]
    ids = ",".join(str(location.pk) for location in bins)
    client.force_login(sales_user)
    refused = client.get(reverse("fulfillment:bin_labels"), {"ids": ids})
    client.force_login(warehouse_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("fulfillment:bin_labels"), {"ids": ids})
    job = Job.objects.get()
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)

    # then
    assert refused.status_code == 403
    assert response.status_code == 302
    assert scanned_texts(content) == [{location.barcode} for location in bins]


def test_asking_twice_while_it_prints_shares_the_job(client, settings, packed_wave, warehouse_user):
    # given
    settings.OMS_PDF_INLINE_MAX = 2
    wave, _ = packed_wave
    client.force_login(warehouse_user)

    # when
    first = client.get(reverse("fulfillment:wave_labels", args=[wave.pk]))
    second = client.get(reverse("fulfillment:wave_labels", args=[wave.pk]))

    # then
    assert first["Location"] == second["Location"]
    assert Job.objects.count() == 1
