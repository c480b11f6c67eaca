"""API tokens: a new one per login, stored hashed, expiring, revocable, one query per request."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oms.models import ApiToken
from oms.tokens import TokenAuthentication, hash_key, token_create

PASSWORD = "pass-word-123"


def login(api_client, username="sam.sales", password=PASSWORD):
    return api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_each_login_mints_a_new_token_that_expires(api_client, sales_user, settings):
    # given
    settings.OMS_API_TOKEN_DAYS = 7
    # when
    first = login(api_client).json()
    second = login(api_client).json()
    # then
    assert first["token"] != second["token"]
    token = ApiToken.objects.get(key_hash=hash_key(first["token"]))
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert first["expires_at"]


def test_only_the_hash_of_a_key_is_stored(api_client, sales_user):
    # when
    key = login(api_client).json()["token"]
    # then
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix)
    assert token.key_hash == hash_key(key)


def test_a_wrong_password_mints_nothing(api_client, sales_user):
    # when
    response = login(api_client, password="nope")
    # then
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_a_login_with_an_oversized_password_is_refused_in_words(api_client, sales_user):
    # when
    response = login(api_client, password="x" * 5000)
    # then
    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(api_client, sales_user):
    # given
    minted = token_create(user=sales_user)
    ApiToken.objects.filter(pk=minted.token.pk).update(expires_at=timezone.now())
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {minted.key}")
    # when
    response = api_client.get("/api/v1/products/")
    # then
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_delete_revokes_the_token_in_use_only(api_client, sales_user):
    # given
    kept = token_create(user=sales_user).key
    used = token_create(user=sales_user).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {used}")
    # when
    response = api_client.delete("/api/v1/auth/token/")
    again = api_client.get("/api/v1/products/")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {kept}")
    other = api_client.get("/api/v1/products/")
    # then
    assert response.status_code == 204
    assert again.status_code == 401
    assert "revoked" in again.json()["detail"]
    assert other.status_code == 200


def test_delete_without_a_token_is_refused_and_revokes_nothing(api_client, sales_user):
    # given a session login, no token
    token_create(user=sales_user)
    api_client.force_login(sales_user)
    # when
    response = api_client.delete("/api/v1/auth/token/")
    # then
    assert response.status_code == 400
    assert not ApiToken.objects.exclude(revoked_at=None).exists()


def test_a_login_ignores_a_stale_authorization_header(api_client, sales_user):
    # given
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    # when
    response = login(api_client)
    # then
    assert response.status_code == 200


def test_a_user_keeps_at_most_the_configured_number_of_live_tokens(sales_user, settings):
    # given
    settings.OMS_API_TOKENS_PER_USER = 3
    first = token_create(user=sales_user).token
    # when
    for _ in range(3):
        token_create(user=sales_user)
    # then
    live = ApiToken.objects.filter(user=sales_user, revoked_at=None)
    assert live.count() == 3
    assert not live.filter(pk=first.pk).exists()


def test_authenticating_a_token_costs_one_query(sales_user):
    # given a token minted a moment ago
    minted = token_create(user=sales_user)
    auth = TokenAuthentication()
    # when
    with CaptureQueriesContext(connection) as queries:
        user, token = auth.authenticate_credentials(minted.key)
    # then
    assert user == sales_user and token.pk == minted.token.pk
    assert len(queries) == 1


def test_the_last_use_is_written_at_most_every_few_minutes(sales_user):
    # given a token last used an hour ago
    minted = token_create(user=sales_user)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    ApiToken.objects.filter(pk=minted.token.pk).update(last_used_at=an_hour_ago)
    auth = TokenAuthentication()
    # when
    auth.authenticate_credentials(minted.key)
    first = ApiToken.objects.get(pk=minted.token.pk).last_used_at
    with CaptureQueriesContext(connection) as queries:
        auth.authenticate_credentials(minted.key)
    # then
    assert first > an_hour_ago
    assert ApiToken.objects.get(pk=minted.token.pk).last_used_at == first
    assert len(queries) == 1


def test_the_token_query_also_tells_whether_the_user_holds_a_role(sales_user, db):
    # given
    from tests.factories import UserFactory

    staff_key = token_create(user=sales_user).key
    nobody_key = token_create(user=UserFactory(username="nobody")).key
    auth = TokenAuthentication()
    # when
    with CaptureQueriesContext(connection) as queries:
        staff, _ = auth.authenticate_credentials(staff_key)
    without, _ = auth.authenticate_credentials(nobody_key)
    # then
    assert (staff.oms_has_role, without.oms_has_role) == (True, False)
    assert len(queries) == 1


def test_a_ping_costs_the_token_query_and_the_insert(api_as, sales_user):
    # given
    client = api_as(sales_user)
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/ping/", {}, format="json")
    # then
    assert response.status_code == 201
    assert len(queries) == 2


def test_an_account_without_a_role_cannot_ping(api_as, db):
    # given
    from oms.models import Heartbeat
    from tests.factories import UserFactory

    client = api_as(UserFactory(username="nobody"))
    # when
    response = client.post("/api/v1/ping/", {}, format="json")
    # then
    assert response.status_code == 403
    assert not Heartbeat.objects.exists()
