"""Printed documents rendered from context dictionaries: page sizes and barcodes that scan back."""

import re
import subprocess

import pytest
from django.template import Context, Template

from oms import pdf
from oms.templatetags.barcodes import barcode_svg, compact_svg
from tests.documents import samples
from tests.documents.reading import page_sizes, scan_pages, scanned_texts

LABEL_SIZE = (288.0, 432.0)  # 4 x 6 in
A4_SIZE = (595.28, 841.89)


def test_shipping_label_is_4x6_and_its_tracking_and_order_barcodes_scan():
    # given
    context = samples.shipping_label(7)

    # when
    document = pdf.render_pdf("documents/shipping_label.html", context)

    # then
    assert page_sizes(document) == [LABEL_SIZE]
    assert scan_pages(document) == [[("Code128", "1Z999AA10000000007"), ("Code128", "SO-000007")]]


def test_a_batch_of_labels_is_one_pdf_with_one_page_per_label_in_order():
    # given
    contexts = [samples.shipping_label(n) for n in (1, 2, 3)]

    # when
    document = pdf.render_many("documents/shipping_label.html", contexts)

    # then
    assert page_sizes(document) == [LABEL_SIZE] * 3
    texts = scanned_texts(document)
    assert [
        page >= {f"1Z999AA1{n:010d}", f"SO-{n:06d}"}
        for n, page in zip((1, 2, 3), texts, strict=True)
    ] == [True] * 3


def test_a_long_tracking_number_still_fits_the_label_and_scans():
    # given: 30 characters, wider than the label at the preferred bar width
    tracking = "JJD0099999999999999999999123AB"
    context = samples.shipping_label(1, tracking_number=tracking)

    # when
    document = pdf.render_pdf("documents/shipping_label.html", context)

    # then
    assert len(page_sizes(document)) == 1
    assert tracking in scanned_texts(document)[0]


def test_packing_slip_is_a4_and_its_order_barcode_scans():
    # when
    document = pdf.render_pdf("documents/packing_slip.html", samples.packing_slip())

    # then
    assert page_sizes(document) == [A4_SIZE]
    assert scan_pages(document)[0] == [("Code128", "SO-000123"), ("Code128", "SO-000123")]


def test_pick_list_bin_and_product_barcodes_scan_in_walking_order():
    # when
    document = pdf.render_pdf("documents/pick_list.html", samples.pick_list())

    # then: UPC-A reads as 13 digits with a leading zero, EAN-8 as itself
    codes = [code for page in scan_pages(document, dpi=250) for code in page]
    assert codes == [
        ("Code128", "WV-000012"),
        ("Code128", "BIN-MAIN-A-01-01"),
        ("EAN13", "4006381333931"),
        ("Code128", "BIN-MAIN-A-01-02"),
        ("EAN13", "0036000291452"),
        ("EAN8", "96385074"),
        ("Code128", "CMD-SHORT"),
    ]


def test_invoice_prints_its_totals_as_on_the_order_and_the_order_barcode():
    # when
    document = pdf.render_pdf("documents/invoice.html", samples.invoice())

    # then
    assert page_sizes(document) == [A4_SIZE]
    assert scanned_texts(document) == [{"SO-000123"}]


def test_product_and_bin_labels_scan_as_small_labels():
    # given
    products = [
        {"name": "Red mug", "sku": "MUG-RED", "code": "4006381333931"},
        {"name": "Cap", "sku": "CAP", "code": "036000291452"},
        {"name": "Kit", "sku": "KIT", "code": "ABC-12345-XYZ"},
    ]

    # when
    product_pdf = pdf.render_many("documents/product_label.html", products)
    bin_pdf = pdf.render_pdf(
        "documents/bin_label.html", {"code": "A-01-03", "barcode": "BIN-MAIN-A-01-03"}
    )

    # then
    assert page_sizes(product_pdf) == [(162.0, 90.0)] * 3
    assert scanned_texts(product_pdf) == [{"4006381333931"}, {"0036000291452"}, {"ABC-12345-XYZ"}]
    assert page_sizes(bin_pdf) == [(216.0, 72.0)]
    assert scanned_texts(bin_pdf) == [{"BIN-MAIN-A-01-03"}]


