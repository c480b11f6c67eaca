"""Camera scanning: Chromium's fake camera shows a printed product label to the pick screen.

The video is rendered from the product's own label PDF (``tests/e2e/camera.py``).
Headless Chromium on Linux has no ``BarcodeDetector``, so these tests read
with the vendored zxing-wasm decoder, the path every browser without one takes.
"""

from __future__ import annotations

import os
import time

import pytest

from fulfillment import services as fulfillment_services
from fulfillment.models import ScanEvent, ShipmentLine, Wave
from inventory import documents as inventory_documents
from inventory import services as inventory_services
from inventory.models import StockLevel, StockMovement, StockScan
from orders import services as order_services
from tests.e2e.axe import axe_findings
from tests.e2e.camera import gs1_128_label, label_video, pdf_page_image, qr_label
from tests.e2e.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.factories import CustomerFactory, ProductFactory, address_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLATE = "5012345678900"


@pytest.fixture
def wave(stocked, bin_a, sales_user, warehouse_user):
    """A wave picking two red mugs from bin A-01-01."""
    order = order_services.order_create(
        customer=CustomerFactory(name="Ann Lee"),
        user=sales_user,
        channel="phone",
        shipping_address=address_data(name="Ann Lee"),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        place=True,
    )
    order_services.order_confirm(order_id=order.pk, user=sales_user)
    fulfillment_services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    return fulfillment_services.wave_create(user=warehouse_user)


@pytest.fixture
def camera_page(live_server, client):
    """Return a function opening the pick screen in a Chromium whose camera films a label."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browsers = []

    def open_with(label, name, user, path, *, host=None, away=0, init_script=None):
        """Film ``label`` and open ``path``; with ``host``, at http://<host>:<port> (not secure)."""
        ARTIFACTS.mkdir(exist_ok=True)
        video = label_video(label, ARTIFACTS / f"camera-{name}.y4m", away=away)
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
                *([f"--host-resolver-rules=MAP {host} 127.0.0.1"] if host else []),
            ],
        )
        browsers.append(browser)
        client.force_login(user)
        base_url = live_server.url.replace("localhost", host) if host else live_server.url
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": 1024, "height": 1100},
            permissions=["camera"],
        )
        context.set_default_timeout(15_000)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": base_url,
                }
            ]
        )
        page = context.new_page()
        if init_script:
            page.add_init_script(init_script)
        page.goto(path)
        return page

    yield open_with
    for browser in browsers:
        browser.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def product_label(product):
    """The product's own printed label (inventory's product label PDF), as an image."""
    return pdf_page_image(inventory_documents.product_labels_pdf([product]))


def wedge(page, code: str) -> None:
    """Scan a code as a keyboard-wedge scanner does; wait for its answer."""
    mark_answer_stale(page)
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#scan-answer:not([data-stale])")


def mark_answer_stale(page) -> None:
    page.evaluate("document.getElementById('scan-answer').dataset.stale = '1'")


def answer(page) -> tuple[str, str]:
    box = page.locator("#scan-answer")
    return box.get_attribute("data-scan-status"), box.locator("[data-scan-message]").inner_text()


def picked(wave: Wave) -> int:
    return sum(ShipmentLine.objects.filter(shipment__wave=wave).values_list("picked", flat=True))


def log_row(event: ScanEvent) -> tuple:
    return (event.screen, event.entry, event.code, event.action, event.result, event.status)


def test_the_camera_picks_a_product_exactly_as_the_wedge_does(
    camera_page, wave, product, bin_a, warehouse_user, screenshot
):
    # given: the pick screen, the bin scanned by the wedge, the camera filming the mug's label
    page = camera_page(
        product_label(product), product.sku, warehouse_user, f"/fulfillment/waves/{wave.pk}/pick/"
    )
    wedge(page, bin_a.barcode)
    mark_answer_stale(page)

    # when: the camera is opened
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-answer:not([data-stale])", timeout=20_000)

    # then: one mug picked, answered as a scan, and nothing more while the label stays in view
    status, message = answer(page)
    assert status == "ok", message
    assert page.get_attribute("#scan-camera", "data-camera-decoder") == "zxing"
    assert page.get_attribute("[data-scan-camera]", "aria-pressed") == "true"
    page.wait_for_timeout(2500)
    assert picked(wave) == 1
    screenshot(page, "camera-pick-accepted")

    # when: the wedge scans the second mug while the camera is still open
    wedge(page, product.barcode)

    # then: accepted too; the camera's log row is the wedge's, but for the quantity picked
    assert answer(page)[0] == "ok"
    assert picked(wave) == 2
    by_camera, by_wedge = ScanEvent.objects.filter(screen="pick", code=product.barcode).order_by(
        "pk"
    )
    assert log_row(by_camera) == log_row(by_wedge)
    assert page.evaluate("document.activeElement.id") == "scan-code"


