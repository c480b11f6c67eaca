"""The order list and the order page: filters, counts, transitions, edits, stale edits."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Address, Order, OrderEvent, OrderLine, Payment
from tests.conftest import stock_snapshot
from tests.factories import CustomerFactory, ProductFactory, UserFactory, address_data

# The shipping services the desk and the order page offer come from the warehouse's table.
pytestmark = pytest.mark.usefixtures("shipping_services")

LIST = reverse("orders:order_list")


def everything():
    """Return what a refused action must leave untouched."""
    return (
        sorted(Order.objects.values_list("pk", "status", "version", "shipping_method", "notes")),
        sorted(
            OrderLine.all_objects.values_list("pk", "quantity", "quantity_allocated", "removed_at")
        ),
        Payment.objects.count(),
        OrderEvent.objects.count(),
        Address.objects.count(),
        stock_snapshot(),
    )


@pytest.fixture
def as_sales(client, sales_user):
    client.force_login(sales_user)
    return client


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ann Lee", email="ann@example.com", phone="+44 113 496 0000")


@pytest.fixture
def placed(customer, stocked, sales_user):
    """A placed phone order for 2 red mugs (10 in stock)."""
    return services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        place=True,
    )


def detail(order):
    return reverse("orders:order_detail", args=[order.pk])


def action(order, name):
    return reverse("orders:order_action", args=[order.pk, name])


def make_orders(n, *, lines=1, sales_user=None):
    products = [ProductFactory() for _ in range(lines)]
    orders = []
    for i in range(n):
        customer = CustomerFactory()
        orders.append(
            services.order_create(
                customer=customer,
                user=sales_user,
                shipping_address=address_data(),
                lines=[{"sku": p.sku, "quantity": 1} for p in products],
                place=i % 2 == 0,
            )
        )
    return orders


# --- the list ----------------------------------------------------------------------------------


def test_order_list_needs_login(client, db):
    # when
    response = client.get(LIST)
    # then
    assert response.status_code == 302


def test_every_role_that_views_orders_sees_the_list(client, placed, warehouse_user, manager_user):
    for user in [warehouse_user, manager_user]:
        # given
        client.force_login(user)
        # when
        response = client.get(LIST)
        # then
        assert response.status_code == 200
        assert placed.number in response.text


def test_a_user_without_a_role_gets_403(client, placed):
    # given
    client.force_login(UserFactory(username="nobody"))
    # when
    response = client.get(LIST)
    # then
    assert response.status_code == 403


@pytest.mark.parametrize(
    "search",
    ["SO-0000", "ann lee", "ANN@example", "496 0000", "WEB-77"],
)
def test_search_finds_by_number_customer_email_phone_or_reference(as_sales, stocked, search):
    # given
    ann = CustomerFactory(name="Ann Lee", email="ann@example.com", phone="+44 113 496 0000")
    wanted = services.order_create(
        customer=ann,
        channel="web",
        external_reference="WEB-77",
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )
    services.order_create(
        customer=CustomerFactory(name="Bo Diaz", email="bo@example.com", phone="+1 555 0100"),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )
    if search == "SO-0000":
        search = wanted.number
    # when
    response = as_sales.get(LIST, {"q": search})
    # then
    assert [o.pk for o in response.context["page"]] == [wanted.pk]


def test_a_bare_number_finds_the_order(as_sales, placed):
    # when
    response = as_sales.get(LIST, {"q": str(placed.pk)})
    # then
    assert placed in list(response.context["page"])


def test_filters_and_counts_per_status(as_sales, stocked, customer, sales_user):
    # given two placed, one backordered, one VIP draft
    make = lambda **kw: services.order_create(  # noqa: E731
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": kw.pop("qty", 1)}],
        **kw,
    )
    make(place=True)
    make(place=True)
    short = make(place=True, qty=20)
    services.order_confirm(order_id=short.pk, user=sales_user)
    vip = make(is_vip=True)
    # when
    everything_ = as_sales.get(LIST)
    placed_only = as_sales.get(LIST, {"status": "placed"})
    backordered = as_sales.get(LIST, {"backordered": "yes"})
    vip_only = as_sales.get(LIST, {"vip": "yes"})
    # then
    counts = {v: n for v, _label, n in everything_.context["status_tabs"] if n}
    assert counts == {"placed": 2, "backordered": 1, "draft": 1}
    assert placed_only.context["page"].paginator.count == 2
    # counts ignore the status filter itself, so the tabs stay useful
    assert {v: n for v, _l, n in placed_only.context["status_tabs"] if n} == counts
    assert [o.pk for o in backordered.context["page"]] == [short.pk]
    assert [o.pk for o in vip_only.context["page"]] == [vip.pk]


def test_filter_by_channel_and_dates(as_sales, stocked, customer):
    # given
    web = services.order_create(
        customer=customer, channel="web", lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    old = services.order_create(customer=customer, lines=[{"sku": "MUG-RED", "quantity": 1}])
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    today = timezone.localdate().isoformat()
    # when
    by_channel = as_sales.get(LIST, {"channel": "web"})
    by_date = as_sales.get(LIST, {"date_from": today, "date_to": today})
    # then
    assert [o.pk for o in by_channel.context["page"]] == [web.pk]
    assert [o.pk for o in by_date.context["page"]] == [web.pk]


def test_filter_by_customer(as_sales, stocked, customer):
    # given
    mine = services.order_create(customer=customer, lines=[{"sku": "MUG-RED", "quantity": 1}])
    services.order_create(customer=CustomerFactory(), lines=[{"sku": "MUG-RED", "quantity": 1}])
    # when
    response = as_sales.get(LIST, {"customer": customer.pk})
    # then
    assert [o.pk for o in response.context["page"]] == [mine.pk]
    assert response.context["filter_customer"] == customer


def test_dates_the_wrong_way_round_are_explained(as_sales, placed):
    # when
    response = as_sales.get(LIST, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    # then
    assert response.context["form"].errors == {
        "date_to": ["The end date is before the start date."]
    }


def test_the_list_is_paginated(as_sales, stocked, sales_user):
    # given
    make_orders(55)
    # when
    first = as_sales.get(LIST)
    second = as_sales.get(LIST, {"page": 2})
    # then
    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 5


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_or_100_orders(as_sales, stocked, sales_user):
    # given
    make_orders(5, lines=2)
    few = count_queries(as_sales, LIST)
    make_orders(95, lines=2)
    # when
    many = count_queries(as_sales, LIST)
    # then
    assert many == few


# --- the order page ----------------------------------------------------------------------------


def test_order_page_answers_where_is_my_order(as_sales, placed, sales_user):
    # given
    services.order_confirm(
        order_id=placed.pk, user=sales_user, payment={"method": "card", "amount": "19.80"}
    )
    # when
    response = as_sales.get(detail(placed))
    # then
    assert response.status_code == 200
    text = response.text
    assert placed.number in text
    assert "Allocated" in text
    assert "No shipments yet." in text
    assert "Card 19.80 GBP" in text  # the payment event in the timeline
    assert "sam.sales" in text
    newest = response.context["events"][0]
    assert newest.type == OrderEvent.Type.STATUS


def test_unknown_order_is_404(as_sales, db):
    # when
    response = as_sales.get(reverse("orders:order_detail", args=[999999]))
    # then
    assert response.status_code == 404


def test_buttons_show_only_what_this_user_may_do_now(client, placed, warehouse_user, sales_user):
    # given
    client.force_login(sales_user)
    as_rep = client.get(detail(placed)).context["transitions"]
    client.force_login(warehouse_user)
    # when
    as_warehouse = client.get(detail(placed)).context["transitions"]
    # then
    assert as_rep == ["confirm", "hold", "cancel"]
    assert as_warehouse == []


def test_a_shipped_order_offers_no_cancel(as_sales, placed, sales_user):
    # given
    services.order_confirm(order_id=placed.pk, user=sales_user)
    OrderLine.objects.filter(order=placed).update(quantity_shipped=1, quantity_allocated=1)
    # when
    response = as_sales.get(detail(placed))
    # then
    assert "cancel" not in response.context["transitions"]


def test_the_order_page_costs_the_same_queries_for_1_or_50_lines(as_sales, stocked, customer):
    # given
    products = [ProductFactory() for _ in range(50)]
    one = services.order_create(
        customer=customer,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )
    fifty = services.order_create(
        customer=customer,
        shipping_address=address_data(),
        lines=[{"sku": p.sku, "quantity": 1} for p in products],
    )
    for order in (one, fifty):
        services.order_place(order_id=order.pk)
        services.order_confirm(order_id=order.pk, payment={"method": "card", "amount": "1.00"})
    # when
    few = count_queries(as_sales, detail(one))
    many = count_queries(as_sales, detail(fifty))
    # then
    assert many == few


# --- transitions -------------------------------------------------------------------------------


def test_confirm_with_payment_from_the_order_page(as_sales, placed):
    # when
    response = as_sales.post(
        action(placed, "confirm"),
        {"version": placed.version, "payment-method": "card", "payment-reference": "ch_9"},
    )
    # then
    placed.refresh_from_db()
    assert response.status_code == 302
    assert placed.status == Order.Status.ALLOCATED
    payment = placed.payments.get()
    assert (payment.amount, payment.reference) == (placed.total, "ch_9")


def test_a_warehouse_user_trying_to_confirm_gets_403_and_nothing_changes(
    client, placed, warehouse_user
):
    # given
    client.force_login(warehouse_user)
    before = everything()
    # when
    response = client.post(action(placed, "confirm"), {"version": placed.version})
    # then
    assert response.status_code == 403
    assert "Your role does not allow this page." in response.text
    assert placed.customer.email not in response.text
    assert everything() == before


def test_a_stale_confirm_is_refused_naming_who_changed_what(as_sales, placed, manager_user):
    # given the page was loaded at this version, then a manager changed the order
    seen = placed.version
    manager_user.first_name, manager_user.last_name = "Maya", "Manager"
    manager_user.save()
    services.order_update(order_id=placed.pk, user=manager_user, notes="Call first")
    before = everything()
    # when
    response = as_sales.post(
        action(placed, "confirm"),
        {"version": seen, "payment-method": "card", "payment-reference": "ch_typed"},
    )
    # then
    assert response.status_code == 409
    assert "Maya Manager changed it" in response.context["action_error"]
    assert "Changed notes" in response.context["action_error"]
    assert 'value="ch_typed"' in response.text
    assert everything() == before


def test_cancel_needs_a_reason(as_sales, placed):
    # given
    before = everything()
    # when
    response = as_sales.post(action(placed, "cancel"), {"version": placed.version})
    # then
    assert response.status_code == 400
    assert response.context["cancel_form"].errors == {"reason": ["Say why the order is cancelled."]}
    assert everything() == before


def test_cancel_with_a_reason_releases_stock(as_sales, placed, sales_user):
    # given
    services.order_confirm(order_id=placed.pk, user=sales_user)
    placed.refresh_from_db()
    # when
    response = as_sales.post(
        action(placed, "cancel"), {"version": placed.version, "cancel-reason": "changed mind"}
    )
    # then
    placed.refresh_from_db()
    assert response.status_code == 302
    assert placed.status == Order.Status.CANCELLED
    assert placed.events.order_by("pk").last().note == "changed mind"
    assert stock_snapshot()[0][0][3] == 0


def test_cancel_after_shipping_is_refused_and_changes_nothing(as_sales, placed, sales_user):
    # given
    services.order_confirm(order_id=placed.pk, user=sales_user)
    OrderLine.objects.filter(order=placed).update(quantity_shipped=1, quantity_allocated=1)
    placed.refresh_from_db()
    before = everything()
    # when
    response = as_sales.post(
        action(placed, "cancel"), {"version": placed.version, "cancel-reason": "too late"}
    )
    # then
    assert response.status_code == 409
    assert "already shipped" in response.context["action_error"]
    assert "“too late”" in response.text
    assert everything() == before


def test_hold_and_release(as_sales, placed):
    # when
    held = as_sales.post(
        action(placed, "hold"), {"version": placed.version, "hold-reason": "address check"}
    )
    placed.refresh_from_db()
    page = as_sales.get(detail(placed))
    released = as_sales.post(action(placed, "release"), {"version": placed.version})
    # then
    assert held.status_code == 302
    assert "On hold: address check" in page.text
    assert page.context["transitions"] == ["release", "cancel"]
    assert released.status_code == 302
    placed.refresh_from_db()
    assert placed.status == Order.Status.PLACED


def test_place_a_draft_from_its_page(as_sales, stocked, customer, sales_user):
    # given
    draft = services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )
    # when
    response = as_sales.post(action(draft, "place"), {"version": draft.version})
    # then
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == Order.Status.PLACED


def test_a_transition_from_the_wrong_state_is_refused_with_409(as_sales, placed):
    # given
    before = everything()
    # when
    response = as_sales.post(action(placed, "release"), {"version": placed.version})
    # then
    assert response.status_code == 409
    assert "cannot be released from hold now" in response.context["action_error"]
    assert everything() == before


def test_an_unknown_action_is_404(as_sales, placed):
    # when
    response = as_sales.post(action(placed, "explode"), {"version": placed.version})
    # then
    assert response.status_code == 404


# --- edits -------------------------------------------------------------------------------------


def edit_post(order, **overrides):
    data = {
        "version": order.version,
        **{f"shipping_address-{k}": v for k, v in address_data().items()},
        "shipping_method": "express",
        "shipping_price": "7.95",
        "ship_policy": "complete",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_edit_address_and_shipping_on_a_placed_order(as_sales, placed):
    # when
    response = as_sales.post(
        reverse("orders:order_edit", args=[placed.pk]),
        edit_post(placed, **{"shipping_address-city": "York"}),
    )
    # then
    placed.refresh_from_db()
    assert response.status_code == 302
    assert placed.shipping_address.city == "York"
    assert (placed.shipping_method, str(placed.shipping_price)) == ("express", "7.95")
    assert placed.ship_policy == "complete"
    assert "Changed" in placed.events.order_by("pk").last().note


def test_a_stale_address_edit_says_who_and_keeps_what_was_typed(as_sales, placed, manager_user):
    # given
    seen = placed.version
    services.order_update(order_id=placed.pk, user=manager_user, shipping_method="courier")
    before = everything()
    # when
    response = as_sales.post(
        reverse("orders:order_edit", args=[placed.pk]),
        edit_post(placed, version=seen, **{"shipping_address-line1": "99 New Road"}),
    )
    # then
    assert response.status_code == 409
    assert "maya.manager changed it" in response.context["edit_error"]
    assert 'value="99 New Road"' in response.text
    assert everything() == before


def test_a_bad_address_is_refused_beside_the_field(as_sales, placed):
    # given
    before = everything()
    # when
    response = as_sales.post(
        reverse("orders:order_edit", args=[placed.pk]),
        edit_post(placed, **{"shipping_address-country": "Britain"}),
    )
    # then
    assert response.status_code == 400
    assert response.context["address_form"].errors == {
        "country": ["Use the two-letter country code, for example GB."]
    }
    assert everything() == before


def test_edit_lines_while_not_allocated(as_sales, placed):
    # given
    ProductFactory(sku="PLATE", price="4.00")
    # when
    response = as_sales.post(
        reverse("orders:order_edit_lines", args=[placed.pk]),
        {
            "version": placed.version,
            "line_sku": ["MUG-RED", "PLATE", ""],
            "line_qty": ["3", "2", ""],
        },
    )
    # then
    assert response.status_code == 302
    placed.refresh_from_db()
    assert [(line.sku, line.quantity) for line in placed.lines.all()] == [
        ("MUG-RED", 3),
        ("PLATE", 2),
    ]


def test_edit_lines_refuses_zero_quantity_beside_the_line(as_sales, placed):
    # given
    before = everything()
    # when
    response = as_sales.post(
        reverse("orders:order_edit_lines", args=[placed.pk]),
        {"version": placed.version, "line_sku": ["MUG-RED"], "line_qty": ["0"]},
    )
    # then
    assert response.status_code == 400
    assert response.context["line_rows"][0]["error_quantity"] == "Quantity must be at least 1."
    assert everything() == before


def test_edit_lines_refuses_an_unknown_sku_keeping_the_rows(as_sales, placed):
    # given
    before = everything()
    # when
    response = as_sales.post(
        reverse("orders:order_edit_lines", args=[placed.pk]),
        {"version": placed.version, "line_sku": ["MUG-RED", "NOPE"], "line_qty": ["2", "1"]},
    )
    # then
    assert response.status_code == 400
    assert response.context["line_rows"][1]["error_sku"] == "There is no product with SKU 'NOPE'."
    assert 'value="NOPE"' in response.text
    assert everything() == before


def test_lines_cannot_change_once_allocated(as_sales, placed, sales_user):
    # given
    services.order_confirm(order_id=placed.pk, user=sales_user)
    placed.refresh_from_db()
    before = everything()
    # when
    page = as_sales.get(detail(placed))
    response = as_sales.post(
        reverse("orders:order_edit_lines", args=[placed.pk]),
        {"version": placed.version, "line_sku": ["MUG-RED"], "line_qty": ["5"]},
    )
    # then
    assert page.context["can_edit_lines"] is False
    assert response.status_code == 409
    assert "can no longer be changed" in response.context["lines_error"]
    assert everything() == before


def test_warehouse_staff_cannot_edit_an_order(client, placed, warehouse_user):
    # given
    client.force_login(warehouse_user)
    before = everything()
    # when
    response = client.post(reverse("orders:order_edit", args=[placed.pk]), edit_post(placed))
    # then
    assert response.status_code == 403
    assert everything() == before


def test_an_edit_with_missing_fields_is_refused_in_words_and_changes_nothing(as_sales, placed):
    # given
    before = everything()
    # when
    response = as_sales.post(reverse("orders:order_edit", args=[placed.pk]), {})
    # then
    assert response.status_code == 400
    assert everything() == before


def test_an_order_of_many_lines_shows_the_first_two_hundred_and_offers_the_rest(
    as_sales, sales_user
):
    # given an order of 203 lines
    [order] = make_orders(1, lines=203, sales_user=sales_user)
    # when
    first = as_sales.get(detail(order)).content.decode()
    everything = as_sales.get(detail(order) + "?lines=all").content.decode()
    # then
    assert first.count("<tr data-line=") == 200
    assert "Show the other 3 lines" in first
    assert everything.count("<tr data-line=") == 203
    assert "data-lines-more" not in everything


def test_the_order_list_shows_line_counts_and_the_backorder_flag_from_subqueries(
    as_sales, sales_user, django_assert_max_num_queries
):
    # given two orders of three lines, one confirmed with nothing in stock (backordered)
    first, _ = make_orders(2, lines=3, sales_user=sales_user)
    services.order_confirm(order_id=first.pk, user=sales_user)
    # when
    with django_assert_max_num_queries(12):
        page = as_sales.get(reverse("orders:order_list")).content.decode()
    # then
    assert page.count('<td class="text-end num">3</td>') == 2
    assert page.count("</span> backorder</span>") == 1
    assert Order.objects.get(pk=first.pk).status == Order.Status.BACKORDERED
