"""Big label runs leave the request: the page queues a job, the worker prints the labels."""

import pytest
from django.urls import reverse

from oms import jobs
from oms.errors import NotAllowed
from oms.models import Job
from tests.documents.reading import scanned_texts
from tests.factories import LocationFactory


def test_many_bin_labels_go_to_the_background_and_sales_cannot_ask(
    client, settings, warehouse, warehouse_user, sales_user, django_capture_on_commit_callbacks
):
    # given
    settings.OMS_PDF_INLINE_MAX = 2
    bins = [LocationFactory(warehouse=warehouse, code=f"B-{n:02d}") for n in range(3)]
    ids = ",".join(str(location.pk) for location in bins)
    client.force_login(sales_user)
    refused = client.get(reverse("inventory:bin_labels"), {"ids": ids})
    client.force_login(warehouse_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("inventory:bin_labels"), {"ids": ids})
    job = Job.objects.get()
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)

    # then
    assert refused.status_code == 403
    assert response.status_code == 302
    assert (job.kind, job.status, job.progress_total) == ("bin_labels", "done", 3)
    assert scanned_texts(content) == [{location.barcode} for location in bins]


def test_many_product_labels_print_every_copy_in_the_background(
    client, settings, product, warehouse_user, django_capture_on_commit_callbacks
):
    # given
    settings.OMS_PDF_INLINE_MAX = 2
    client.force_login(warehouse_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("inventory:product_labels"), {"ids": str(product.pk), "copies": "3"})
    job = Job.objects.get()
    content = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)

    # then
    assert (job.kind, job.status, job.params["copies"]) == ("product_labels", "done", 3)
    assert scanned_texts(content) == [{product.barcode}] * 3


@pytest.mark.parametrize("kind", ["bin_labels", "product_labels"])
def test_label_runs_are_for_warehouse_staff_and_managers(
    kind, sales_user, warehouse_user, manager_user, bin_a, product
):
    # given
    params = {"ids": [bin_a.pk if kind == "bin_labels" else product.pk]}

    # when
    with pytest.raises(NotAllowed):
        jobs.job_start(kind=kind, user=sales_user, title="labels", params=params)
    allowed = [
        jobs.job_start(kind=kind, user=user, title="labels", params=params)
        for user in (warehouse_user, manager_user)
    ]

    # then
    assert [job.user for job in allowed] == [warehouse_user, manager_user]


def test_a_run_whose_bins_are_gone_fails_in_words(warehouse_user, db):
    # given
    job = jobs.job_start(
        kind="bin_labels", user=warehouse_user, title="labels", params={"ids": [9]}
    )

    # when
    finished = jobs.job_run(job_id=job.pk)

    # then
    assert finished.status == "failed"
    assert finished.message == "None of those bins exists any more."
