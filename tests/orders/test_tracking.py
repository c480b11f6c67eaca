"""The customer's status page: links by email, lookups by number, limits, the log, and what the
page shows and hides (``orders.services.tracking``, ``orders.views.track``)."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from inventory import services as inventory_services
from inventory.models import PurchaseOrder
from oms import rate_limit
from oms.models import OutboundEmail
from orders import services
from orders.models import Order, TrackingLink, TrackingLookup
from orders.services.tracking import LINK_MISSED, MISSED, Via, tracking_link_issue
from tests.factories import CustomerFactory, SupplierFactory, address_data

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver/track/([A-Za-z0-9_-]{32})/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.OMS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def customer(db):
    return CustomerFactory(
        name="Ann Lee", email="ann.lee@example.com", phone="+44 113 496 0999", notes="Rings twice"
    )


@pytest.fixture
def order(customer, stocked, sales_user):
    """A confirmed order of 2 red mugs to Ann Lee, 1 High St, Leeds LS1 1AA, paid by card."""
    placed = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(line1="1 High St", city="Leeds", postal_code="LS1 1AA"),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        notes="Leave with the neighbour at number 3",
        place=True,
    )
    return services.order_confirm(
        order_id=placed.pk,
        user=sales_user,
        payment={"method": "card", "amount": str(placed.total), "reference": "ch_secret_77"},
    )


def _token(order) -> str:
    return tracking_link_issue(order_id=order.pk)


def _everything():
    return (TrackingLink.objects.count(), Order.objects.count())


# --- the link in every customer email ---------------------------------------------------------


def test_the_confirmation_email_carries_a_link_whose_token_is_stored_only_hashed(
    customer, stocked, sales_user, django_capture_on_commit_callbacks, client
):
    # given a placed order
    placed = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
        place=True,
    )
    # when it is confirmed and the confirmation is sent
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order_id=placed.pk, user=sales_user)

    # then the email links to the page, in the text and the HTML
    [message] = mail.outbox
    token = LINK.search(message.body).group(1)
    assert f"/track/{token}/" in message.alternatives[0][0]
    # and the database holds only the token's hash: not in the link row, not in the outbox
    link = TrackingLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_at > timezone.now() + timedelta(days=89)
    stored = OutboundEmail.objects.get()
    assert token not in stored.body_text + stored.body_html
    assert "[[track-link]]" in stored.body_text
    # and the link opens the order's page
    assert client.get(f"/track/{token}/").status_code == 200


def test_a_staff_alert_carries_no_link(
    customer, stocked, sales_user, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    UserFactory(username="boss", email="boss@example.com", roles=["Manager"])
    placed = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 12}],
        place=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order_id=placed.pk, user=sales_user)

    alert = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    delay = next(m for m in mail.outbox if m.to == ["ann.lee@example.com"])
    assert "/track/" not in alert.body and "[[track-link]]" not in alert.body
    assert LINK.search(delay.body)


# --- the page ---------------------------------------------------------------------------------


def test_the_page_answers_where_the_order_is_in_the_customers_words(order, client):
    response = client.get(f"/track/{_token(order)}/")

    text = response.content.decode()
    assert response.status_code == 200
    assert order.number in text
    assert response.context["headline"] == "Being prepared"
    assert "allocated" not in text.lower()
    assert "2 × Red mug" in text
    assert "Going to Leeds, LS1 1AA" in text


def test_the_page_hides_contact_details_street_payments_and_notes(order, client):
    text = client.get(f"/track/{_token(order)}/").content.decode()

    for hidden in (
        "ann.lee@example.com",
        "+44 113 496 0999",
        "1 High St",
        "ch_secret_77",
        "Leave with the neighbour",
        "Rings twice",
    ):
        assert hidden not in text, hidden


def test_the_page_is_not_indexed_cached_or_referred_and_uses_no_staff_asset(order, client):
    response = client.get(f"/track/{_token(order)}/")

    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    text = response.content.decode()
    for staff in ("/static/vendor/", "htmx", "scanner.js", "/orders/", "/admin/", "/fulfillment/"):
        assert staff not in text, staff
    assert "/static/track/track.css" in text


def test_a_waiting_item_shows_when_stock_is_expected(customer, stocked, sales_user, client):
    # given 10 in stock, 12 ordered: 2 wait for a purchase order expected in 9 days
    stocked.supplier = SupplierFactory()
    stocked.save()
    placed = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 12}],
        place=True,
    )
    services.order_confirm(order_id=placed.pk, user=sales_user)
    due = timezone.localdate() + timedelta(days=9)
    PurchaseOrder.objects.filter(status__in=PurchaseOrder.OPEN).update(expected_on=due)
    assert PurchaseOrder.objects.filter(expected_on=due).exists()

    response = client.get(f"/track/{_token(placed)}/")

    assert response.context["headline"] == "Waiting for stock"
    [item] = response.context["items"]
    assert (item.shipped, item.waiting, item.expected) == (0, 12, due)
    assert f"waiting for stock, expected {due:%-d %b}" in response.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_order_size(
    customer, bin_a, sales_user, client, django_assert_max_num_queries
):
    from tests.factories import ProductFactory

    def order_of(count):
        products = [ProductFactory() for _ in range(count)]
        for product in products:
            inventory_services.stock_receive(
                product=product, location=bin_a, quantity=5, reference="R"
            )
        placed = services.order_create(
            customer=customer,
            user=sales_user,
            shipping_address=address_data(),
            lines=[{"sku": p.sku, "quantity": 1} for p in products],
            place=True,
        )
        return services.order_confirm(order_id=placed.pk, user=sales_user)

    small, large = order_of(1), order_of(30)
    small_token, large_token = _token(small), _token(large)
    with django_assert_max_num_queries(26) as few:
        client.get(f"/track/{small_token}/", REMOTE_ADDR="192.0.2.1")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/track/{large_token}/", REMOTE_ADDR="192.0.2.2")


# --- refusals: all alike, nothing revealed ----------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["A" * 32, "short", "x" * 400, "..%2F..", "ÄÖÜ" * 11, "a b c"],
)
def test_a_wrong_token_gets_the_plain_answer(order, client, token):
    response = client.get(f"/track/{token}/")

    assert response.status_code == 404
    assert LINK_MISSED in response.content.decode()
    assert order.number not in response.content.decode()
    assert TrackingLookup.objects.filter(outcome="missed").count() == 1


def test_an_expired_link_gets_the_same_answer_and_is_logged_as_expired(order, client):
    token = _token(order)
    TrackingLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(f"/track/{token}/")

    assert response.status_code == 404
    assert LINK_MISSED in response.content.decode()
    assert TrackingLookup.objects.get().outcome == "expired"


def test_a_draft_is_never_shown(customer, stocked, sales_user, client):
    draft = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )

    assert client.get(f"/track/{_token(draft)}/").status_code == 404


# --- finding an order by its number -----------------------------------------------------------


@pytest.mark.parametrize(
    "secret", ["ann.lee@example.com", " ANN.LEE@example.com ", "ls11aa", "LS1 1AA"]
)
def test_the_number_and_the_email_or_postcode_find_the_order(order, client, secret):
    response = client.post("/track/", {"number": order.number.lower(), "email_or_postcode": secret})

    assert response.status_code == 303
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["number"] == order.number
    assert TrackingLink.objects.get().via == Via.LOOKUP


@pytest.mark.parametrize(
    "number, secret",
    [
        ("SO-999999", "ann.lee@example.com"),  # a guessed number
        (None, "bob@example.com"),  # the right number, the wrong email
        (None, "LS2 9ZZ"),  # the right number, the wrong postcode
        (None, ""),  # nothing to prove it
        ("", "ann.lee@example.com"),
        ("x" * 500, "y" * 5000),  # a tampered form
    ],
)
def test_any_miss_gets_the_same_answer_and_writes_no_link(order, client, number, secret):
    before = _everything()

    response = client.post(
        "/track/",
        {"number": order.number if number is None else number, "email_or_postcode": secret},
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert MISSED in text
    assert "Leeds" not in text and "Red mug" not in text
    assert _everything() == before
    assert TrackingLookup.objects.get().outcome == "missed"


def test_every_lookup_is_logged_with_the_client_and_the_number(order, client):
    client.post("/track/", {"number": order.number, "email_or_postcode": "nope@example.com"})
    client.post("/track/", {"number": order.number, "email_or_postcode": "ann.lee@example.com"})

    rows = list(
        TrackingLookup.objects.order_by("pk").values_list(
            "client", "via", "number", "order", "outcome"
        )
    )
    assert rows == [
        ("127.0.0.1", "lookup", order.number, None, "missed"),
        ("127.0.0.1", "lookup", order.number, order.pk, "shown"),
    ]


# --- limits -----------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, moved by hand."""
    now = [1_900_000_000.0]
    monkeypatch.setattr(rate_limit, "clock", lambda: now[0])
    return now


