"""The whole API against its own OpenAPI schema, with schemathesis.

Every operation of /api/schema/ is called with generated requests, valid
(positive) and invalid (negative) ones, as a superuser with a real token,
straight through the WSGI app: no answer may be a server error, and every
answer must match the schema (status code documented, content type, body).
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.urls import path
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fulfillment import services as fulfillment_services
from inventory import services as inventory_services
from inventory.models import Supplier
from orders import services as order_services
from tests.factories import CustomerFactory, UserFactory, address_data

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and mode: 53 operations x 2 modes x 15 take about two minutes.
EXAMPLES = 15
PASSWORD = "pass-word-123"


def load_schema(client, user):
    """Return the schema the app serves, bound to the WSGI app itself (no server)."""
    client.force_login(user)
    raw = client.get("/api/schema/", {"format": "json"}).json()
    client.logout()
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = WSGIHandler()
    return schema


def failures_of(operation, *, headers: dict, mode: GenerationMode) -> str:
    """Call one operation with generated requests; return what went wrong, or ''."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        call()
    except Unsatisfiable:
        if mode is GenerationMode.NEGATIVE:
            return ""  # nothing in the request can be made invalid (no parameters, no body)
        raise
    except (Exception, BaseExceptionGroup) as error:
        return f"{mode.name} {operation.method.upper()} {operation.path}: {str(error)[:3000]}"
    return ""


def token_for(client, username: str) -> str:
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    return response.json()["token"]


@pytest.fixture
def floor(stocked, bin_b, sales_user, warehouse_user):
    """An order on a wave, a draft one, a customer and a purchase order: ids worth finding."""
    customer = CustomerFactory(email="ann@example.com")
    order = order_services.order_create(
        customer=customer,
        user=sales_user,
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 2}],
        place=True,
    )
    order_services.order_confirm(order_id=order.pk, user=sales_user)
    fulfillment_services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    fulfillment_services.wave_create(user=warehouse_user)
    order_services.order_create(
        customer=customer, user=sales_user, lines=[{"sku": "MUG-RED", "quantity": 1}]
    )
    inventory_services.purchase_order_create(
        supplier=Supplier.objects.create(code="ACME", name="Acme"),
        warehouse=bin_b.warehouse,
        lines=[(stocked, 5, None)],
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_operation_answers_as_its_schema_says(client, floor):
    # given
    root = UserFactory(username="root", is_superuser=True)
    schema = load_schema(client, root)
    headers = {"Authorization": f"Token {token_for(client, 'root')}"}
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        # The token endpoint last: DELETE revokes the token every other call uses.
        key=lambda operation: operation.path == "/api/v1/auth/token/",
    )
    # when
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := failures_of(operation, headers=headers, mode=mode))
    ]
    # then
    assert len(operations) >= 50
    assert not failures, "\n\n".join(failures)


# --- the harness itself: it catches a server error, an undocumented answer, a wrong body ---


class ThrowawaySerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0, max_value=10)


class ThrowawayView(APIView):
    """Answers as documented, except for the count that the test makes it get wrong."""

    permission_classes = [AllowAny]
    authentication_classes = []
    wrong = ""

    def post(self, request):
        count = request.data.get("count") if hasattr(request.data, "get") else None
        if isinstance(count, int) and count >= 0 and self.wrong == "crash":
            raise ZeroDivisionError("a bug")
        if isinstance(count, int) and count >= 0 and self.wrong == "status":
            return Response({"count": count}, status=418)
        if isinstance(count, int) and count >= 0 and self.wrong == "body":
            return Response({"count": "many"})
        return Response({"count": count if isinstance(count, int) else 0})


THROWAWAY_SCHEMA = {
    "openapi": "3.0.3",
    "info": {"title": "throwaway", "version": "1"},
    "paths": {
        f"/{wrong}/": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "count": {"type": "integer", "minimum": 0, "maximum": 10}
                                },
                                "required": ["count"],
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"count": {"type": "integer"}},
                                    "required": ["count"],
                                }
                            }
                        },
                    }
                },
            }
        }
        for wrong in ["crash", "status", "body", "fine"]
    },
}

urlpatterns = [
    path(f"{wrong}/", ThrowawayView.as_view(wrong=wrong)) for wrong in ["crash", "status", "body"]
] + [path("fine/", ThrowawayView.as_view())]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("wrong", "caught"),
    [
        ("crash", "Server error"),
        ("status", "Undocumented status code"),
        ("body", "Response violates schema"),
        ("fine", ""),
    ],
)
def test_the_harness_catches_what_the_app_gets_wrong(db, wrong, caught):
    # given
    schema = schemathesis.openapi.from_dict(THROWAWAY_SCHEMA)
    schema.app = WSGIHandler()
    [operation] = [
        result.ok() for result in schema.get_all_operations() if result.ok().path == f"/{wrong}/"
    ]
    # when
    failure = failures_of(operation, headers={}, mode=GenerationMode.POSITIVE)
    # then
    if caught:
        assert caught in failure
    else:
        assert failure == ""
