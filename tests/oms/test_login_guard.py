"""Brute force: every login path locks out per username and client address, in a shared store."""

import uuid

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from oms.login_guard import client_address
from oms.models import ApiToken

PASSWORD = "pass-word-123"
LIMIT = 5


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.OMS_TRUSTED_PROXIES = 0


def _request(remote="10.0.0.9", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_address_is_the_peer_and_a_forwarded_header_is_ignored(settings):
    # given no proxy in front
    settings.OMS_TRUSTED_PROXIES = 0
    # when
    address = client_address(_request("10.0.0.9", forwarded="1.2.3.4"))
    # then
    assert address == "10.0.0.9"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),
        (1, "not-an-address", "10.0.0.9"),
        (1, "", "10.0.0.9"),
    ],
)
def test_behind_proxies_the_address_is_counted_from_the_right(
    settings, proxies, forwarded, expected
):
    # given
    settings.OMS_TRUSTED_PROXIES = proxies
    # when
    address = client_address(_request("10.0.0.9", forwarded=forwarded))
    # then
    assert address == expected


def _fail_page_login(client, url, username, *, remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(url, {"username": username, "password": "wrong"}, **extra)


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_a_login_page_locks_out_after_the_limit_even_with_the_right_password(
    client, sales_user, url_name
):
    # given failures up to the limit, each claiming another forwarded address
    url = reverse(url_name)
    answers = [
        _fail_page_login(client, url, "sam.sales", forwarded=f"198.51.100.{i}").status_code
        for i in range(LIMIT)
    ]
    # when the right password follows from the same address
    response = client.post(
        url, {"username": "sam.sales", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    # then
    assert answers[: LIMIT - 1] == [200] * (LIMIT - 1)
    assert answers[-1] == 429
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="sam.sales", ip_address="10.0.0.1").exists()


def test_the_lockout_is_per_username_and_address(client, sales_user):
    # given sam.sales locked out from one address
    for _ in range(LIMIT):
        _fail_page_login(client, reverse("login"), "sam.sales", remote="10.0.0.1")
    # when sam logs in from another address
    response = client.post(
        reverse("login"), {"username": "sam.sales", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    # then
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sales_user.pk)


def test_a_password_reset_by_a_manager_lifts_the_lockout(client, sales_user, manager_user):
    # given
    from oms.users import user_set_password

    for _ in range(LIMIT):
        _fail_page_login(client, reverse("login"), "sam.sales")
    # when
    user_set_password(user_id=sales_user.pk, password="a-new-pass-word-9", actor=manager_user)
    response = client.post(
        reverse("login"),
        {"username": "sam.sales", "password": "a-new-pass-word-9"},
        REMOTE_ADDR="10.0.0.1",
    )
    # then
    assert response.status_code == 302


def _token_login(api_client, username, password, **extra):
    return api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra
    )


def test_the_api_token_login_locks_out_and_mints_nothing(api_client, sales_user):
    # given failures up to the limit, each with a new forwarded address
    answers = [
        _token_login(
            api_client,
            "sam.sales",
            "wrong",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(LIMIT)
    ]
    # when
    response = _token_login(api_client, "sam.sales", PASSWORD, REMOTE_ADDR="10.0.0.1")
    # then
    assert answers[: LIMIT - 1] == [400] * (LIMIT - 1)
    assert answers[-1] == 429
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "Too many failed logins" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_token_login_rate_is_per_client_address_in_the_shared_cache(
    api_client, sales_user, settings
):
    # given a rate of 3 a minute and a client that forges a new forwarded address each time
    settings.OMS_LOGIN_RATE = "3/minute"
    cache.clear()
    answers = [
        _token_login(
            api_client,
            "sam.sales",
            PASSWORD,
            REMOTE_ADDR="10.0.0.3",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(4)
    ]
    # when another client asks
    other = _token_login(api_client, "sam.sales", PASSWORD, REMOTE_ADDR="10.0.0.4")
    # then
    assert answers == [200, 200, 200, 429]
    assert other.status_code == 200
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    assert cache.get("throttle_login_10.0.0.3")


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_the_token_login_rate_is_shared_through_redis(api_client, sales_user, settings):
    # given the cache in Redis, and a rate of 2 a minute
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"oms-test-{uuid.uuid4().hex}",
        }
    }
    settings.OMS_LOGIN_RATE = "2/minute"
    # when
    answers = [
        _token_login(api_client, "sam.sales", PASSWORD, REMOTE_ADDR="10.0.0.5").status_code
        for _ in range(3)
    ]
    # then
    assert answers == [200, 200, 429]
    assert cache.get("throttle_login_10.0.0.5")
    cache.delete("throttle_login_10.0.0.5")