def test_a_flood_from_one_address_is_stopped_and_the_stop_ends(order, client, settings, clock):
    settings.OMS_TRACK_RATE_PER_CLIENT = "3/600"
    token = _token(order)
    answers = [client.get(f"/track/{token}/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    limited = client.get(f"/track/{token}/")
    assert "Too many tries" in limited.content.decode() and int(limited["Retry-After"]) > 0
    assert order.number not in limited.content.decode()
    assert TrackingLookup.objects.filter(outcome="limited").count() == 2
    # when the window has passed
    clock[0] += 601
    assert client.get(f"/track/{token}/").status_code == 200


def test_guessing_one_order_from_many_addresses_is_stopped_per_order(
    order, client, settings, clock
):
    settings.OMS_TRACK_RATE_PER_ORDER = "3/600"
    for n in range(3):
        client.post(
            "/track/",
            {"number": order.number, "email_or_postcode": f"guess{n}@example.com"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )

    # then even the right email from a new address waits
    response = client.post(
        "/track/",
        {"number": order.number, "email_or_postcode": "ann.lee@example.com"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 429
    assert TrackingLink.objects.count() == 0
    clock[0] += 601
    again = client.post(
        "/track/",
        {"number": order.number, "email_or_postcode": "ann.lee@example.com"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert again.status_code == 303


def test_the_lookup_form_is_plain_and_bounded(client):
    response = client.get("/track/")

    text = response.content.decode()
    assert response.status_code == 200
    assert 'maxlength="30"' in text and 'maxlength="254"' in text
    assert response["Cache-Control"] == "no-store"
    assert client.put("/track/").status_code == 405
