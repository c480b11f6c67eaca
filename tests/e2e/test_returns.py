"""A return from the desk to the credit note, in the browser (issue 10's Show section).

A rep opens a return for one of two shipped items and authorizes it; the
warehouse receives it on the returns bench by typing scans as a wedge
scanner does (a wrong item is refused), and restocks it by scanning a bin;
a rep asks for the refund, a manager approves and pays it; the order page
shows the returned unit and the credit note downloads and scans back.
"""

import pytest

from inventory.models import StockLevel
from inventory.selectors import ledger_mismatches
from orders.models import OrderLine
from returns.models import CreditNote, Refund, Return
from tests.documents.reading import page_texts, scanned_texts
from tests.e2e.test_warehouse_floor import scan
from tests.returns import conftest as returns_fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RED, BLUE = "4006381333931", "0036000291452"

customer = returns_fixtures.customer
make_order = returns_fixtures.make_order
royal_mail = returns_fixtures.royal_mail
box = returns_fixtures.box
mug_blue = returns_fixtures.mug_blue
reasons = returns_fixtures.reasons


@pytest.fixture
def two_items_shipped(make_order, stocked, mug_blue, bin_a, warehouse_user, royal_mail, box):
    """An order of a red mug and a blue mug (21.90), shipped and paid by card."""
    from inventory import services as inventory_services
    from orders.models import Payment

    inventory_services.stock_receive(product=mug_blue, location=bin_a, quantity=5, reference="PO-T")
    order = make_order(("MUG-RED", 1), ("MUG-BLUE", 1))
    returns_fixtures.ship(order, warehouse_user, box)
    Payment.objects.create(order=order, method="card", amount=order.total, reference="ch_1")
    return order


def test_a_return_from_the_desk_to_the_credit_note(
    page_as, screenshot, two_items_shipped, sales_user, warehouse_user, manager_user, bin_a
):
    order = two_items_shipped
    blue_on_hand = StockLevel.objects.get(location=bin_a, product__sku="MUG-BLUE").on_hand

    # --- a rep opens a return of the blue mug from the order page and authorizes it ----------
    desk = page_as(sales_user)
    desk.goto(f"/orders/{order.pk}/")
    desk.locator("[data-start-return]").click()
    desk.locator('input[data-sku="MUG-BLUE"]').fill("1")
    desk.get_by_label("Reason for MUG-BLUE").select_option("defective")
    screenshot(desk, "returns-1-open")
    desk.get_by_role("button", name="Open the return").click()
    desk.locator("[data-authorize]").wait_for()
    rma = Return.objects.get()
    assert desk.url.endswith(f"/returns/{rma.pk}/")
    desk.locator("[data-authorize]").click()
    desk.wait_for_load_state()
    rma.refresh_from_db()
    assert rma.status == Return.Status.AUTHORIZED
    screenshot(desk, "returns-2-authorized")

    # --- the warehouse receives it on the bench, a wrong item refused, and restocks it --------
    bench = page_as(warehouse_user)
    bench.goto("/returns/bench/")
    scan(bench, rma.number, expect="ok")
    wrong = scan(bench, RED, expect="error")
    assert "Not on this return: Red mug" in wrong.inner_text()
    screenshot(bench, "returns-3-wrong-item")
    scan(bench, BLUE, expect="ok")
    restocked = scan(bench, "BIN-MAIN-A-01-01", expect="ok")
    assert "Restock: Blue mug into A-01-01" in restocked.inner_text()
    screenshot(bench, "returns-4-restocked")
    rma.refresh_from_db()
    assert rma.status == Return.Status.INSPECTED
    assert StockLevel.objects.get(location=bin_a, product__sku="MUG-BLUE").on_hand == (
        blue_on_hand + 1
    )

    # --- the rep asks for the refund; a manager approves and pays it ----------------------------
    # (each page_as logs the test client in anew, which ends the session of the one before)
    desk = page_as(sales_user)
    desk.goto(f"/returns/{rma.pk}/")
    screenshot(desk, "returns-5-ask-refund")
    desk.locator("[data-refund-form] #refund-reason").fill("defective on arrival")
    desk.get_by_role("button", name="Ask for the refund").click()
    desk.wait_for_load_state()
    refund = Refund.objects.get()
    assert (refund.status, refund.amount) == (
        Refund.Status.PENDING,
        order.lines.get(sku="MUG-BLUE").unit_price,
    )
    office = page_as(manager_user)
    office.goto("/returns/refunds/")
    row = office.locator(f'[data-refund-row="{refund.number}"]')
    row.locator("[data-approve]").click()
    office.wait_for_load_state()
    row = office.locator(f'[data-refund-row="{refund.number}"]')
    row.get_by_placeholder("provider reference").fill("re_42")
    screenshot(office, "returns-6-refund-approved")
    row.locator("[data-pay]").click()
    office.wait_for_load_state()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PAID and refund.provider_reference == "re_42"

    # --- the order page shows the returned unit; the credit note downloads and scans back -------
    office.goto(f"/orders/{order.pk}/")
    # the line's columns: SKU, product, ordered, allocated, backordered, shipped, returned, ...
    returned = office.locator('tr[data-line="MUG-BLUE"] td').nth(6).inner_text().strip()
    assert returned == "1"
    assert office.locator('tr[data-line="MUG-RED"] td').nth(6).inner_text().strip() == "0"
    note = CreditNote.objects.get()
    link = office.get_by_role("link", name=f"credit note {note.number}")
    screenshot(office, "returns-7-order-page")
    pdf = office.request.get(link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert scanned_texts(pdf.body()) == [{note.number}]
    assert note.number in page_texts(pdf.body())[0]
    assert OrderLine.objects.get(order=order, sku="MUG-BLUE").quantity_returned == 1
    assert OrderLine.objects.get(order=order, sku="MUG-RED").quantity_returned == 0
    rma.refresh_from_db()
    assert rma.status == Return.Status.CLOSED
    assert ledger_mismatches() == []
