"""Scan recognition: what a scanned or typed string is, for valid and invalid input."""

from datetime import date

import pytest

from oms.barcodes import gtin_check_digit
from oms.scanning import (
    GS,
    Command,
    DocumentType,
    ScanError,
    ScanKind,
    gs1_date,
    parse_gs1,
    recognise,
)

TODAY = date(2025, 6, 15)
EAN13 = "4006381333931"
GTIN14 = "0" + EAN13


def with_check(body: str) -> str:
    return body + str(gtin_check_digit(body))


# --- commands ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "command"),
    [
        ("CMD-DONE", Command.DONE),
        ("CMD-UNDO", Command.UNDO),
        ("CMD-SHORT", Command.SHORT),
        ("CMD-NEW-PARCEL", Command.NEW_PARCEL),
        ("cmd-new-parcel", Command.NEW_PARCEL),
        ("  CMD-DONE\r\n", Command.DONE),
    ],
)
def test_command_barcodes_are_recognised(code, command):
    # given a printed command barcode
    # when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.COMMAND
    assert scan.command is command
    assert scan.value == f"CMD-{command.value}"


def test_an_unknown_command_is_refused_with_the_known_ones_listed():
    # given
    code = "CMD-EXPLODE"
    # when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.INVALID
    assert "CMD-EXPLODE is not a command" in scan.error
    assert "CMD-DONE" in scan.error
    assert not scan.is_valid


# --- bins -------------------------------------------------------------------------------------


def test_a_bin_label_gives_warehouse_and_bin_code():
    # given the barcode printed on a bin label
    # when
    scan = recognise("bin-main-a-01-03")
    # then
    assert scan.kind is ScanKind.BIN
    assert scan.value == "BIN-MAIN-A-01-03"
    assert (scan.warehouse_code, scan.bin_code) == ("MAIN", "A-01-03")
    assert not scan.ambiguous


@pytest.mark.parametrize("code", ["BIN-", "BIN-MAIN", "BIN-MAIN-", "BIN--A-01"])
def test_an_incomplete_bin_label_is_refused(code):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.INVALID
    assert "not a complete bin label" in scan.error


@pytest.mark.parametrize("code", ["A-01-03", "b-12-4", "AB2-01-01-2"])
def test_a_bare_bin_code_is_a_bin_that_may_also_be_a_product(code):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.BIN
    assert scan.value == code.upper()
    assert scan.ambiguous


# --- product codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        (EAN13, "ean13"),
        ("036000291452", "upca"),
        ("96385074", "ean8"),
        (GTIN14, "gtin14"),
        (with_check("1234567890123"), "gtin14"),
    ],
)
def test_gtins_with_a_correct_check_digit_are_products(code, symbology):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.PRODUCT
    assert scan.symbology == symbology
    assert scan.value == scan.gtin == code
    assert scan.quantity is None
    assert not scan.ambiguous


@pytest.mark.parametrize(
    ("code", "name", "expected"),
    [
        ("4006381333932", "EAN-13", "1"),
        ("036000291453", "UPC-A", "2"),
        ("96385071", "EAN-8", "4"),
        ("04006381333930", "GTIN-14", "1"),
    ],
)
def test_a_gtin_with_a_wrong_check_digit_is_refused(code, name, expected):
    # given a misread digit
    # when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.INVALID
    assert f"not a valid {name}" in scan.error
    assert f"should be {expected}" in scan.error


@pytest.mark.parametrize("code", ["MUG-RED", "SKU_0001", "12345", "ABC/123.4"])
def test_other_text_is_a_code_128_product_that_may_also_be_a_bin(code):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.PRODUCT
    assert scan.symbology == "code128"
    assert scan.value == code
    assert scan.ambiguous


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("red mug", "no spaces"),
        ("X" * 49, "at most 48"),
        ("1" * 49, "at most 48"),
        ("AB\x07C", "control characters"),
        ("9" * 201, "far too long"),
    ],
)
def test_strings_that_cannot_be_barcodes_are_refused(code, message):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.INVALID
    assert message in scan.error


@pytest.mark.parametrize("code", ["", "   ", "\r\n", None])
def test_nothing_scanned_is_empty(code):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.EMPTY
    assert not scan.is_valid


# --- quantity prefix --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "quantity"),
    [
        (f"5*{EAN13}", 5),
        (f"12x{EAN13}", 12),
        (f"3X {EAN13}", 3),
        (f"2 * {EAN13}", 2),
        (f"7\u00d7{EAN13}", 7),
    ],
)
def test_a_quantity_typed_before_a_product_code_is_read(code, quantity):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.PRODUCT
    assert scan.quantity == quantity
    assert scan.value == EAN13


def test_a_quantity_before_a_text_product_code_is_read():
    # given / when
    scan = recognise("4*MUG-RED")
    # then
    assert (scan.kind, scan.quantity, scan.value) == (ScanKind.PRODUCT, 4, "MUG-RED")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (f"0*{EAN13}", "at least 1"),
        (f"100001*{EAN13}", "cannot be more than 100,000"),
        ("5*A-01-03", "only go before a product code"),
        ("5*CMD-DONE", "only go before a product code"),
        ("5*4006381333932", "not a valid EAN-13"),
    ],
)
def test_a_bad_quantity_prefix_is_refused(code, message):
    # given / when
    scan = recognise(code)
    # then
    assert scan.kind is ScanKind.INVALID
    assert message in scan.error


# --- documents --------------------------------------------------------------------------------


