"""A manager reads the dashboard, then takes the filtered order list out as CSV and XLSX."""

import csv
import datetime
import io
import queue
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from openpyxl import load_workbook

from oms import jobs
from oms.models import Job
from orders.models import Order
from tests import desk_world
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WEB_ORDERS = 1_200  # enough for the background export to report progress several times


@pytest.fixture
def business():
    """The hand-worked March of tests/desk_world plus a February of web orders."""
    made = desk_world.build()
    customer = CustomerFactory(name="Dee Bulk", email="dee@example.com")
    placed = datetime.datetime(2024, 2, 1, 9, tzinfo=datetime.UTC)
    Order.objects.bulk_create(
        Order(
            number=f"SO-W{i:05d}",
            channel="web",
            customer=customer,
            status="confirmed",
            placed_at=placed + datetime.timedelta(minutes=i),
            confirmed_at=placed + datetime.timedelta(minutes=i),
            subtotal=Decimal("12.00"),
            total=Decimal("12.00"),
            tax_total=Decimal("2.00"),
        )
        for i in range(WEB_ORDERS)
    )
    return made


class SteppedWorker:
    """Run a queued job as ``manage.py db_worker`` would, pausing after each progress report.

    The test lets it go on once the page has shown the report, so every step
    of the progress bar is seen whatever the machine's speed.
    """

    def __init__(self, monkeypatch):
        self.reports: queue.Queue = queue.Queue()
        self.go = threading.Event()
        self.thread: threading.Thread | None = None
        # In-memory SQLite lives in one connection, shared with the live server already.
        self.shared = connections["default"] if connection.vendor == "sqlite" else None
        monkeypatch.setattr(jobs.Progress, "interval", 0)
        original = jobs.Progress._write

        def reported(progress, *, force):
            original(progress, force=force)
            self.reports.put((progress.done, progress.total))
            self.go.wait(timeout=20)
            self.go.clear()

        monkeypatch.setattr(jobs.Progress, "_write", reported)

    def start(self, job_id: int) -> None:
        if self.shared is not None:
            self.shared.inc_thread_sharing()

        def work():
            if self.shared is not None:
                connections["default"] = self.shared
            try:
                jobs.job_run(job_id=job_id)
            finally:
                if self.shared is None:
                    connections.close_all()
                else:
                    self.shared.dec_thread_sharing()

        self.thread = threading.Thread(target=work, daemon=True)
        self.thread.start()

    def next_report(self) -> tuple[int, int]:
        return self.reports.get(timeout=20)

    def release(self) -> None:
        self.go.set()


def test_manager_reads_the_dashboard_and_exports_the_filtered_orders(
    page_as, manager_user, business, screenshot, settings, monkeypatch
):
    # The worker is a separate process in production: jobs wait in the queue until it runs them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = page_as(manager_user)

    # given the dashboard of the last 30 days, which holds none of this business
    page.goto("/dashboard/")
    assert "0 orders" in page.inner_text("[data-figure='orders_per_day'] [data-summary]")

    # when the manager narrows it to 1-3 March 2024
    page.fill("#id_date_from", "2024-03-01")
    page.fill("#id_date_to", "2024-03-03")
    page.click("[data-dashboard-filters] button[type=submit]")
    page.wait_for_url("**/dashboard/?*date_from=2024-03-01*")

    # then the figures are those worked out by hand (O4 is cancelled, February is outside)
    summary = page.inner_text("[data-figure='orders_per_day'] [data-summary]")
    assert summary == "6 orders, 310.00 revenue"
    assert page.inner_text("[data-period]").startswith("1 Mar 2024 – 3 Mar 2024")

    # when the manager opens the table behind the chart
    table = page.locator("details[data-table='orders_per_day']")
    assert not table.locator("table").is_visible()
    table.locator("summary").click()
    rows = table.locator("tbody tr")
    assert rows.count() == 5
    assert [rows.nth(0).locator("td").nth(i).inner_text() for i in range(4)] == [
        "2024-03-01",
        "phone",
        "2",
        "140.00",
    ]
    screenshot(page, "manager-dashboard-table")
    with page.expect_download() as table_file:
        table.locator("[data-table-csv]").click()
    table_rows = list(csv.reader(io.StringIO(Path(table_file.value.path()).read_text())))
    assert table_rows[0] == ["Day", "Channel", "Orders", "Revenue"]
    assert len(table_rows) == 1 + 5

    # when the manager filters the order list to the web channel
    page.goto("/orders/")
    page.select_option("#id_channel", "web")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/orders/?*channel=web*")
    web = Order.objects.filter(channel="web").count()
    assert web == WEB_ORDERS + 3  # O2, O3, O6
    assert page.inner_text("h1 + span") == f"{web:,} found"
    screenshot(page, "manager-order-list-filtered")

    # and downloads it as CSV
    with page.expect_download() as csv_file:
        page.click("[data-export='orders'] [data-export-csv]")
    assert csv_file.value.suggested_filename.endswith(".csv")
    text = Path(csv_file.value.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    # then it holds exactly the filtered rows, not the whole list
    assert len(exported) == web < Order.objects.count()
    numbers = {row["order"] for row in exported}
    assert {"SO-O2", "SO-O3", "SO-O6", "SO-W00000"} <= numbers
    assert "SO-O1" not in numbers

    # when the manager asks for it as XLSX, it waits for a worker
    worker = SteppedWorker(monkeypatch)
    page.click("[data-export='orders'] [data-export-xlsx]")
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get(user=manager_user, kind="export_orders")
    assert job.params["format"] == "xlsx" and job.params["filters"]["channel"] == "web"
    assert "Waiting for a worker" in page.inner_text("#job-progress")

    # then, as the worker runs, the bar moves: the page shows each report of progress
    worker.start(job.pk)
    seen = []
    while True:
        done, total = worker.next_report()
        assert total == web
        percent = int(100 * min(done, total) / total)
        page.wait_for_selector(f"#job-progress .progress[aria-valuenow='{percent}']")
        seen.append(percent)
        if percent in (0, 41):
            screenshot(page, f"manager-export-progress-{percent}")
        worker.release()
        if done >= total:
            break
    assert seen[0] == 0 and seen[-1] == 100
    assert len(seen) >= 4 and seen == sorted(seen)
    worker.thread.join(timeout=20)

    # and the file downloads and opens as a spreadsheet of the same rows
    page.wait_for_selector("[data-job-download]")
    screenshot(page, "manager-export-ready")
    with page.expect_download() as xlsx_file:
        page.click("[data-job-download]")
    assert xlsx_file.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(
        io.BytesIO(Path(xlsx_file.value.path()).read_bytes()), read_only=True
    ).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == list(exported[0].keys())
    assert len(cells) == 1 + web
    assert {row[0] for row in cells[1:]} == numbers