def test_return_label_rma_tracking_and_order_barcodes_scan():
    # given
    context = {
        "sender": samples.address(),
        "recipient": samples.address(name="OMS Demo Ltd Returns", company=""),
        "rma_number": "RMA-000042",
        "order_number": "SO-000123",
        "carrier": "Royal Mail",
        "service": "Tracked 48",
        "tracking_number": "RR123456785GB",
    }

    # when
    document = pdf.render_pdf("documents/return_label.html", context)

    # then
    assert page_sizes(document) == [LABEL_SIZE]
    assert scanned_texts(document) == [{"RMA-000042", "RR123456785GB", "SO-000123"}]


def test_a_document_can_only_load_static_files_and_fonts():
    # given
    fetcher = pdf.renderer().url_fetcher

    # then
    with pytest.raises(ValueError, match="may not load"):
        fetcher.fetch("file:///etc/hostname")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1/logo.png")
    font = fetcher.fetch("file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"


def test_fonts_are_the_declared_dejavu_faces_embedded_in_the_pdf():
    # when
    document = pdf.render_pdf("documents/packing_slip.html", samples.packing_slip())

    # then: the faces declared in _base.css, embedded, not a system default
    fonts = subprocess.run(
        ["pdffonts", "-"], input=document, capture_output=True, check=True
    ).stdout.decode()
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]}
    assert {"OMS-Sans", "OMS-Sans-Bold", "OMS-Mono"} <= names
    assert names <= {"OMS-Sans", "OMS-Sans-Bold", "OMS-Mono", "OMS-Mono-Bold"}
    assert all(" yes yes " in line for line in fonts.splitlines()[2:])


def test_combining_documents_keeps_one_head_and_one_section_per_document():
    # when
    html = pdf.combine_html(
        [
            "<html><head><title>A</title></head><body><p>1</p></body></html>",
            "<html><head><title>B</title></head><body><p>2</p></body></html>",
        ]
    )

    # then
    assert html.count("<title>") == 1
    assert html.count('<section class="document">') == 2
    with pytest.raises(ValueError, match="no document"):
        pdf.combine_html([])


def test_pdf_response_names_the_file_inline_or_as_attachment():
    # when
    inline = pdf.pdf_response(b"%PDF-1.7", "label SH-000001")
    attached = pdf.pdf_response(b"%PDF-1.7", "labels.pdf", inline=False)

    # then
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"] == 'inline; filename="label_SH-000001.pdf"'
    assert attached["Content-Disposition"] == 'attachment; filename="labels.pdf"'


def test_barcode_tag_escapes_the_value_and_draws_nothing_for_an_empty_one():
    # given
    template = Template("{% load barcodes %}{% barcode value %}|{% barcode '' %}")

    # when
    html = template.render(Context({"value": 'A<b>"&'}))

    # then
    assert 'data-value="A&lt;b&gt;&quot;&amp;"' in html
    assert "<b>" not in html
    assert html.endswith("</svg></span>|")


def test_barcode_tag_prints_an_invalid_gtin_as_text_rather_than_a_wrong_symbol():
    # when
    html = Template("{% load barcodes %}{% barcode '4006381333932' symbology='ean13' %}").render(
        Context()
    )

    # then
    assert "<svg" not in html
    assert 'class="barcode-error"' in html


def test_compact_svg_keeps_every_bar_where_python_barcode_drew_it():
    # given
    from oms.barcodes import render_svg

    drawn = render_svg("SO-000123", text=False)

    # when
    compact = compact_svg(drawn)

    # then
    bars = re.findall(
        r'<rect x="([\d.]+)mm" y="([\d.]+)mm" width="([\d.]+)mm" height="([\d.]+)mm" '
        r'style="fill:black;"',
        drawn,
    )
    redrawn = re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+z", compact)
    assert len(bars) > 20
    assert redrawn == bars
    assert compact.count("<rect") == 1


def test_fitting_shrinks_bars_to_the_room_but_not_below_a_readable_width():
    # when
    wide = barcode_svg("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "code128", 0.5, 10.0, None)
    fitted = barcode_svg("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "code128", 0.5, 10.0, 100.0)
    floor = barcode_svg("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "code128", 0.5, 10.0, 20.0)

    # then
    def width(svg):
        return float(svg.split('width="', 1)[1].split("mm", 1)[0])

    assert width(wide) > 100
    assert width(fitted) <= 100
    assert width(floor) == pytest.approx(8 + (width(wide) - 8) / 2)  # 0.25 mm, half of 0.5