def test_order_and_purchase_order_numbers_are_documents():
    # given / when
    order, purchase = recognise("so-000123"), recognise("PO-000001")
    # then
    assert (order.kind, order.document_type, order.value) == (
        ScanKind.DOCUMENT,
        DocumentType.ORDER,
        "SO-000123",
    )
    assert (purchase.kind, purchase.document_type) == (
        ScanKind.DOCUMENT,
        DocumentType.PURCHASE_ORDER,
    )


# --- GS1-128 ----------------------------------------------------------------------------------


def test_gs1_with_symbology_prefix_and_group_separators_is_read():
    # given GTIN, batch (variable, ended by GS), expiry and serial
    code = f"]C101{GTIN14}10LOT-42{GS}17251231" + "21SN0001"
    # when
    scan = recognise(code, today=TODAY)
    # then
    assert scan.kind is ScanKind.PRODUCT
    assert scan.symbology == "gs1-128"
    assert scan.value == scan.gtin == GTIN14
    assert scan.batch == "LOT-42"
    assert scan.expiry == date(2025, 12, 31)
    assert scan.serial == "SN0001"
    assert scan.display == f"(01){GTIN14}(10)LOT-42(17)251231(21)SN0001"


def test_gs1_without_its_symbology_prefix_is_still_read():
    # given a scanner that does not send ]C1
    code = f"01{GTIN14}17260228" + f"10B7{GS}21X9"
    # when
    scan = recognise(code, today=TODAY)
    # then
    assert scan.kind is ScanKind.PRODUCT
    assert scan.gtin == GTIN14
    assert scan.batch == "B7"
    assert scan.serial == "X9"
    assert scan.expiry == date(2026, 2, 28)


def test_gs1_human_readable_form_is_read():
    # given the text printed under the barcode
    code = f"(01){GTIN14}(10)ABC123(17)250200(21)77"
    # when
    scan = recognise(code, today=TODAY)
    # then
    assert scan.kind is ScanKind.PRODUCT
    assert scan.gtin == GTIN14
    assert scan.batch == "ABC123"
    assert scan.expiry == date(2025, 2, 28)  # day 00 is the last day of the month
    assert scan.serial == "77"


def test_gs1_with_a_leading_group_separator_and_a_fixed_field_followed_by_one_is_read():
    # given FNC1 sent as GS first, and a redundant GS after a fixed-length field
    code = f"{GS}01{GTIN14}{GS}10L1"
    # when
    fields = parse_gs1(code)
    # then
    assert fields == {"01": GTIN14, "10": "L1"}


def test_gs1_measure_and_three_digit_identifiers_are_read():
    # given net weight (3103) and an order number (400)
    code = f"]C101{GTIN14}3103001250400PO-9"
    # when
    fields = parse_gs1(code)
    # then
    assert fields == {"01": GTIN14, "3103": "001250", "400": "PO-9"}


def test_an_sscc_alone_is_a_parcel_label_not_a_product():
    # given
    sscc = with_check("00312345000000001")
    # when
    scan = recognise(f"]C100{sscc}")
    # then
    assert scan.kind is ScanKind.SSCC
    assert scan.value == sscc


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (f"]C101{GTIN14[:-1]}9", "wrong check digit"),
        (f"]C101{GTIN14}17251301", "no month 13"),
        (f"]C101{GTIN14}17250231", "has 28 days"),
        (f"]C101{GTIN14}1725123", "must be 6 characters"),
        (f"]C101{GTIN14}99ABC", "does not know"),
        (f"]C101{GTIN14}10{'L' * 21}", "group separator is probably missing"),
        (f"]C101{GTIN14}10LOT{GS}10LOT2", "twice"),
        ("]C11012345", "no product number (01)"),
        (f"]C101{GTIN14[:5]}", "must be 14 characters"),
        (f"]C101{GTIN14}10", "is empty"),
        (f"(01){GTIN14}(10", "brackets do not match"),
        ("(01)0400638133393A", "digits only"),
        (f"]C100{with_check('00312345000000001')[:-1]}0", "wrong check digit"),
        ("]C1", "holds no data"),
    ],
)
def test_unreadable_gs1_codes_are_refused_in_plain_words(code, message):
    # given / when
    scan = recognise(code, today=TODAY)
    # then
    assert scan.kind is ScanKind.INVALID
    assert message in scan.error


def test_a_quantity_before_a_gs1_code_is_read():
    # given / when
    scan = recognise(f"6*(01){GTIN14}(10)L9", today=TODAY)
    # then
    assert (scan.kind, scan.quantity, scan.gtin, scan.batch) == (
        ScanKind.PRODUCT,
        6,
        GTIN14,
        "L9",
    )


@pytest.mark.parametrize(
    ("yymmdd", "expected"),
    [
        ("251231", date(2025, 12, 31)),
        ("740101", date(2074, 1, 1)),  # up to 49 years ahead stays in this century
        ("760101", date(1976, 1, 1)),  # more than 50 years ahead is the last century
        ("240200", date(2024, 2, 29)),
    ],
)
def test_gs1_dates_follow_the_century_rule(yymmdd, expected):
    # given / when / then
    assert gs1_date(yymmdd, today=TODAY) == expected


@pytest.mark.parametrize("yymmdd", ["2512", "25123a", "250001", "251232"])
def test_impossible_gs1_dates_are_refused(yymmdd):
    # given / when / then
    with pytest.raises(ScanError):
        gs1_date(yymmdd, today=TODAY)
