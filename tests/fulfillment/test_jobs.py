"""A wave's big print runs leave the request: the page queues a job, the worker prints it."""

from django.urls import reverse

from oms.models import Job
from tests.documents.reading import page_sizes, scanned_texts

LABEL_SIZE = (288.0, 432.0)


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
