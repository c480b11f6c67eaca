"""Returns on the customer's status page: what is in progress, and asking for a return
(``returns.track``)."""

import datetime

import pytest
from django.utils import timezone

from orders import services as order_services
from orders.services.tracking import tracking_link_issue
from returns import services
from returns.models import Return
from tests.returns.conftest import red_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(shipped_order):
    order_services.order_delivered(order=shipped_order, delivered_at=timezone.now())
    shipped_order.refresh_from_db()
    return shipped_order


@pytest.fixture
def page(delivered):
    """The delivered order's status-page address."""
    return f"/track/{tracking_link_issue(order_id=delivered.pk)}/"


def _form(order, **by_sku):
    data = {}
    for line in order.lines.all():
        quantity, reason, note = by_sku.get(line.sku, (0, "no_longer_needed", ""))
        data[f"quantity-{line.pk}"] = str(quantity)
        data[f"reason-{line.pk}"] = reason
        data[f"note-{line.pk}"] = note
    return data


def test_a_delivered_order_offers_each_item_to_send_back(page, client, delivered):
    text = client.get(page).content.decode()

    assert "Send something back" in text
    red = red_line(delivered)
    assert f'name="quantity-{red.pk}"' in text and 'max="2"' in text


def test_asking_for_a_return_opens_a_request_for_the_desk(page, client, delivered, sales_user):
    # when the customer asks to send one red mug back
    response = client.post(page + "return/", _form(delivered, **{"MUG-RED": (1, "damaged", "")}))

    # then a return waits in requested, from the customer, and the page says so
    assert response.status_code == 303 and response["Location"] == page
    rma = Return.objects.get()
    assert (rma.status, rma.source, rma.created_by) == ("requested", "customer", None)
    [line] = rma.lines.all()
    assert (line.order_line.sku, line.quantity_requested, line.reason.code) == (
        "MUG-RED",
        1,
        "damaged",
    )
    shown = client.get(page).content.decode()
    assert f"we have your request ({rma.number})" in shown
    assert "Asked for: we will reply soon" in shown
    # and the rep sees it on the home page, and may authorize it
    client.force_login(sales_user)
    home = client.get("/").content.decode()
    assert 'data-return-requests="1"' in home and "1 to answer" in home
    services.return_authorize(return_id=rma.pk, user=sales_user)


@pytest.mark.parametrize(
    "choice, words",
    [
        ({}, "Choose at least one item"),  # nothing chosen
        ({"MUG-RED": (3, "damaged", "")}, "Only 2"),  # more than delivered
        ({"MUG-RED": ("many", "damaged", "")}, "whole number"),  # tampered quantity
        ({"MUG-RED": (1, "made-up", "")}, "Choose a reason"),  # tampered reason
        ({"MUG-RED": (1, "other", "")}, "needs a note"),  # a reason that needs words
    ],
)
def test_a_bad_request_is_answered_on_the_page_and_writes_nothing(
    page, client, delivered, unchanged, choice, words
):
    before = unchanged()

    response = client.post(page + "return/", _form(delivered, **choice))

    assert response.status_code in (400, 409)
    assert words in response.content.decode()
    assert unchanged() == before


def test_a_line_of_another_order_cannot_be_slipped_into_the_form(
    page, client, delivered, make_order, unchanged
):
    other = make_order(("MUG-RED", 1))
    before = unchanged()

    data = _form(delivered)
    data[f"quantity-{other.lines.get().pk}"] = "1"
    data[f"reason-{other.lines.get().pk}"] = "damaged"
    response = client.post(page + "return/", data)

    assert "Choose at least one item" in response.content.decode()
    assert unchanged() == before


def test_one_open_request_per_item(page, client, delivered):
    client.post(page + "return/", _form(delivered, **{"MUG-RED": (1, "damaged", "")}))

    text = client.get(page).content.decode()

    assert f'name="quantity-{red_line(delivered).pk}"' not in text  # waiting for the desk
    again = client.post(page + "return/", _form(delivered, **{"MUG-RED": (1, "damaged", "")}))
    assert "Choose at least one item" in again.content.decode()
    assert Return.objects.count() == 1


def test_outside_the_window_nothing_is_offered_and_a_post_is_refused(
    page, client, delivered, unchanged, settings
):
    settings.OMS_RETURN_DAYS = 0
    type(delivered).objects.filter(pk=delivered.pk).update(
        delivered_at=timezone.now() - datetime.timedelta(days=2)
    )
    before = unchanged()

    text = client.get(page).content.decode()
    refused = client.post(page + "return/", _form(delivered, **{"MUG-RED": (1, "damaged", "")}))

    assert "Send something back" not in text
    assert refused.status_code == 409 and "are over" in refused.content.decode()
    assert unchanged() == before


def test_an_order_not_delivered_offers_no_return(shipped_order, client):
    page = f"/track/{tracking_link_issue(order_id=shipped_order.pk)}/"

    assert "Send something back" not in client.get(page).content.decode()
    refused = client.post(page + "return/", {})
    assert (
        refused.status_code == 409 and "once they have been delivered" in refused.content.decode()
    )


def test_a_wrong_link_cannot_ask_for_a_return(client, delivered, unchanged):
    before = unchanged()

    response = client.post("/track/" + "A" * 32 + "/return/", _form(delivered))

    assert response.status_code == 404
    assert unchanged() == before
