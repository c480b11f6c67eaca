"""What every app's documents share: the seller's block and the answer to a print request."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from oms.documents import company_context, ids_asked, inline_limit, pdf_answer

PDF = b"%PDF-1.7 a document"


def test_the_seller_is_printed_from_the_settings(settings):
    # given
    settings.OMS_COMPANY_NAME = "Mugs & Co"
    settings.OMS_COMPANY_ADDRESS = "1 Quay Street,\nLeeds, LS1 1AA"
    settings.OMS_COMPANY_EMAIL = ""
    settings.DEFAULT_FROM_EMAIL = "orders@mugs.example"
    settings.OMS_COMPANY_PHONE = "+44 113 000"

    # when
    company = company_context()

    # then
    assert company == {
        "name": "Mugs & Co",
        "lines": ["1 Quay Street", "Leeds", "LS1 1AA"],
        "email": "orders@mugs.example",
        "phone": "+44 113 000",
    }


def test_the_inline_limit_comes_from_the_settings(settings):
    # given
    settings.OMS_PDF_INLINE_MAX = 7
    # then
    assert inline_limit() == 7


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("?ids=3,1,3", [3, 1]),
        ("?ids=3&ids=2", [3, 2]),
        ("?ids=", []),
        ("", []),
        ("?ids=1,2,3,4,5", [1, 2, 3]),
    ],
)
def test_ids_are_read_in_the_order_given_once_each_up_to_the_limit(query, ids):
    # when
    asked = ids_asked(RequestFactory().get(f"/labels.pdf{query}"), limit=3)
    # then
    assert asked == ids


@pytest.mark.parametrize("bad", ["x", "1.5", "-1", "0", "1e3"])
def test_an_id_that_cannot_be_one_is_404(bad):
    # when / then
    with pytest.raises(Http404):
        ids_asked(RequestFactory().get("/labels.pdf", {"ids": f"1,{bad}"}), limit=10)


@pytest.mark.parametrize(
    ("query", "disposition"),
    [
        ({}, 'inline; filename="label-SH-1.pdf"'),
        ({"download": "1"}, 'attachment; filename="label-SH-1.pdf"'),
        ({"download": "true"}, 'attachment; filename="label-SH-1.pdf"'),
    ],
)
def test_a_pdf_opens_in_the_browser_unless_asked_to_download(query, disposition):
    # when
    response = pdf_answer(RequestFactory().get("/label.pdf", query), PDF, "label-SH-1")
    # then
    assert response["Content-Disposition"] == disposition
    assert response["Content-Type"] == "application/pdf"
    assert response.content == PDF
