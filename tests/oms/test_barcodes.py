"""Barcodes: check digits, recognition, and printed symbols that scan back to their value."""

import logging

import pypdfium2
import pytest
import weasyprint
import zxingcpp
from django.core.exceptions import ValidationError

from inventory.selectors import product_find_by_code
from oms.barcodes import (
    Symbology,
    classify,
    gtin_check_digit,
    gtin_variants,
    is_valid_gtin,
    render_svg,
    validate_product_barcode,
)
from tests.factories import ProductFactory

# Real, published codes: a Faber-Castell EAN-13, a UPC-A from a US grocery
# pack, the EAN-8 from the GS1 specification, and GS1's GTIN-14 examples.
EAN13 = "4006381333931"
UPCA = "036000291452"
EAN8 = "96385074"
GTIN14 = "10012345678902"


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        pytest.param(EAN13[:-1], 1, id="ean-13"),
        pytest.param(UPCA[:-1], 2, id="upc-a"),
        pytest.param(EAN8[:-1], 4, id="ean-8"),
        pytest.param(GTIN14[:-1], 2, id="gtin-14"),
        pytest.param("0952123454321", 3, id="gtin-14-gs1-uk"),
        pytest.param("590123412345", 7, id="ean-13-poland"),
        pytest.param("0000000", 0, id="all-zero"),
    ],
)
def test_check_digit_matches_published_codes(body, digit):
    # given the digits before the check digit
    # when
    computed = gtin_check_digit(body)
    # then
    assert computed == digit


@pytest.mark.parametrize("code", [EAN13, UPCA, EAN8, GTIN14, "09521234543213", "5901234123457"])
def test_real_codes_are_valid_gtins(code):
    # given a real code
    # when
    valid = is_valid_gtin(code)
    # then
    assert valid


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("4006381333932", id="ean-13-wrong-digit"),
        pytest.param("036000291451", id="upc-a-wrong-digit"),
        pytest.param("96385075", id="ean-8-wrong-digit"),
        pytest.param("10012345678903", id="gtin-14-wrong-digit"),
        pytest.param("40063813339", id="eleven-digits"),
        pytest.param("400638133393100", id="fifteen-digits"),
        pytest.param("40063813339A", id="letter"),
        pytest.param("", id="empty"),
        pytest.param("4006381333931 ", id="trailing-space"),
    ],
)
def test_wrong_codes_are_not_valid_gtins(code):
    # given a code with a wrong digit, length or character
    # when
    valid = is_valid_gtin(code)
    # then
    assert not valid


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (EAN13, Symbology.EAN13),
        (UPCA, Symbology.UPCA),
        (EAN8, Symbology.EAN8),
        (GTIN14, Symbology.GTIN14),
        ("SO-000123", Symbology.CODE128),
        ("BIN-MAIN-A-01-01", Symbology.CODE128),
        ("12345", Symbology.CODE128),
        pytest.param("123456789013", Symbology.CODE128, id="12-digit-tracking-number"),
    ],
)
def test_classify_names_the_symbology(code, kind):
    # given
    # when
    found = classify(code)
    # then
    assert found is kind


@pytest.mark.parametrize("code", [EAN13, UPCA, EAN8, GTIN14, "ACME-123/X", "a" * 48, "!~"])
def test_validate_accepts_gtins_and_code128_text(code):
    # given
    # when
    result = validate_product_barcode(code)
    # then
    assert result is None


@pytest.mark.parametrize(
    ("code", "error_code", "words"),
    [
        pytest.param("4006381333932", "check_digit", "should be 1, not 2", id="ean-13"),
        pytest.param("036000291459", "check_digit", "not a valid UPC-A", id="upc-a"),
        pytest.param("96385071", "check_digit", "not a valid EAN-8", id="ean-8"),
        pytest.param("10012345678900", "check_digit", "not a valid GTIN-14", id="gtin-14"),
        pytest.param("", "blank", "Enter a barcode", id="blank"),
        pytest.param("A" * 49, "too_long", "at most 48", id="too-long"),
        pytest.param("AB CD", "characters", "without spaces", id="space"),
        pytest.param("AB\x1dCD", "characters", "printable", id="control-character"),
        pytest.param("CAFÉ", "characters", "printable", id="accent"),
    ],
)
def test_validate_refuses_bad_barcodes_in_plain_words(code, error_code, words):
    # given
    # when
    with pytest.raises(ValidationError) as caught:
        validate_product_barcode(code)
    # then
    assert caught.value.code == error_code
    assert words in caught.value.messages[0]


def test_gtin_variants_spell_one_upc_every_way():
    # given a UPC-A
    # when
    variants = gtin_variants(UPCA)
    # then
    assert variants == [UPCA, "0" + UPCA, "00" + UPCA]


