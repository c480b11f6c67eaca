"""Idempotency-Key on POST orders/ and the transitions: retries return the first answer."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from oms.models import IdempotencyKey
from orders.models import Order
from tests.factories import UserFactory
from tests.orders.test_api_orders import api_snapshot, order_body


@pytest.fixture
def sales_api(api_as, sales_user):
    return api_as(sales_user)


def test_same_request_20_times_creates_one_order_and_20_identical_answers(sales_api, stocked):
    # when
    responses = [
        sales_api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
        for _ in range(20)
    ]
    # then
    assert Order.objects.count() == 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert responses[0].json()["status"] == "placed"
    assert responses[0].get("Idempotent-Replayed") is None
    assert all(r["Idempotent-Replayed"] == "true" for r in responses[1:])
    assert all(r["ETag"] == responses[0]["ETag"] for r in responses)


def test_same_key_with_another_body_is_422_and_changes_nothing(sales_api, stocked):
    # given
    sales_api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    before = api_snapshot()
    # when
    response = sales_api.post(
        "/api/v1/orders/",
        order_body(lines=[{"sku": "MUG-RED", "quantity": 3}]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "already used for a different request" in response.json()["detail"]
    assert api_snapshot() == before


def test_key_order_in_body_does_not_matter(sales_api, stocked):
    # given
    body = order_body()
    reordered = dict(reversed(list(body.items())))
    first = sales_api.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    # when
    again = sales_api.post("/api/v1/orders/", reordered, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    # then
    assert again.status_code == 201
    assert again.content == first.content
    assert Order.objects.count() == 1


def test_keys_are_per_user(api_as, sales_user, manager_user, stocked):
    # given
    api_as(sales_user).post(
        "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    # when
    other = api_as(manager_user).post(
        "/api/v1/orders/",
        order_body(external_reference="WEB-2002"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    # then
    assert other.status_code == 201
    assert Order.objects.count() == 2


def test_a_refused_request_stores_nothing_so_the_fixed_retry_works(sales_api, stocked):
    # given
    bad = sales_api.post(
        "/api/v1/orders/",
        order_body(lines=[{"sku": "NOPE", "quantity": 1}]),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    # when
    retry = sales_api.post(
        "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    # then
    assert retry.status_code == 201
    assert Order.objects.count() == 1


def test_confirm_retried_with_the_key_replays_instead_of_409(sales_api, stocked):
    # given
    order_id = sales_api.post("/api/v1/orders/", order_body(), format="json").json()["id"]
    payment = {"payment": {"method": "card", "amount": "19.80"}}
    first = sales_api.post(
        f"/api/v1/orders/{order_id}/confirm/", payment, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    before = api_snapshot()
    # when
    again = sales_api.post(
        f"/api/v1/orders/{order_id}/confirm/", payment, format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    )
    without_key = sales_api.post(f"/api/v1/orders/{order_id}/confirm/", payment, format="json")
    # then
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert without_key.status_code == 409
    assert api_snapshot() == before


def test_same_key_on_another_path_is_422(sales_api, stocked):
    # given
    order_id = sales_api.post(
        "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-4"
    ).json()["id"]
    before = api_snapshot()
    # when
    response = sales_api.post(
        f"/api/v1/orders/{order_id}/cancel/",
        {"reason": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-4",
    )
    # then
    assert response.status_code == 422
    assert api_snapshot() == before


def test_overlong_key_is_400(sales_api, stocked):
    # given
    before = api_snapshot()
    # when
    response = sales_api.post(
        "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    # then
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert api_snapshot() == before


def test_a_key_older_than_24_hours_may_be_reused(sales_api, stocked):
    # given
    sales_api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    # when
    response = sales_api.post(
        "/api/v1/orders/",
        order_body(external_reference="WEB-2002"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="old",
    )
    # then
    assert response.status_code == 201
    assert response.json()["external_reference"] == "WEB-2002"
    assert Order.objects.count() == 2
    assert IdempotencyKey.objects.get().created_at > timezone.now() - timedelta(hours=1)


def test_purge_command_deletes_only_expired_keys(sales_user):
    # given
    IdempotencyKey.objects.create(user=sales_user, key="fresh", request_hash="a", method="POST")
    IdempotencyKey.objects.create(
        user=sales_user,
        key="stale",
        request_hash="b",
        method="POST",
        created_at=timezone.now() - timedelta(hours=25),
    )
    # when
    call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_order():
    # given
    from inventory import services as inventory_services
    from oms.roles import Role
    from tests.factories import LocationFactory, ProductFactory

    user = UserFactory(username="sam.sales", roles=[Role.SALES])
    product = ProductFactory(sku="MUG-RED", price="9.90")
    inventory_services.stock_receive(
        product=product, location=LocationFactory(code="A-01-01"), quantity=10
    )
    from oms.tokens import token_create

    token = token_create(user=user).key
    barrier = threading.Barrier(8)
    results = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait()
            response = client.post(
                "/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            results.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(8)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert Order.objects.count() == 1
    assert {status for status, _ in results} == {201}
    assert len({content for _, content in results}) == 1
