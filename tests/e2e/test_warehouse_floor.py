"""A warehouse user works a wave of three orders with a keyboard-wedge scanner, end to end.

The scanner is played by the keyboard: it types a code a few milliseconds a
character, then presses Enter, into whatever field has the focus; so every
scan below also proves that the scan field kept the focus.
"""

import re
import subprocess

import pytest

from fulfillment.models import Carrier, PackageType, Shipment, ShippingMethod, Wave
from inventory import services as inventory_services
from inventory.models import StockLevel
from inventory.selectors import ledger_mismatches
from orders import services as order_services
from orders.models import Order
from tests.documents.reading import page_sizes, scanned_texts
from tests.e2e.conftest import ARTIFACTS
from tests.factories import CustomerFactory, LocationFactory, ProductFactory, address_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MUG, PLATE, BOWL = "4006381333931", "5012345678900", "9780201379624"
BARCODES = {"MUG-RED": MUG, "PLATE": PLATE, "BOWL": BOWL}
LABEL_SIZE = (288.0, 432.0)  # 4 x 6 in, in PDF points


@pytest.fixture
def three_orders(stocked, bin_a, bin_b, sales_user):
    """Three confirmed orders from three customers, over three bins; two carriers, one box."""
    plate = ProductFactory(sku="PLATE", name="Dinner plate", barcode=PLATE, weight_grams=400)
    bowl = ProductFactory(sku="BOWL", name="Cereal bowl", barcode=BOWL, weight_grams=300)
    bin_c = LocationFactory(warehouse=bin_a.warehouse, code="B-02-01", pick_sequence=30)
    LocationFactory(warehouse=bin_a.warehouse, code="C-05-01", pick_sequence=40)  # empty
    inventory_services.stock_receive(product=plate, location=bin_b, quantity=10)
    inventory_services.stock_receive(product=bowl, location=bin_c, quantity=10)
    post = Carrier.objects.create(
        code="RM", name="Royal Post", tracking_url_template="https://rm.example/t/{tracking}"
    )
    ShippingMethod.objects.create(carrier=post, code="standard", name="Tracked 48", price="3.95")
    courier = Carrier.objects.create(code="LOC", name="City Courier", is_local_courier=True)
    ShippingMethod.objects.create(carrier=courier, code="courier", name="Same day", price="12.50")
    PackageType.objects.create(
        name="Small box", length_mm=300, width_mm=200, height_mm=150, tare_grams=120
    )
    wanted = [
        ("Ann Lee", [("MUG-RED", 2), ("PLATE", 1)], "standard"),
        ("Bob Shaw", [("MUG-RED", 1)], "standard"),
        ("Cleo Park", [("PLATE", 2), ("BOWL", 1)], "courier"),
    ]
    orders = []
    for name, lines, method in wanted:
        order = order_services.order_create(
            customer=CustomerFactory(name=name),
            user=sales_user,
            channel="phone",
            shipping_address=address_data(name=name),
            lines=[{"sku": sku, "quantity": quantity} for sku, quantity in lines],
            shipping_method=method,
            place=True,
        )
        orders.append(order_services.order_confirm(order_id=order.pk, user=sales_user))
    return orders


def scan(page, code: str, *, expect: str | None = None):
    """Scan a code as a wedge scanner does, wait for the answer; return the answer box."""
    assert page.evaluate("document.activeElement.id") == "scan-code", "the scan field lost focus"
    page.evaluate(
        "() => { const box = document.getElementById('scan-answer');"
        " if (box) box.dataset.stale = '1'; }"
    )
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#scan-answer:not([data-stale])")
    answer = page.locator("#scan-answer")
    if expect is not None:
        status = answer.get_attribute("data-scan-status")
        message = answer.locator("[data-scan-message]").inner_text()
        assert status in expect.split("|"), f"{code}: {status} {message}"
    return answer


def pick_everything(page, screenshot) -> int:
    """Walk the pick screen: go to the bin it shows, scan it, scan each unit; return the scans."""
    scans = 0
    while page.locator("[data-pick-finished]").count() == 0:
        bin_code = page.locator("[data-next-bin]").inner_text().strip()
        sku = page.locator("[data-next-product] span").inner_text().strip()
        left = int(page.locator("[data-next-quantity]").inner_text())
        scan(page, f"BIN-MAIN-{bin_code}", expect="ok")
        for _ in range(left):
            scan(page, BARCODES[sku], expect="ok|warn")
            scans += 1
            if scans == 2:
                screenshot(page, "floor-1-pick")
    return scans


