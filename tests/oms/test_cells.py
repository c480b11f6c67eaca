"""Exports never hand a spreadsheet a formula: text starting with = + - @ is written as text."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oms import accounting
from oms.cells import safe_cell, safe_row, safe_text
from oms.models import Job
from orders.models import Customer
from orders.services.invoices import invoices_issue_due
from tests import desk_world

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example","Click")'


@pytest.mark.parametrize(
    "value, written",
    [
        (EVIL, "'" + EVIL),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-12", "-12"),
        ("-4.50", "-4.50"),
        ("+3", "+3"),
        ("1e5", "1e5"),
        ("Ann = Bob", "Ann = Bob"),
        ("", ""),
    ],
)
def test_text_that_starts_like_a_formula_gets_an_apostrophe_numbers_do_not(value, written):
    assert safe_text(value) == written


def test_other_values_pass_unchanged():
    day = datetime.date(2024, 3, 1)
    assert safe_cell(-5) == -5 and safe_cell(None) is None and safe_cell(day) == day
    assert safe_row(["=1", 2, "x"]) == ["'=1", 2, "x"]


def _evil_customers():
    desk_world.build()
    Customer.objects.filter(name="Bob Web").update(name=EVIL)
    Customer.objects.filter(name="Ann Phone").update(name="@SUM(A1)")


def test_the_streamed_csv_escapes_formulas(client, manager_user):
    _evil_customers()
    client.force_login(manager_user)
    answer = client.get(reverse("exports:csv", args=["orders"]))
    text = b"".join(answer.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    names = {row[4] for row in rows[1:]}
    assert "'" + EVIL in names and "'@SUM(A1)" in names
    assert EVIL not in names
    # numbers keep their form
    assert all(row[11].replace(".", "").isdigit() for row in rows[1:])


def test_the_xlsx_export_writes_formulas_as_text(
    client, manager_user, django_capture_on_commit_callbacks
):
    _evil_customers()
    client.force_login(manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exports:start", args=["orders"]), {"format": "xlsx"})
    job = Job.objects.get()
    download = client.get(reverse("jobs:download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = [row[4] for row in sheet.iter_rows(min_row=2)]
    assert {c.data_type for c in cells} == {"s"}
    assert "'" + EVIL in {c.value for c in cells}


def test_the_dashboard_table_escapes_formulas(client, manager_user, settings):
    settings.TIME_ZONE = "UTC"
    desk_world.build()
    client.force_login(manager_user)
    from oms import reports

    # a figure of its own: the real ones stay registered for the other tests
    reports.register_figure(
        "evil_by_reason",
        title="Evil by reason",
        columns=("Reason", "Returns"),
        rows=lambda **kw: [("=cmd()", 1), ("Damaged", -2)],
        permission="orders.view_order",
    )
    try:
        answer = client.get(reverse("dashboard_table", args=["evil_by_reason"]))
    finally:
        reports.unregister_figure("evil_by_reason")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[1:] == [["'=cmd()", "1"], ["Damaged", "-2"]]


def test_the_accounting_file_escapes_formulas_and_keeps_amounts(manager_user):
    _evil_customers()
    invoices_issue_due()
    today = datetime.date.today()
    batch = accounting.accounting_batch_create(
        date_from=today, date_to=today, profile="generic", user=manager_user
    )
    text = batch.content
    assert "'" + EVIL.replace('"', '""') in text and "\n" + EVIL not in text
    assert ",=" not in text and ",@" not in text
