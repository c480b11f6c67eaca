"""The customer's status page lists the parcels that left, with carrier and a tracking link
(``fulfillment.hooks``' customer section, ``fulfillment.selectors.customer_parcels``)."""

import re

import pytest
from django.core import mail

from orders.services.tracking import tracking_link_issue

pytestmark = pytest.mark.django_db


def test_a_shipped_order_shows_each_parcel_with_its_tracking_link(shipped_in_parcels, client):
    # given
    _wave, shipment = shipped_in_parcels
    token = tracking_link_issue(order_id=shipment.order_id)

    # when
    response = client.get(f"/track/{token}/")

    # then
    text = response.content.decode()
    assert response.context["headline"] == "On its way"
    assert "Tracking number RM123456789GB" in text
    assert f'href="{shipment.tracking_url}"' in text and 'rel="noopener noreferrer"' in text
    assert "2 × Red mug" in text
    assert "2 sent" in text


def test_an_order_not_shipped_yet_shows_no_parcels(picked_wave, client):
    _wave, shipment = picked_wave
    token = tracking_link_issue(order_id=shipment.order_id)

    response = client.get(f"/track/{token}/")

    assert "Your parcels" not in response.content.decode()
    assert response.context["headline"] == "Being packed"


def test_the_shipment_notice_links_to_the_status_page(
    picked_wave, warehouse_user, box, client, settings, django_capture_on_commit_callbacks
):
    from fulfillment import services
    from tests.fulfillment.conftest import pack_in_parcels

    settings.OMS_PUBLIC_URL = "https://shop.example"
    _wave, shipment = picked_wave
    pack_in_parcels(shipment, warehouse_user, box)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.shipment_ship(
            shipment_id=shipment.pk, user=warehouse_user, tracking_number="RM1GB"
        )

    [notice] = [m for m in mail.outbox if "on its way" in m.subject]
    token = re.search(r"https://shop\.example/track/([A-Za-z0-9_-]{32})/", notice.body).group(1)
    assert client.get(f"/track/{token}/").context["number"] == shipment.order.number
