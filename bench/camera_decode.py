"""Time the camera's barcode reader: zxing-wasm in Chromium, per 1280x720 frame, against native zxing-cpp.

The scan screens read camera frames with the vendored zxing-wasm
(``static/vendor/zxing-wasm``) where the browser has no BarcodeDetector,
with the options ``static/js/scan-camera.js`` uses (EAN-13, EAN-8, UPC-A,
Code 128, QR; try harder; one symbol; frames scaled to at most 1280 wide),
and ask for a frame every 120 ms. This prints the time zxing-wasm takes per
frame in Debian's Chromium, for frames the tests film (a product label, a
GS1-128 carton label, a QR code, and the empty desk the camera sees while
aiming), next to the same library compiled natively (zxing-cpp's Python
binding) on the same frames in the same run: the baseline.

    .venv/bin/python bench/camera_decode.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import base64
import functools
import io
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
FRAME_BUDGET_MS = 120  # scan-camera.js asks for a frame this often
FORMATS = ["EAN13", "EAN8", "UPCA", "Code128", "QRCode"]
PAGE = """<!doctype html><html><head><script src="/vendor/zxing-wasm/zxing-reader.js"></script>
</head><body><script>
window.ready = ZXingWASM.prepareZXingModule({
  overrides: { locateFile: (path, prefix) => "/vendor/zxing-wasm/zxing_reader.wasm" },
  fireImmediately: true,
});
window.timeFrame = async (png, repeat, formats) => {
  await window.ready;
  const bitmap = await createImageBitmap(await (await fetch(png)).blob());
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width; canvas.height = bitmap.height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const options = { formats, tryHarder: true, maxNumberOfSymbols: 1, textMode: "Plain" };
  const times = []; let text = "";
  for (let i = 0; i < repeat + 1; i++) {
    const started = performance.now();
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
    const results = await ZXingWASM.readBarcodes(pixels, options);
    if (i > 0) times.push(performance.now() - started);  // the first one warms up
    text = results.length ? results[0].symbologyIdentifier + " " + results[0].text : "";
  }
  return { times, text };
};
</script></body></html>"""


def frames() -> dict:
    """The frames the camera tests film, at the size the screens ask of a camera."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from PIL import Image

    from inventory.documents import product_labels_pdf
    from inventory.models import Product
    from tests.e2e.camera import (
        DESK,
        HEIGHT,
        WIDTH,
        frame_of,
        gs1_128_label,
        pdf_page_image,
        qr_label,
    )

    mug = Product(sku="MUG-RED", name="Red mug", barcode="4006381333931", price="9.90")
    return {
        "EAN-13 product label": frame_of(pdf_page_image(product_labels_pdf([mug]))),
        "GS1-128 carton label": frame_of(
            gs1_128_label("0104006381333931" + "10LOT42" + "\x1d" + "17301231")
        ),
        "QR code": frame_of(qr_label("4006381333931")),
        "empty desk (aiming)": Image.new("RGB", (WIDTH, HEIGHT), DESK),
    }


def serve_static() -> tuple[ThreadingHTTPServer, str]:
    """Serve static/ and the bench page on a local port (Chromium fetches the .wasm from it)."""

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/bench.html":
                body = PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    handler = functools.partial(Handler, directory=str(ROOT / "static"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def native_times(frame, repeat: int) -> tuple[list[float], str]:
    import zxingcpp

    formats = zxingcpp.barcode_formats_from_str("EAN13,EAN8,UPCA,Code128,QRCode")
    times, text = [], ""
    for i in range(repeat + 1):
        started = time.perf_counter()
        results = zxingcpp.read_barcodes(frame, formats=formats)  # rotate, downscale, invert on
        if i > 0:
            times.append((time.perf_counter() - started) * 1000)
        text = results[0].text if results else ""
    return times, text


def summary(times: list[float]) -> str:
    p50 = statistics.median(times)
    p95 = sorted(times)[max(0, round(len(times) * 0.95) - 1)]
    return f"{p50:7.1f} {p95:7.1f}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="reads per frame (30)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server, base = serve_static()
    print(
        f"{'frame (1280x720)':26} {'zxing-wasm p50 p95 ms':>22} {'native p50 p95 ms':>19}"
        f" {'ratio p50':>9}  read"
    )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(f"{base}/bench.html")
            for name, frame in frames().items():
                png = io.BytesIO()
                frame.save(png, format="PNG")
                url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
                wasm = page.evaluate(
                    "([png, repeat, formats]) => timeFrame(png, repeat, formats)",
                    [url, args.repeat, FORMATS],
                )
                native, _ = native_times(frame, args.repeat)
                read = wasm["text"].replace("\x1d", "<GS>") or "nothing"
                ratio = statistics.median(wasm["times"]) / statistics.median(native)
                print(
                    f"{name:26} {summary(wasm['times']):>22} {summary(native):>19}"
                    f" {ratio:8.2f}x  {read}"
                )
            browser.close()
    finally:
        server.shutdown()
    print(f"frame budget: {FRAME_BUDGET_MS} ms (scan-camera.js reads about 8 frames a second)")


if __name__ == "__main__":
    main()