def test_the_camera_refuses_a_product_the_wave_does_not_need(
    camera_page, wave, bin_a, warehouse_user, screenshot
):
    # given: a plate in stock, not in the wave; the camera films the plate's label
    plate = ProductFactory(sku="PLATE", name="Dinner plate", barcode=PLATE)
    inventory_services.stock_receive(product=plate, location=bin_a, quantity=5)
    page = camera_page(
        product_label(plate), plate.sku, warehouse_user, f"/fulfillment/waves/{wave.pk}/pick/"
    )
    page.set_viewport_size({"width": 412, "height": 915})  # a phone
    wedge(page, bin_a.barcode)
    mark_answer_stale(page)

    # when
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-answer:not([data-stale])", timeout=20_000)

    # then: refused in words, nothing picked, the refusal logged as a scan
    status, message = answer(page)
    screenshot(page, "camera-pick-refused")
    assert status == "error"
    assert "plate" in message.lower() or PLATE in message
    assert picked(wave) == 0
    refused = ScanEvent.objects.filter(screen="pick", code=PLATE).get()
    assert refused.result == "refused"
    # the refused code is put back in the field, selected, as after a wedge's refusal
    assert page.input_value("#scan-code") == PLATE
    # and the phone-sized screen, camera open, has no serious accessibility finding
    assert axe_findings(page) == []


def test_the_camera_receives_as_a_scan_then_lets_go_of_the_device(
    camera_page, product, bin_a, warehouse_user
):
    # given: the receive screen, the bin scanned by the wedge
    page = camera_page(product_label(product), product.sku, warehouse_user, "/inventory/receive/")
    wedge(page, bin_a.barcode)
    mark_answer_stale(page)

    # when: the camera reads the mug's label
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-answer:not([data-stale])", timeout=20_000)

    # then: one mug booked into the bin, logged as scanned (not typed)
    assert answer(page)[0] == "ok"
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 1
    receipt = StockScan.objects.filter(screen="receive", code=product.barcode).get()
    assert (receipt.entry, receipt.result) == ("scan", "accepted")

    # when: the camera is closed with its button (focused, as a click leaves it)
    page.focus("[data-scan-camera]")
    focused = page.evaluate(
        "() => { document.querySelector('[data-scan-camera]').click();"
        " return document.activeElement.id; }"
    )

    # then: the scan field has the focus back at once, the panel is gone
    # and the camera is let go of
    assert focused == "scan-code"
    assert page.locator("#scan-camera").is_hidden()
    assert page.get_attribute("[data-scan-camera]", "aria-pressed") == "false"
    assert page.evaluate("document.querySelector('#scan-camera video').srcObject === null")
    assert page.evaluate("document.activeElement.id") == "scan-code"


def test_over_plain_http_the_camera_says_it_needs_https_and_the_wedge_still_works(
    camera_page, product, bin_a, warehouse_user, settings, screenshot
):
    # given: the receive screen at a plain-HTTP address that is not this machine
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "oms.test"]
    page = camera_page(
        product_label(product), product.sku, warehouse_user, "/inventory/receive/", host="oms.test"
    )
    assert page.evaluate("window.isSecureContext") is False

    # when
    page.click("[data-scan-camera]")

    # then: it says so in words, and no camera was opened
    status = page.locator("#scan-camera .scan-camera-status")
    assert "only over HTTPS" in status.inner_text()
    assert page.get_attribute("#scan-camera", "data-camera-state") == "insecure"
    assert page.locator("#scan-camera video").is_hidden()
    screenshot(page, "camera-needs-https")

    # when: the wedge scans the bin and a mug
    wedge(page, bin_a.barcode)
    wedge(page, product.barcode)

    # then
    assert answer(page)[0] == "ok"
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 1


@pytest.mark.parametrize(
    "symbology, barcode",
    [("ean8", "96385074"), ("upca", "036000291452"), ("ean13", "4006381333931")],
)
def test_the_camera_reads_each_retail_symbology_off_the_product_label(
    camera_page, bin_a, warehouse_user, symbology, barcode
):
    # given: a product whose own label prints its EAN-8, UPC-A or EAN-13
    product = ProductFactory(sku=f"SKU-{symbology.upper()}", name="Tea towel", barcode=barcode)
    page = camera_page(product_label(product), product.sku, warehouse_user, "/inventory/receive/")
    wedge(page, bin_a.barcode)
    mark_answer_stale(page)

    # when
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-answer:not([data-stale])", timeout=20_000)

    # then: received into the bin, as the wedge would
    assert answer(page)[0] == "ok", answer(page)[1]
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 1


def test_the_camera_reads_a_qr_code(camera_page, product, bin_a, warehouse_user):
    # given: a QR code carrying the mug's GTIN
    page = camera_page(qr_label(product.barcode), "qr", warehouse_user, "/inventory/receive/")
    wedge(page, bin_a.barcode)
    mark_answer_stale(page)

    # when
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-answer:not([data-stale])", timeout=20_000)

    # then
    assert answer(page)[0] == "ok", answer(page)[1]
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 1


