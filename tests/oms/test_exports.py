"""Exports of a list: exactly the filtered rows, streamed as CSV, or prepared in the background."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from oms import exports, jobs
from oms.models import Job
from orders.resources.exports import OrderExportResource, OrderLineExportResource
from tests import desk_world

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_the_order_export_has_the_resource_columns_and_exactly_the_filtered_rows(
    client, manager_user
):
    # given
    desk_world.build()
    client.force_login(manager_user)
    query = "channel=web&q=bob"

    # when
    rows = _csv(client.get(reverse("exports:csv", args=["orders"]) + "?" + query))
    page = client.get(reverse("orders:order_list") + "?" + query).content.decode()

    # then: the header, and the web orders the list shows, newest first
    assert rows[0] == [
        "order", "placed", "status", "channel", "customer", "email", "external reference",
        "currency", "subtotal", "shipping", "tax", "total", "VIP",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["SO-O6", "SO-O3", "SO-O2"]
    assert rows[1][1:5] == ["2024-03-03 10:00:00", "shipped", "web", "Bob Web"]
    assert rows[1][11] == "10.00"
    for number in ("SO-O6", "SO-O3", "SO-O2"):
        assert f'data-order="{number}"' in page
    assert 'data-order="SO-O1"' not in page


def test_the_stream_writes_what_the_resource_itself_exports(client, manager_user):
    # given
    desk_world.build()
    client.force_login(manager_user)
    spec_orders, spec_lines = exports.export_get("orders"), exports.export_get("order-lines")

    # when
    streamed = _csv(client.get(reverse("exports:csv", args=["orders"])))
    streamed_lines = _csv(client.get(reverse("exports:csv", args=["order-lines"])))

    # then: the same cells as django-import-export's own export of the same rows
    own = OrderExportResource().export(spec_orders.queryset({}))
    assert streamed == [list(own.headers), *[list(map(str, row)) for row in own]]
    own_lines = OrderLineExportResource().export(spec_lines.queryset({}))
    assert streamed_lines == [list(own_lines.headers), *[list(map(str, r)) for r in own_lines]]
    assert len(streamed_lines) == 1 + 7


def test_order_lines_follow_the_order_list_filters(client, manager_user):
    # given
    desk_world.build()
    client.force_login(manager_user)

    # when
    rows = _csv(client.get(reverse("exports:csv", args=["order-lines"]) + "?status=shipped"))

    # then
    assert sorted(row[0] for row in rows[1:]) == ["SO-O2", "SO-O3", "SO-O6"]


def test_the_first_bytes_are_the_header_before_any_row_is_read(
    client, manager_user, django_assert_num_queries
):
    # given
    desk_world.build()
    client.force_login(manager_user)
    response = client.get(reverse("exports:csv", args=["customers"]))
    chunks = iter(response.streaming_content)

    # when: only the header is taken, no row has been read
    with django_assert_num_queries(0):
        first = next(chunks)

    # then
    assert first.decode().lstrip("\ufeff").startswith("name,email,phone,VIP,orders")
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    assert b"Ann Phone" in b"".join(chunks)


def test_rows_are_read_in_chunks_through_an_iterator(monkeypatch):
    # given
    desk_world.build()
    spec = exports.export_get("order-lines")
    seen = []
    original = type(spec.queryset({}).values_list("pk")).iterator

    def spy(self, chunk_size=None):
        seen.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(type(spec.queryset({}).values_list("pk")), "iterator", spy)

    # when
    body = b"".join(exports.csv_chunks(spec, spec.queryset({})))

    # then
    assert seen == [5000]
    assert body.count(b"\r\n") == 8


@pytest.mark.parametrize(
    "user, name, allowed",
    [
        ("sales_user", "orders", True),
        ("sales_user", "stock-movements", False),
        # sales reps see shipments ("where is my order?"), so they may export them
        ("sales_user", "shipments", True),
        ("warehouse_user", "shipments", True),
        ("warehouse_user", "stock-movements", True),
        ("manager_user", "customers", True),
    ],
)
def test_only_roles_that_see_the_rows_may_export_them(client, request, user, name, allowed):
    # given
    client.force_login(request.getfixturevalue(user))

    # when
    csv_answer = client.get(reverse("exports:csv", args=[name]))
    job_answer = client.post(reverse("exports:start", args=[name]), {"format": "xlsx"})

    # then
    assert csv_answer.status_code == (200 if allowed else 403)
    assert job_answer.status_code == (302 if allowed else 403)
    assert Job.objects.count() == (1 if allowed else 0)


def test_an_unknown_export_or_format_is_not_found_and_starts_nothing(client, manager_user):
    client.force_login(manager_user)
    assert client.get(reverse("exports:csv", args=["nothing"])).status_code == 404
    assert (
        client.post(reverse("exports:start", args=["orders"]), {"format": "pdf"}).status_code == 404
    )
    assert Job.objects.count() == 0


def test_a_filter_it_cannot_read_is_refused_in_words_and_starts_nothing(client, manager_user):
    client.force_login(manager_user)
    answer = client.get(reverse("exports:csv", args=["shipments"]) + "?status=lost")
    started = client.post(
        reverse("exports:start", args=["stock-movements"]) + "?kind=stolen", {"format": "xlsx"}
    )
    too_long = client.get(reverse("exports:csv", args=["orders"]) + "?q=" + "x" * 201)
    assert answer.status_code == started.status_code == too_long.status_code == 400
    assert "status" in answer.content.decode() and "too long" in too_long.content.decode()
    assert Job.objects.count() == 0


def test_xlsx_runs_in_the_background_from_queued_to_done_with_progress(
    client, manager_user, django_capture_on_commit_callbacks
):
    # given
    desk_world.build()
    client.force_login(manager_user)

    # when
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = client.post(
            reverse("exports:start", args=["orders"]) + "?channel=phone", {"format": "xlsx"}
        )
    job = Job.objects.get()

    # then: queued, the page polls
    assert answer["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.kind, job.unit) == ("queued", "export_orders", "rows")
    assert job.params == {"filters": {"channel": "phone"}, "format": "xlsx"}

    # when: the worker runs it
    for callback in queued:
        callback()
    job.refresh_from_db()
    download = client.get(reverse("jobs:download", args=[job.pk]))

    # then: done, every row counted, the file opens and holds the phone orders
    assert (job.status, job.progress_done, job.progress_total) == ("done", 3, 3)
    assert job.expires_at is not None and job.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = list(sheet.values)
    assert values[0][:3] == ("order", "placed", "status")
    assert sorted(row[0] for row in values[1:]) == ["SO-O1", "SO-O4", "SO-O7"]
    assert {type(row[11]).__name__ for row in values[1:]} == {"float"} or all(
        isinstance(row[11], (int, float)) for row in values[1:]
    )


def test_a_big_csv_goes_to_the_worker_instead_of_the_request(
    client, manager_user, settings, django_capture_on_commit_callbacks
):
    # given
    settings.OMS_EXPORT_INLINE_MAX = 2
    desk_world.build()
    client.force_login(manager_user)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.get(reverse("exports:csv", args=["order-lines"]))
    job = Job.objects.get()

    # then
    assert answer.status_code == 302 and job.status == "done"
    text = b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    assert text.decode().count("\r\n") == 8 and job.progress_done == 7


def test_a_failed_export_job_says_why(manager_user, django_capture_on_commit_callbacks):
    # given: a job whose filters became unreadable (asked for through the service directly)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_start(
            kind="export_shipments",
            user=manager_user,
            title="Shipments",
            params={"filters": {"status": "lost"}, "format": "csv"},
        )

    # then
    job.refresh_from_db()
    assert job.status == "failed"
    assert "These filters cannot be read" in job.message and not job.file
