"""Reading the online-retail shape: every rule of the import, and a bad row named by its line."""

import io
from datetime import date
from decimal import Decimal

from orders.retail import read_invoices

CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053, WHITE  METAL LANTERN ,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536365,POST,POSTAGE,2,2010-12-01 08:26:00,18.00,17850.0,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,12583.0,France
536367,M,Manual,1,2010-12-01 08:34:00,5.00,12583.0,France
536368,22960,JAM MAKING SET WITH JARS,-3,2010-12-01 08:35:00,0,,United Kingdom
C536369,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-2,2010-12-02 09:00:00,2.55,17850.0,United Kingdom
536370,22961,JAM MAKING SET PRINTED,two,2010-12-02 10:00:00,1.45,12583.0,France
536371,22961,JAM MAKING SET PRINTED,1,2010-12-03 10:00:00,1.45,13047.0,Narnia
"""


def read(**kwargs):
    return read_invoices(io.StringIO(CSV), **kwargs)


def test_each_invoice_becomes_an_order_by_the_stated_rules():
    # when
    reading = read()
    invoices = {invoice.number: invoice for invoice in reading.invoices}
    # then: write-offs, charges-only invoices and the bad row are gone
    assert list(invoices) == ["536365", "536366", "536367", "C536369", "536371"]
    known = invoices["536365"]
    assert known.customer_id == "17850" and known.country == "GB" and known.channel == "web"
    assert [
        (line.stock_code, line.description, line.quantity, line.unit_price) for line in known.lines
    ] == [
        ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", 6, Decimal("2.55")),
        ("71053", "WHITE METAL LANTERN", 6, Decimal("3.39")),
    ]
    assert known.shipping == Decimal("36.00")
    assert str(known.placed_at) == "2010-12-01 08:26:00+00:00"
    assert invoices["536366"].customer_id == "" and invoices["536366"].channel == "phone"
    assert invoices["536367"].channel == "marketplace" and invoices["536367"].country == "FR"
    assert invoices["C536369"].credit and invoices["C536369"].lines[0].quantity == -2
    assert invoices["536371"].country == "ZZ"
    assert reading.skipped["not goods (manual price correction)"] == 1
    assert reading.skipped["a write-off recorded as a sale"] == 1
    assert reading.rows == 10


def test_a_row_that_cannot_be_read_is_refused_with_its_line_number():
    reading = read()
    assert [(error.line, "number or date" in error.message) for error in reading.errors] == [
        (10, True)
    ]


def test_since_and_limit_keep_whole_invoices():
    # when
    later = read(since=date(2010, 12, 2))
    first_rows = read(limit=2)
    # then
    assert [invoice.number for invoice in later.invoices] == ["C536369", "536371"]
    assert later.skipped["before the start date"] == 7
    assert [invoice.number for invoice in first_rows.invoices] == ["536365"]
    assert len(first_rows.invoices[0].lines) == 2


def test_a_file_without_the_columns_is_refused_whole():
    reading = read_invoices(io.StringIO("Invoice,Code\n1,2\n"))
    assert reading.invoices == []
    assert reading.errors[0].line == 1 and "Missing columns" in reading.errors[0].message


def test_a_credit_keeps_its_money_and_service_lines_apart_for_the_returns_to_count():
    # given a C-invoice with goods, postage and a manual correction, and one of charges only
    csv_text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "C536379,22633,HAND WARMER UNION JACK,-2,2010-12-05 09:00:00,1.85,17850.0,United Kingdom\n"
        "C536379,POST,POSTAGE,-1,2010-12-05 09:00:00,18.00,17850.0,United Kingdom\n"
        "C536379,M,Manual,-1,2010-12-05 09:00:00,5.00,17850.0,United Kingdom\n"
        "C536380,BANK CHARGES,Bank Charges,-1,2010-12-05 10:00:00,15.00,,United Kingdom\n"
    )
    # when
    reading = read_invoices(io.StringIO(csv_text))
    # then
    credits = {invoice.number: invoice for invoice in reading.invoices}
    assert list(credits) == ["C536379", "C536380"]
    assert [(line.stock_code, line.quantity) for line in credits["C536379"].lines] == [
        ("22633", -2)
    ]
    assert [
        (charge.stock_code, charge.quantity, charge.unit_price)
        for charge in credits["C536379"].charges
    ] == [("POST", -1, Decimal("18.00")), ("M", -1, Decimal("5.00"))]
    assert credits["C536379"].shipping == Decimal("0.00")
    assert [charge.stock_code for charge in credits["C536380"].charges] == ["BANK CHARGES"]
    assert not any(reason.startswith("not goods") for reason in reading.skipped)
    assert reading.skipped["invoices with nothing but charges"] == 0