def test_warehouse_user_builds_picks_packs_and_ships_a_wave(
    page_as, warehouse_user, three_orders, screenshot
):
    page = page_as(warehouse_user)
    ann, bob, cleo = three_orders

    # --- build the wave ----------------------------------------------------------------------
    page.goto("/fulfillment/")
    page.get_by_role("button", name="Make shipments for ready orders").click()
    page.get_by_text("3 shipment(s) made from ready orders.").wait_for()
    page.get_by_label("Max orders").fill("3")
    page.get_by_role("button", name="Build wave").click()
    page.wait_for_url(re.compile(r"/fulfillment/waves/\d+/$"))
    wave = Wave.objects.get()
    assert wave.shipments.count() == 3
    bins = page.locator("[data-pick-list] tbody tr td:first-child").all_inner_texts()
    assert bins == ["A-01-01", "A-01-02", "B-02-01"]  # walking order, one row per bin

    # --- pick: scan bins and products; a wrong bin is refused --------------------------------
    page.get_by_role("link", name="Start picking").click()
    page.wait_for_selector("[data-next-bin]")
    answer = scan(page, "BIN-MAIN-C-05-01", expect="error")
    assert answer.inner_text().count("Wrong bin: this line is in A-01-01") == 1
    picked = pick_everything(page, screenshot)
    assert picked == 7
    assert "completely picked" in page.locator("#scan-answer").inner_text()
    wave.refresh_from_db()
    assert wave.status == Wave.Status.DONE
    assert set(Shipment.objects.values_list("status", flat=True)) == {Shipment.Status.PICKED}

    # --- pack and ship each order; one wrong item is refused ---------------------------------
    tracking = {ann.pk: "RM100000001GB", bob.pk: "RM100000002GB", cleo.pk: ""}
    for order in (ann, bob, cleo):
        shipment = Shipment.objects.get(order=order)
        page.goto("/fulfillment/pack/")
        scan(page, order.number, expect="ok")
        if order == ann:
            answer = scan(page, BOWL, expect="error")
            message = answer.locator("[data-scan-message]").inner_text()
            assert message == f"Not on this order: Cereal bowl is not on {order}. Put it aside."
            assert answer.locator(".scan-answer-label").inner_text().lower() == "refused"
            colour = answer.evaluate("box => getComputedStyle(box).borderTopColor")
            red, green, blue = map(int, re.findall(r"\d+", colour)[:3])
            assert red > 150 and red > green + 100 and red > blue + 100, colour
            screenshot(page, "floor-2-pack-refused")
        for line in shipment.lines.select_related("product"):
            for _ in range(line.quantity):
                scan(page, BARCODES[line.product.sku], expect="ok")
        box = page.get_by_label("Package type")
        box.focus()
        box.select_option(str(PackageType.objects.get().pk))
        assert page.evaluate("document.activeElement.id") == "scan-code"
        answer = scan(page, "CMD-DONE", expect="ok")
        assert f"{shipment} is packed: ship it." in answer.inner_text()

        page.get_by_role("link", name=f"Ship {shipment}").click()
        form = page.locator("[data-ship-form]")
        if tracking[order.pk]:
            form.get_by_label("Carrier and service").select_option(label="Royal Post Tracked 48")
            page.locator("#ship-tracking").focus()
            page.keyboard.type(tracking[order.pk], delay=5)
            if order == bob:
                screenshot(page, "floor-3-ship")
            page.keyboard.press("Enter")
        else:
            form.get_by_role("button", name="Mark shipped").click()
        page.get_by_text(f"{shipment} shipped with").wait_for()
        assert page.locator("[data-shipment-status]").inner_text() == "Shipped"

    # then every order has shipped and the stock left the bins through the ledger
    assert set(Order.objects.values_list("status", flat=True)) == {Order.Status.SHIPPED}
    courier_number = Shipment.objects.get(order=cleo).tracking_number
    assert courier_number.startswith("LOC")
    assert sorted(StockLevel.objects.values_list("on_hand", "allocated")) == [
        (7, 0),
        (7, 0),
        (9, 0),
    ]
    assert ledger_mismatches() == []

    # --- print all labels of the wave as one PDF ---------------------------------------------
    page.goto(f"/fulfillment/waves/{wave.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="All labels (PDF)").click(modifiers=["Alt"])
    download = download_info.value
    pdf_path = ARTIFACTS / "floor-labels.pdf"
    download.save_as(str(pdf_path))
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert page_sizes(pdf) == [LABEL_SIZE] * 3
    decoded = scanned_texts(pdf)
    for texts, order in zip(decoded, (ann, bob, cleo), strict=True):
        number = tracking[order.pk] or courier_number
        assert {number, order.number} <= texts, texts
    for old in ARTIFACTS.glob("floor-label-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", str(pdf_path), str(ARTIFACTS / "floor-label")],
        check=True,
    )
    assert len(list(ARTIFACTS.glob("floor-label-*.png"))) == 3