def test_a_gs1_128_carton_label_keeps_its_batch_and_use_by_date(
    camera_page, product, bin_a, warehouse_user
):
    # given: a supplier's GS1-128 label: GTIN (01), batch (10, ended by FNC1), use by (17)
    label = gs1_128_label("01" + "0" + product.barcode + "10LOT42" + "\x1d" + "17301231")
    page = camera_page(label, "gs1-128", warehouse_user, "/inventory/receive/")
    wedge(page, bin_a.barcode)
    mark_answer_stale(page)

    # when
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-answer:not([data-stale])", timeout=20_000)

    # then: the application identifiers are read as the wedge path reads them
    assert answer(page)[0] == "ok", answer(page)[1]
    movement = StockMovement.objects.get(product=product, location=bin_a)
    assert movement.quantity == 1
    assert movement.reason == "batch LOT42, use by 2030-12-31"
    receipt = StockScan.objects.get(screen="receive", product=product)
    assert receipt.entry == "scan"


def test_a_label_shown_again_after_leaving_the_view_counts_again(
    camera_page, product, bin_a, warehouse_user
):
    # given: the mug's label in view for 1 s, then away for 2.5 s, over and over
    page = camera_page(
        product_label(product), "mug-again", warehouse_user, "/inventory/receive/", away=2.5
    )
    wedge(page, bin_a.barcode)

    # when: the camera watches two showings
    page.click("[data-scan-camera]")
    started = time.monotonic()
    on_hand = 0
    # (a generous bound: on a loaded machine the reader loads and decodes slowly)
    while on_hand < 2 and time.monotonic() - started < 45:
        page.wait_for_timeout(250)
        level = StockLevel.objects.filter(product=product, location=bin_a).first()
        on_hand = level.on_hand if level else 0
    elapsed = time.monotonic() - started

    # then: one receipt per showing, never one per frame
    assert on_hand == 2
    assert elapsed > 2.0, "the second receipt came before the label left the view"


# Chromium's fake camera has no torch: give its track one that records what it is asked.
TORCH = """
(() => {
  const capabilities = MediaStreamTrack.prototype.getCapabilities;
  window.__torch = [];
  MediaStreamTrack.prototype.getCapabilities = function () {
    return Object.assign({}, capabilities.call(this), { torch: true });
  };
  MediaStreamTrack.prototype.applyConstraints = function (constraints) {
    window.__torch.push(constraints.advanced[0].torch);
    return Promise.resolve();
  };
})();
"""


def test_the_torch_button_shows_only_where_the_camera_has_a_torch(
    camera_page, product, warehouse_user
):
    # given: the fake camera as it is, without a torch
    page = camera_page(product_label(product), "torchless", warehouse_user, "/inventory/count/")
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-camera:not([data-camera-state='starting'])")
    # then
    assert page.locator("[data-camera-torch]").is_hidden()


def test_the_torch_button_turns_the_torch_on_and_off(camera_page, product, warehouse_user):
    # given: a camera with a torch
    page = camera_page(
        product_label(product), "torch", warehouse_user, "/inventory/count/", init_script=TORCH
    )
    page.click("[data-scan-camera]")
    torch = page.locator("[data-camera-torch]")
    torch.wait_for(state="visible")

    # when: on, then off
    torch.click()
    page.wait_for_function("window.__torch.length === 1")
    assert torch.get_attribute("aria-pressed") == "true"
    torch.click()
    page.wait_for_function("window.__torch.length === 2")

    # then
    assert page.evaluate("window.__torch") == [True, False]
    assert torch.get_attribute("aria-pressed") == "false"
    assert page.evaluate("document.activeElement.id") == "scan-code"


def test_a_decoder_that_cannot_load_is_said_in_words_and_the_camera_let_go(
    camera_page, product, bin_a, warehouse_user
):
    # given: the reader's WebAssembly cannot be fetched (a proxy blocks it, the server lost it)
    page = camera_page(product_label(product), "no-decoder", warehouse_user, "/inventory/receive/")
    page.route("**/zxing_reader*.wasm", lambda route: route.abort())

    # when
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-camera[data-camera-state='error']")

    # then: it says so, the camera is closed, and the wedge still books the mug
    assert "could not be loaded" in page.inner_text("#scan-camera .scan-camera-status")
    assert page.evaluate("document.querySelector('#scan-camera video').srcObject === null")
    wedge(page, bin_a.barcode)
    wedge(page, product.barcode)
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 1


def test_the_camera_stays_open_from_one_scan_screen_to_the_next_until_closed(
    camera_page, product, warehouse_user
):
    # given: the camera opened on the receive screen
    page = camera_page(product_label(product), "remembered", warehouse_user, "/inventory/receive/")
    page.click("[data-scan-camera]")
    page.wait_for_selector(
        "#scan-camera[data-camera-state='on'], #scan-camera[data-camera-state='read']"
    )

    # when: the user goes to the count screen
    page.goto("/inventory/count/")

    # then: the camera opens there by itself
    page.wait_for_selector(
        "#scan-camera[data-camera-state='on'], #scan-camera[data-camera-state='read']"
    )
    assert page.get_attribute("[data-scan-camera]", "aria-pressed") == "true"

    # when: closed, then the receive screen again
    page.click("[data-scan-camera]")
    page.goto("/inventory/receive/")

    # then: it stays closed
    page.wait_for_timeout(500)
    assert page.locator("#scan-camera").is_hidden()
    assert page.get_attribute("[data-scan-camera]", "aria-pressed") == "false"