def test_gtin_variants_find_the_upc_behind_its_13_and_14_digit_spellings():
    # given the spellings a scanner or a GS1-128 label may send
    # when
    from_13 = gtin_variants("0" + UPCA)
    from_14 = gtin_variants("00" + UPCA)
    # then
    assert UPCA in from_13
    assert UPCA in from_14


def test_gtin_variants_of_an_ean8_reach_its_14_digit_form():
    # given
    # when
    variants = gtin_variants(EAN8)
    # then
    assert EAN8.zfill(14) in variants
    assert all(is_valid_gtin(code) for code in variants)


@pytest.mark.parametrize("code", ["12345", "SO-000123", "4006381333932", "0000"])
def test_gtin_variants_leave_non_gtins_alone(code):
    # given Code 128 text, or digits that are not a valid GTIN
    # when
    variants = gtin_variants(code)
    # then
    assert variants == [code]


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        (EAN13, None),
        (UPCA, None),
        (EAN8, None),
        (GTIN14, None),
        ("SO-000123", None),
        (EAN13, Symbology.CODE128),
    ],
)
def test_render_svg_draws_an_inline_svg(code, symbology):
    # given
    # when
    svg = render_svg(code, symbology=symbology)
    # then
    assert svg.startswith("<svg")
    assert not svg.startswith("<?xml")
    assert svg.rstrip().endswith("</svg>")
    assert "<rect" in svg


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        pytest.param("4006381333932", Symbology.EAN13, id="ean-13-wrong-digit"),
        pytest.param("036000291451", Symbology.UPCA, id="upc-a-wrong-digit"),
        pytest.param(EAN13, Symbology.EAN8, id="wrong-length-for-ean-8"),
        pytest.param("SO-1", Symbology.GTIN14, id="text-as-gtin"),
    ],
)
def test_render_svg_refuses_to_draw_a_gtin_that_would_scan_differently(code, symbology):
    # given a value that is not a valid code of the symbology asked for
    # when
    with pytest.raises(ValueError) as caught:
        render_svg(code, symbology=symbology)
    # then
    assert code in str(caught.value)


# --- printed, rasterised and scanned -----------------------------------------------------------


def scan(svg: str, formats) -> list:
    """Print the SVG to PDF with WeasyPrint, rasterise it at 300 dpi and read it with ZXing."""
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    html = f"<html><body style='margin:0'><div style='padding:10mm'>{svg}</div></body></html>"
    pdf = weasyprint.HTML(string=html).write_pdf()
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=300 / 72).to_pil()
    finally:
        document.close()
    return zxingcpp.read_barcodes(image, formats=formats)


def same_gtin(a: str, b: str) -> bool:
    return a.zfill(14) == b.zfill(14)


@pytest.mark.parametrize(
    ("code", "formats"),
    [
        pytest.param(EAN13, zxingcpp.BarcodeFormat.EAN13, id="ean-13"),
        pytest.param(UPCA, zxingcpp.BarcodeFormat.UPCA, id="upc-a"),
        pytest.param(EAN8, zxingcpp.BarcodeFormat.EAN8, id="ean-8"),
        pytest.param(GTIN14, zxingcpp.BarcodeFormat.ITF, id="gtin-14-as-itf-14"),
    ],
)
def test_printed_gtins_scan_back_to_the_same_gtin(code, formats):
    # given
    svg = render_svg(code)
    # when
    found = scan(svg, formats)
    # then
    assert len(found) == 1
    assert found[0].valid
    assert same_gtin(found[0].text, code)
    assert found[0].text in gtin_variants(code)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("SO-000123", id="order-number"),
        pytest.param("BIN-MAIN-A-01-01", id="bin"),
        pytest.param("1Z999AA10123456784", id="tracking"),
        pytest.param("123456789013", id="12-digit-tracking"),
        pytest.param("ACME-123/x", id="lower-case-and-slash"),
        pytest.param(EAN13, id="gtin-digits-forced"),
    ],
)
def test_printed_code128_scans_back_to_the_exact_text(text):
    # given
    svg = render_svg(text, symbology=Symbology.CODE128)
    # when
    found = scan(svg, zxingcpp.BarcodeFormat.Code128)
    # then
    assert [barcode.text for barcode in found] == [text]


def test_printed_code128_without_human_text_still_scans():
    # given
    svg = render_svg("CMD-DONE", text=False)
    # when
    found = scan(svg, zxingcpp.BarcodeFormat.Code128)
    # then
    assert [barcode.text for barcode in found] == ["CMD-DONE"]


@pytest.mark.parametrize("code", [EAN13, UPCA, EAN8, GTIN14])
def test_what_a_scanner_reads_off_a_label_finds_the_product(db, code):
    # given a product and its printed label, read by an ordinary scanner
    product = ProductFactory(barcode=code)
    (read,) = scan(render_svg(code), zxingcpp.BarcodeFormat.AllReadable)
    # when
    found = product_find_by_code(read.text)
    # then
    assert found == product
