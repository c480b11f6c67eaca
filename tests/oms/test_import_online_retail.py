"""The online-retail history import: orders shipped and delivered as they were, once only."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fulfillment.models import Parcel, Shipment, ShipmentLine
from inventory import services as inventory_services
from inventory.models import Product, StockMovement
from inventory.selectors import ledger_mismatches
from orders.models import Customer, Order, OrderEvent, OrderLine, Payment

CSV = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850.0,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom
536367,85123A,WHITE HANGING HEART T-LIGHT HOLDER,32,2010-12-02 08:34:00,2.40,12583.0,France
C536368,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-2,2010-12-03 09:00:00,2.55,17850.0,United Kingdom
536369,71053,WHITE METAL LANTERN,2,2010-12-09 10:00:00,3.39,17850.0,United Kingdom
536370,22633,HAND WARMER UNION JACK,400,2010-12-09 11:00:00,1.85,12583.0,France
"""


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "retail.csv"
    path.write_text(CSV)
    return path


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_online_retail", "--file", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_invoices_become_delivered_orders_with_shipments_and_a_ledger_that_adds_up(db, data_file):
    # when
    report = run(data_file)
    # then
    assert "5 orders with 6 lines imported as history" in report
    assert "1 C-invoices: 0 returns written" in report
    assert "1 lines (2 units): credited before the order was delivered" in report
    orders = {order.external_reference: order for order in Order.objects.all()}
    assert set(orders) == {"536365", "536366", "536367", "536369", "536370"}
    first = orders["536365"]
    assert (first.status, first.channel, first.number) == ("completed", "web", f"SO-{first.pk:06d}")
    assert (first.subtotal, first.shipping_price, first.total) == (
        Decimal("35.64"),
        Decimal("18.00"),
        Decimal("53.64"),
    )
    assert str(first.placed_at) == "2010-12-01 08:26:00+00:00"
    assert first.delivered_at == first.placed_at + timedelta(days=3)
    assert first.customer.email == "customer-17850@online-retail.example"
    assert orders["536366"].customer.name == "Guest orders (United Kingdom)"
    assert orders["536367"].channel == "marketplace"
    assert list(first.lines.values_list("sku", "quantity", "quantity_shipped")) == [
        ("85123A", 6, 6),
        ("71053", 6, 6),
    ]
    assert Payment.objects.get(order=first).amount == Decimal("53.64")
    assert [e.to_status for e in first.events.all()] == [
        "placed",
        "confirmed",
        "shipped",
        "delivered",
        "completed",
    ]
    shipment = Shipment.objects.get(order=first)
    assert (shipment.status, shipment.number, shipment.ship_to_id) == (
        "delivered",
        f"SH-{shipment.pk:06d}",
        first.shipping_address_id,
    )
    assert ShipmentLine.objects.filter(shipment=shipment).count() == 2
    assert Parcel.objects.get(shipment=shipment).tracking_number == "HIST536365GB"
    shipped = StockMovement.objects.filter(reference=shipment.number)
    assert sorted(shipped.values_list("quantity", flat=True)) == [-6, -6]
    assert ledger_mismatches() == []
    assert Product.objects.get(sku="85123A").name == "WHITE HANGING HEART T-LIGHT HOLDER"
    assert Customer.objects.count() == 3


def test_a_second_run_adds_nothing(db, data_file):
    # given
    run(data_file)
    counts = [m.objects.count() for m in (Order, OrderLine, OrderEvent, Shipment, StockMovement)]
    # when
    report = run(data_file)
    # then
    assert "0 orders with 0 lines imported as history (5 were already there)" in report
    assert [m.objects.count() for m in (Order, OrderLine, OrderEvent, Shipment, StockMovement)] == (
        counts
    )


def test_a_shifted_slice_keeps_its_last_days_open_through_the_services(db, data_file, bin_a):
    # given stock of the lantern today, none of the hand warmer
    lantern = Product.objects.create(sku="71053", name="White metal lantern", price="3.39")
    inventory_services.stock_receive(product=lantern, location=bin_a, quantity=10)
    # when the slice ends yesterday and its last two days stay open
    report = run(data_file, "--shift", "--open", "2")
    # then the last day's two invoices are open orders, the rest history
    assert "2 left open" in report
    by_reference = {o.external_reference: o for o in Order.objects.all()}
    assert by_reference["536369"].status in {"allocated", "processing"}
    assert by_reference["536370"].status == "backordered"
    assert by_reference["536365"].status == "delivered"
    newest_history = by_reference["536367"].placed_at
    assert timezone.now() - newest_history < timedelta(days=10)
    assert ledger_mismatches() == []


def test_a_missing_file_is_refused(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no file"):
        run(tmp_path / "nothing.csv")


def test_history_is_invoiced_as_it_shipped_by_the_command_once(db, data_file):
    # given the history imported: orders shipped and delivered, no invoices
    from orders.models import Invoice

    run(data_file)
    assert not Invoice.objects.exists()

    # when
    out = StringIO()
    call_command("issue_invoices", stdout=out)
    call_command("issue_invoices", stdout=StringIO())

    # then each order has one invoice, dated when it shipped, numbered in that order
    assert "5 invoice(s) issued." in out.getvalue()
    invoices = list(Invoice.objects.select_related("order").order_by("number"))
    assert [i.order.external_reference for i in invoices] == [
        "536365",
        "536366",
        "536367",
        "536369",
        "536370",
    ]
    first = invoices[0]
    assert first.issued_at == first.order.placed_at + timedelta(days=1)
    assert (first.total, first.tax_total) == (first.order.total, first.order.tax_total)
    # and the order's VAT of the day: 17.5 % in December 2010, prices including it
    assert first.tax_total == Decimal("7.99")
