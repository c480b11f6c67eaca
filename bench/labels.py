"""Measure batch label printing against bare WeasyPrint on the same HTML, in the same run.

Prints 500 shipping labels (4 x 6 in) into one PDF three ways:

1. **project**: ``oms.pdf.render_many("documents/shipping_label.html", contexts)``,
   the code path the wave "print all labels" button takes: Django renders the
   template for each label (barcodes drawn by the ``{% barcode %}`` tag), the
   bodies are joined into one HTML and WeasyPrint lays it out once;
2. **bare, per label**: the same label HTML strings, rendered beforehand and
   not timed, each laid out with ``HTML(string=...).render()`` and the pages
   joined into one PDF with ``document.copy(pages).write_pdf()``: what
   WeasyPrint itself costs for these labels;
3. **bare, one HTML**: the exact joined HTML of (1), pre-built, with one
   ``HTML(string=...).write_pdf()``.

Both bare runs get the same base stylesheet and font configuration as the
project (the labels need them to be the same document), built once, untimed.
Each path is warmed up with one label first. It prints labels per second,
the ratio project time ÷ bare time (target <= 1.3) and whether the target of
>= 20 labels/s holds.

    .venv/bin/python bench/labels.py                 # 500 labels, best of 1
    .venv/bin/python bench/labels.py --labels 200 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEMPLATE = "documents/shipping_label.html"
TARGET_RATE = 20.0
TARGET_RATIO = 1.3

STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Park Avenue",
    "Victoria Road",
]
CITIES = [
    ("LS1 1AA", "Leeds"),
    ("M1 2AB", "Manchester"),
    ("B2 4QA", "Birmingham"),
    ("EH1 1YZ", "Edinburgh"),
    ("CF10 1EP", "Cardiff"),
    ("BS1 4DJ", "Bristol"),
]
NAMES = ["Ann Lee", "Bob Ray", "Cecilia Montgomery-Smythe", "Dev Patel", "Eva Novak", "Finn O'Neil"]


def label_contexts(count: int) -> list[dict]:
    """Build label contexts as fulfillment.documents does: unique tracking, 1-3 parcels per order."""
    contexts = []
    order = 0
    while len(contexts) < count:
        order += 1
        parcels = 1 + order % 3
        postal_code, city = CITIES[order % len(CITIES)]
        for number in range(1, parcels + 1):
            contexts.append(
                {
                    "sender": {
                        "name": "OMS Demo Ltd",
                        "lines": ["Main warehouse", "LS10 1AB Leeds", "GB"],
                    },
                    "recipient": {
                        "name": NAMES[order % len(NAMES)],
                        "company": "" if order % 4 else "Acme Trading Ltd",
                        "street": [f"{order % 200 + 1} {STREETS[order % len(STREETS)]}"],
                        "postal_code": postal_code,
                        "city": city,
                        "region": "",
                        "country": "United Kingdom",
                        "phone": f"+44 113 496 {order % 10000:04d}",
                    },
                    "carrier": "DPD",
                    "service": "Next day",
                    "weight": f"{0.4 + (order % 7) * 0.35:.2f} kg",
                    "parcel_number": number,
                    "parcel_count": parcels,
                    "tracking_number": f"15501{order:07d}{number:02d}",
                    "order_number": f"SO-{order:06d}",
                    "shipment_number": f"SH-{order:06d}",
                    "ship_date": datetime.date(2025, 3, 4),
                }
            )
    return contexts[:count]


def page_count(pdf: bytes) -> int:
    """Count the pages of a PDF (pypdfium2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1, help="runs per path; the best counts")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    import django

    django.setup()
    import weasyprint
    from django.template.loader import get_template
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from oms import pdf
    from oms.templatetags.barcodes import barcode_svg

    contexts = label_contexts(args.labels)

    # Untimed: the per-label HTML strings and the joined HTML, and a bare renderer.
    template = get_template(TEMPLATE)
    html_strings = [template.render(dict(context)) for context in contexts]
    joined_html = pdf.combine_html(html_strings)
    base = pdf.base_url()
    bare_fonts = FontConfiguration()
    bare_css = [
        CSS(
            string=get_template(pdf.BASE_STYLESHEET).template.source,
            base_url=base,
            font_config=bare_fonts,
        )
    ]

    def project() -> bytes:
        return pdf.render_many(TEMPLATE, contexts)

    def bare_per_label() -> bytes:
        documents = [
            HTML(string=html, base_url=base).render(stylesheets=bare_css, font_config=bare_fonts)
            for html in html_strings
        ]
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf()

    def bare_one_html() -> bytes:
        return HTML(string=joined_html, base_url=base).write_pdf(
            stylesheets=bare_css, font_config=bare_fonts
        )

    # Warm up fonts and caches on one label each (the label barcodes of the
    # timed run stay unseen: the tag's cache is cleared below).
    pdf.render_many(TEMPLATE, contexts[:1])
    HTML(string=html_strings[0], base_url=base).render(stylesheets=bare_css, font_config=bare_fonts)

    timings: dict[str, float] = {}
    outputs: dict[str, bytes] = {}
    for _ in range(max(1, args.repeat)):
        for name, run in [
            ("project", project),
            ("bare_per_label", bare_per_label),
            ("bare_one_html", bare_one_html),
        ]:
            if name == "project":
                barcode_svg.cache_clear()
            started = time.perf_counter()
            outputs[name] = run()
            elapsed = time.perf_counter() - started
            timings[name] = min(elapsed, timings.get(name, float("inf")))

    for name, output in outputs.items():
        pages = page_count(output)
        if pages != args.labels:
            print(f"ERROR: {name} made {pages} pages for {args.labels} labels")
            return 1

    n = args.labels
    rate = n / timings["project"]
    ratio = timings["project"] / timings["bare_per_label"]
    ratio_joined = timings["project"] / timings["bare_one_html"]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"WeasyPrint {weasyprint.__version__}"
    )
    print(
        f"labels: {n} in one PDF ({len(outputs['project']) / 1024:.0f} KiB), best of {args.repeat}"
    )
    print(f"project (render_many):        {timings['project']:7.2f} s  {rate:6.1f} labels/s")
    print(
        f"bare WeasyPrint, per label:   {timings['bare_per_label']:7.2f} s  "
        f"{n / timings['bare_per_label']:6.1f} labels/s"
    )
    print(
        f"bare WeasyPrint, one HTML:    {timings['bare_one_html']:7.2f} s  "
        f"{n / timings['bare_one_html']:6.1f} labels/s"
    )
    print(f"ratio project / bare per label: {ratio:.2f}   (target <= {TARGET_RATIO})")
    print(f"ratio project / bare one HTML:  {ratio_joined:.2f}   (Django templates and barcodes)")
    met = rate >= TARGET_RATE and ratio <= TARGET_RATIO
    print(
        f"target >= {TARGET_RATE:.0f} labels/s and ratio <= {TARGET_RATIO}: {'met' if met else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
