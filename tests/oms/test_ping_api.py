"""POST /api/v1/ping/: the token check and health probe that writes one heartbeat row."""

from oms.models import Heartbeat


def heartbeats():
    return list(Heartbeat.objects.values_list("user_id", "source"))


def test_ping_records_who_pinged_and_answers_201(api_as, sales_user):
    # given
    client = api_as(sales_user)

    # when
    response = client.post("/api/v1/ping/", {"source": " web-shop "}, format="json")

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    heartbeat = Heartbeat.objects.get()
    assert (heartbeat.user, heartbeat.source) == (sales_user, "web-shop")
    assert body["status"] == "ok"
    assert body["id"] == heartbeat.pk
    assert (body["user"], body["source"]) == ("sam.sales", "web-shop")
    assert body["created_at"]


def test_ping_without_a_body_records_an_unnamed_source(api_as, warehouse_user):
    # given
    client = api_as(warehouse_user)

    # when
    first = client.post("/api/v1/ping/")
    second = client.post("/api/v1/ping/", {}, format="json")

    # then: every role may ping, and each ping is its own row
    assert (first.status_code, second.status_code) == (201, 201)
    assert heartbeats() == [(warehouse_user.pk, ""), (warehouse_user.pk, "")]


def test_anonymous_ping_is_refused_and_records_nothing(api_client, sales_user):
    # when
    response = api_client.post("/api/v1/ping/", {"source": "web-shop"}, format="json")

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert heartbeats() == []


def test_ping_with_a_bad_token_is_refused_and_records_nothing(api_client, sales_user):
    # given
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    # when
    response = api_client.post("/api/v1/ping/", format="json")

    # then
    assert response.status_code == 401
    assert heartbeats() == []


def test_too_long_source_is_refused_naming_the_field(api_as, sales_user):
    # given
    client = api_as(sales_user)

    # when
    response = client.post("/api/v1/ping/", {"source": "x" * 101}, format="json")

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The source can be at most 100 characters long."
    assert body["errors"] == {"source": [body["detail"]]}
    assert heartbeats() == []


def test_source_that_is_not_text_is_refused(api_as, sales_user):
    # given
    client = api_as(sales_user)

    # when
    number = client.post("/api/v1/ping/", {"source": 42}, format="json")
    listed = client.post("/api/v1/ping/", ["web-shop"], format="json")

    # then
    assert number.status_code == 400
    assert number.json()["errors"] == {"source": ["The source must be text, for example web-shop."]}
    assert listed.status_code == 400
    assert heartbeats() == []


def test_ping_only_accepts_post(api_as, sales_user):
    # given
    client = api_as(sales_user)

    # when
    response = client.get("/api/v1/ping/")

    # then
    assert response.status_code == 405
    assert heartbeats() == []


def test_ping_is_in_the_api_schema(api_as, sales_user):
    # when
    response = api_as(sales_user).get("/api/schema/", {"format": "json"})

    # then
    assert response.status_code == 200
    assert "post" in response.json()["paths"]["/api/v1/ping/"]
