"""The accounting export: invoices issued once and immutable, one batch per document, totals checked."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from oms import accounting
from oms.errors import InvalidInput
from oms.models import AccountingBatch, BatchDocument
from orders.models import Invoice, InvoiceLine
from orders.services.invoices import invoice_issue, invoices_issue_due
from tests import desk_world

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _rows(batch):
    return list(csv.reader(io.StringIO(batch.content)))


def test_invoices_are_issued_for_orders_shipped_in_full_and_numbered_once():
    # given: O1, O2, O3, O6, O7 shipped in full; O4 cancelled; O5 waiting
    orders = desk_world.build()

    # when
    issued = invoices_issue_due()
    again = invoices_issue_due()

    # then
    assert (issued, again) == (5, 0)
    invoice = invoice_issue(order=orders["O1"])
    assert invoice.number == f"INV-{invoice.pk:06d}"
    assert (invoice.total, invoice.tax_total, invoice.net_total) == (
        Decimal("100.00"), Decimal("16.67"), Decimal("83.33"),
    )  # fmt: skip
    line = invoice.lines.get()
    assert (line.quantity, line.net, line.tax, line.total) == (
        4, Decimal("83.33"), Decimal("16.67"), Decimal("100.00"),
    )  # fmt: skip
    assert not Invoice.objects.filter(order__in=[orders["O4"], orders["O5"]]).exists()


def test_an_invoice_never_changes():
    orders = desk_world.build(names={"O1"})
    invoice = invoice_issue(order=orders["O1"])
    invoice.total = Decimal("1.00")
    with pytest.raises(ValidationError, match="credit note"):
        invoice.save()
    with pytest.raises(ValidationError):
        InvoiceLine.objects.filter(invoice=invoice).update(net=0)
    invoice.refresh_from_db()
    assert invoice.total == Decimal("100.00")


@pytest.mark.parametrize("profile", ["generic", "xero", "quickbooks"])
def test_a_batch_holds_the_ranges_invoices_in_the_profiles_layout(manager_user, profile):
    # given
    desk_world.build()
    invoices_issue_due()

    # when
    batch = accounting.accounting_batch_create(
        date_from=TODAY, date_to=TODAY, profile=profile, user=manager_user
    )

    # then
    rows = _rows(batch)
    assert batch.number.startswith("ACC-") and batch.document_count == 5
    assert batch.total == Decimal("230.00")  # 100 + 50 + 30 + 10 + 40
    assert len(rows) == 1 + 5
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    numbers = {"generic": "Number", "xero": "*InvoiceNumber", "quickbooks": "InvoiceNo"}
    assert {dict(zip(header, r, strict=True))[numbers[profile]] for r in rows[1:]} == set(
        Invoice.objects.values_list("number", flat=True)
    )
    if profile == "xero":
        assert first["*AccountCode"] == "200" and first["*TaxType"] == "20% (VAT on Income)"
    if profile == "quickbooks":
        assert first["ItemTaxCode"] == "20.0% S"


def test_a_document_goes_into_one_batch_only_unless_re_exported(manager_user):
    # given
    desk_world.build()
    invoices_issue_due()
    first = accounting.accounting_batch_create(
        date_from=TODAY, date_to=TODAY, profile="generic", user=manager_user
    )

    # when: the same dates again
    with pytest.raises(InvalidInput, match="nothing new to export"):
        accounting.accounting_batch_create(
            date_from=TODAY, date_to=TODAY, profile="xero", user=manager_user
        )

    # then: nothing written; an explicit re-export is a marked copy
    assert AccountingBatch.objects.count() == 1
    copy = accounting.accounting_batch_reexport(
        batch_id=first.pk, user=manager_user, profile="xero"
    )
    assert copy.reexport_of == first and copy.document_count == 5
    assert BatchDocument.objects.filter(is_reexport=False).count() == 5


def test_a_file_whose_lines_do_not_add_up_is_refused_and_nothing_written(manager_user):
    # given: an invoice whose total disagrees with its lines
    orders = desk_world.build(names={"O1", "O2"})
    invoice_issue(order=orders["O1"])
    bad = invoice_issue(order=orders["O2"])
    Invoice.objects.filter(pk=bad.pk).update(total=Decimal("49.99"))

    # when
    with pytest.raises(InvalidInput, match=bad.number):
        accounting.accounting_batch_create(
            date_from=TODAY, date_to=TODAY, profile="generic", user=manager_user
        )

    # then
    assert AccountingBatch.objects.count() == BatchDocument.objects.count() == 0


def test_bad_ranges_and_profiles_are_refused_in_words(manager_user):
    for start, end, profile, message in [
        (TODAY, TODAY - datetime.timedelta(days=1), "generic", "before the start"),
        (TODAY - datetime.timedelta(days=400), TODAY, "generic", "at most"),
        (TODAY, TODAY, "sage", "Choose generic"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            accounting.accounting_batch_create(
                date_from=start, date_to=end, profile=profile, user=manager_user
            )
    assert AccountingBatch.objects.count() == 0


def test_credit_notes_drop_in_through_a_registered_source(manager_user):
    # given: an app registers credit notes of its own (beside the returns app's)
    note = accounting.Document(
        kind="credit_note", number="CN-000001", date=TODAY, customer="Ann", email="",
        currency="GBP", tax_total=Decimal("2.00"), total=Decimal("12.00"),
        lines=(accounting.Line("Returned mug", 1, Decimal("10"), Decimal("10.00"),
                               Decimal("0.2"), Decimal("2.00")),),
    )  # fmt: skip
    accounting.register_source("test_credit_notes", lambda start, end: [note])
    try:
        batch = accounting.accounting_batch_create(
            date_from=TODAY, date_to=TODAY, profile="quickbooks", user=manager_user
        )
    finally:
        accounting._SOURCES.pop("test_credit_notes")
    row = dict(zip(*_rows(batch)[:2], strict=True))
    assert row["InvoiceNo"] == "CN-000001" and row["ItemQuantity"] == "-1"
    assert batch.total == Decimal("-12.00")


@pytest.mark.parametrize(
    "rate, xero, quickbooks",
    [
        ("0.2000", "20% (VAT on Income)", "20.0% S"),
        ("0.1750", "17.5% (VAT on Income)", "17.5% S"),
        ("0.0500", "5% (VAT on Income)", "5.0% R"),
        ("0.0000", "Zero Rated Income", "0.0% Z"),
    ],
)
def test_each_rate_maps_to_the_accounting_packages_tax_code(rate, xero, quickbooks):
    from decimal import Decimal

    from oms.accounting import quickbooks_tax_code, xero_tax_type

    assert (xero_tax_type(Decimal(rate)), quickbooks_tax_code(Decimal(rate))) == (xero, quickbooks)
