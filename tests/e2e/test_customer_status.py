"""A customer follows the link in their shipment email on a phone, sees where the parcel is,
and asks to send one item back; a sales rep sees the request and authorizes it."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from orders import services as order_services
from returns.models import Return
from tests.e2e.axe import axe_findings
from tests.returns import conftest as returns_fixtures
from tests.returns.conftest import ship

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The floor's and the returns desk's fixtures: a customer, orders, a carrier, a box, reasons.
customer = returns_fixtures.customer
make_order = returns_fixtures.make_order
royal_mail = returns_fixtures.royal_mail
box = returns_fixtures.box
mug_blue = returns_fixtures.mug_blue
reasons = returns_fixtures.reasons


@pytest.fixture
def delivered_with_email(
    make_order, stocked, mug_blue, bin_a, warehouse_user, royal_mail, box, live_server, settings
):
    """An order of 2 red mugs and a blue mug, shipped (the notice sent) and delivered."""
    from inventory import services as inventory_services

    settings.OMS_PUBLIC_URL = live_server.url
    inventory_services.stock_receive(product=mug_blue, location=bin_a, quantity=5, reference="PO")
    order = make_order(("MUG-RED", 2), ("MUG-BLUE", 1))
    mail.outbox.clear()
    ship(order, warehouse_user, box)
    order_services.order_delivered(order=order, delivered_at=timezone.now())
    [notice] = [m for m in mail.outbox if "is on its way" in m.subject]
    return order, notice


def test_a_customer_tracks_the_order_and_asks_to_return_one_item(
    browser, delivered_with_email, page_as, sales_user, screenshot
):
    order, notice = delivered_with_email
    link = re.search(r"http://\S+/track/[\w-]{32}/", notice.body).group(0)

    # the customer, on a phone, opens the link from the email
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    phone = context.new_page()
    phone.goto(link)
    assert phone.locator("[data-headline]").inner_text() == "Delivered"
    track = phone.locator("[data-parcel] a.button")
    assert track.get_attribute("href") == "https://rm.example/track?n=RM123456785GB"
    screenshot(phone, "customer-1-status")
    # the page, with its return form, has no serious accessibility finding
    assert axe_findings(phone) == []

    # and asks to send one red mug back, because it arrived damaged
    red = order.lines.get(sku="MUG-RED")
    phone.fill(f"#quantity-{red.pk}", "1")
    phone.select_option(f"#reason-{red.pk}", "damaged")
    phone.get_by_role("button", name="Ask to send these back").click()
    phone.wait_for_selector(".message-ok")
    assert "we have your request" in phone.locator(".message-ok").inner_text()
    assert "Asked for: we will reply soon" in phone.locator("[data-return]").inner_text()
    screenshot(phone, "customer-2-requested")
    context.close()

    # a sales rep sees the request on the home page and authorizes it
    desk = page_as(sales_user)
    desk.goto("/")
    card = desk.locator("[data-return-requests]")
    assert card.get_attribute("data-return-requests") == "1"
    card.click()
    rma = Return.objects.get()
    desk.get_by_role("link", name=rma.number).first.click()
    desk.locator("[data-authorize]").click()
    desk.wait_for_load_state()
    rma.refresh_from_db()
    assert rma.status == Return.Status.AUTHORIZED
    screenshot(desk, "customer-3-authorized")


def test_the_lookup_page_and_a_wrong_link_have_no_serious_accessibility_finding(
    browser, live_server, screenshot
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    phone = context.new_page()

    phone.goto("/track/")
    lookup = axe_findings(phone)
    phone.fill("#number", "SO-999999")
    phone.fill("#email_or_postcode", "nobody@example.com")
    phone.get_by_role("button", name="Find my order").click()
    phone.wait_for_selector("[role=alert]")
    missed = axe_findings(phone)
    screenshot(phone, "customer-0-lookup-missed")
    context.close()

    assert (lookup, missed) == ([], [])
