"""REST API v1 for orders and customers.

Every write goes through orders.services; the views only translate HTTP to
those calls and read the result back with a constant number of queries.

* ``POST orders/`` takes lines by SKU and the customer by email; the order
  arrives placed unless the body says ``"status": "draft"``.
* ``POST orders/`` and the transition POSTs honour an ``Idempotency-Key``
  header (see oms.idempotency).
* ``GET orders/<id>/`` answers with ``ETag: "<version>"``. ``PATCH`` honours
  ``If-Match`` (or ``"version"`` in the body): when the order changed since,
  the edit is refused with 412. A PATCH with neither is applied to whatever
  the order is now (last write wins).
* Transitions are ``POST orders/<id>/<transition>/``; from the wrong state
  they answer 409 naming the state.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.api_exceptions import validated
from oms.api_schema import ErrorSerializer
from oms.errors import DomainError, InvalidInput
from oms.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from oms.roles import STAFF_ROLES, has_role
from oms.services import unit_of_work
from oms.viewsets import BaseViewSet
from orders import services
from orders.answers import order_as_dict
from orders.filters import CustomerFilter, OrderFilter
from orders.models import Customer, Order, OrderEvent, OrderLine, Payment
from orders.serializers import (
    CustomerSerializer,
    CustomerWriteSerializer,
    NoteSerializer,
    OrderConfirmSerializer,
    OrderCreateSerializer,
    OrderSerializer,
    OrderUpdateSerializer,
    ReasonSerializer,
    provided,
)

_BAD_INPUT = OpenApiResponse(ErrorSerializer, description="Bad input: a message per field.")
_FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role does not allow this.")
_MISSING = OpenApiResponse(ErrorSerializer, description="The order or customer does not exist.")
_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="Not possible in the order's current state, or a duplicate external reference.",
)
_STALE = OpenApiResponse(
    ErrorSerializer, description="The order changed since you loaded it (If-Match / version)."
)
_KEY_REUSED = OpenApiResponse(
    ErrorSerializer, description="The Idempotency-Key was already used for another request."
)
WRITE_ERRORS = {400: _BAD_INPUT, 403: _FORBIDDEN, 404: _MISSING, 409: _CONFLICT}

ETAG_HEADER = OpenApiParameter(
    name="ETag",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=True,
    description='The order\'s version in quotes, e.g. "3": send it back as If-Match.',
)
IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        'The ETag from your last GET, e.g. "3". When the order has changed since, the edit '
        "is refused with 412 and nothing is saved. Without If-Match (and without "
        '"version" in the body) the edit applies to the current order: last write wins.'
    ),
)


class PreconditionFailed(DomainError):
    """The order changed since the client read it (HTTP 412)."""

    status_code = 412
    default_code = "stale"


# --- orders ------------------------------------------------------------------------------------


# What an order's answer shows besides the order row, as plain lists (``loaded_lines``...):
# read by these prefetches, or handed over by the service that has just written them
# (order_create, order_confirm): that saves 5 statements and 5 to 10 ms of CPU per
# create + confirm (bench/order_internals.py).
ORDER_PREFETCHES = {
    "loaded_lines": Prefetch(
        "lines", queryset=OrderLine.objects.order_by("position", "pk"), to_attr="loaded_lines"
    ),
    "loaded_payments": Prefetch(
        "payments",
        queryset=Payment.objects.order_by("created_at", "pk"),
        to_attr="loaded_payments",
    ),
    "loaded_events": Prefetch(
        "events",
        queryset=OrderEvent.objects.select_related("user").order_by("created_at", "pk"),
        to_attr="loaded_events",
    ),
}


def orders_with_details():
    """Return orders with everything the API shows, in a fixed number of queries."""
    return Order.objects.select_related(
        "customer", "shipping_address", "billing_address"
    ).prefetch_related(*ORDER_PREFETCHES.values())


def order_out(order: Order) -> dict:
    """Serialise an order a service returned, reading only the lists it did not hand over."""
    missing = [prefetch for name, prefetch in ORDER_PREFETCHES.items() if name not in vars(order)]
    if missing:
        prefetch_related_objects([order], *missing)
    return order_as_dict(order)


def _with_etag(response: Response) -> Response:
    data = response.data
    if isinstance(data, dict) and "version" in data and response.status_code < 300:
        response["ETag"] = f'"{data["version"]}"'
    return response


def _if_match(request) -> int | None:
    """Return the version named by the If-Match header; None when absent or ``*``."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip().strip('"')
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        raise InvalidInput(
            'If-Match must be the ETag you received with the order, for example "3".',
            field="If-Match",
            code="bad_if_match",
        )
    return int(value)


def _order_transition(request, work, serializer_class=None):
    """Run a transition service idempotently and answer with the order."""

    def run() -> Response:
        data = provided(validated(serializer_class, request.data)) if serializer_class else {}
        order = work(data)
        return Response(order_out(order))

    return _with_etag(idempotent(request, run))


def _transition_schema(summary: str, request=None, description: str = ""):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrderSerializer, **WRITE_ERRORS, 422: _KEY_REUSED},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List orders (filter by status, channel, customer, dates, search)",
        responses={200: OrderSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="Get an order with its lines, payments and timeline",
        parameters=[ETAG_HEADER],
        responses={200: OrderSerializer, 404: _MISSING},
    ),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Orders: create by SKU, read, edit, and move through their states. Never deleted."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    not_found_message = "That order does not exist."

    def get_queryset(self):
        orders = orders_with_details().order_by("-created_at", "-pk")
        if not has_role(self.request.user, *STAFF_ROLES):
            # An integration (a web shop) reads only the orders it created itself.
            orders = orders.filter(created_by=self.request.user)
        return orders

    def retrieve(self, request, *args, **kwargs):
        return _with_etag(super().retrieve(request, *args, **kwargs))

    @extend_schema(
        summary="Create an order (placed, unless status is draft)",
        description=(
            "Lines are given by SKU; the customer is found by email or created. The order "
            'arrives placed unless "status" is "draft". Send an Idempotency-Key header so '
            "that a retry returns the first answer instead of a second order."
        ),
        request=OrderCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: OrderSerializer, **WRITE_ERRORS, 422: _KEY_REUSED},
    )
    def create(self, request):
        def run() -> Response:
            data = provided(validated(OrderCreateSerializer, request.data))
            customer_data = data.pop("customer")
            order_status = data.pop("status")
            with unit_of_work():
                customer = services.customer_get_or_create(user=request.user, **customer_data)
                order = services.order_create(
                    customer=customer,
                    user=request.user,
                    place=order_status == Order.Status.PLACED,
                    offered_shipping=True,
                    **data,
                )
            return Response(order_out(order), status=status.HTTP_201_CREATED)

        return _with_etag(idempotent(request, run))

    @extend_schema(
        summary="Edit an order's shipping details, notes or lines",
        description=(
            "Send only the fields that change. What may change depends on the order's state "
            "(an order on hold: the state it left): lines while it is a draft or placed; the "
            "shipping address until picking starts, and on a partly shipped order for what "
            "has not left; the billing address, shipping method and shipping price until "
            "anything has shipped; ship policy, priority and VIP until everything has "
            "shipped; notes always. A change the state closes answers 409 naming the state, "
            "as does one that brings the total below what was paid; a field sent with the "
            "value it already has is no change. Optimistic concurrency: send the ETag "
            'of your last GET as If-Match (or "version" in the body); when someone else '
            "changed the order since, nothing is saved and the answer is 412. Without "
            "either, the edit applies to the current order (last write wins)."
        ),
        request=OrderUpdateSerializer,
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
        responses={200: OrderSerializer, **WRITE_ERRORS, 412: _STALE},
    )
    def partial_update(self, request, pk=None):
        data = provided(validated(OrderUpdateSerializer, request.data))
        body_version = data.pop("version", None)
        expected = _if_match(request)
        if expected is not None and body_version is not None and expected != body_version:
            raise InvalidInput(
                f"If-Match names version {expected} but the body says version {body_version}.",
                field="version",
                code="version_mismatch",
            )
        expected = expected if expected is not None else body_version
        try:
            order = services.order_update(
                order_id=pk,
                user=request.user,
                expected_version=expected,
                offered_shipping=True,
                **data,
            )
        except services.StaleEdit as error:
            raise PreconditionFailed(error.message, code=error.code) from error
        return _with_etag(Response(order_out(order)))

    @_transition_schema("Place a draft order", request=None)
    @action(detail=True, methods=["post"], required_perms=["orders.add_order"])
    def place(self, request, pk=None):
        return _order_transition(
            request, lambda data: services.order_place(order_id=pk, user=request.user)
        )

    @_transition_schema(
        "Confirm a placed order: record the payment, allocate stock or backorder",
        request=OrderConfirmSerializer,
        description=(
            'The answer\'s status is "allocated" when every stocked line got stock, '
            '"backordered" otherwise.'
        ),
    )
    @action(detail=True, methods=["post"], required_perms=["orders.confirm_order"])
    def confirm(self, request, pk=None):
        return _order_transition(
            request,
            lambda data: services.order_confirm(
                order_id=pk, user=request.user, payment=data.get("payment")
            ),
            OrderConfirmSerializer,
        )

    @_transition_schema(
        "Cancel an order that has not shipped (its stock is released)", request=ReasonSerializer
    )
    @action(detail=True, methods=["post"], required_perms=["orders.cancel_order"])
    def cancel(self, request, pk=None):
        return _order_transition(
            request,
            lambda data: services.order_cancel(
                order_id=pk, user=request.user, reason=data["reason"]
            ),
            ReasonSerializer,
        )

    @_transition_schema("Put an open order on hold", request=ReasonSerializer)
    @action(detail=True, methods=["post"], required_perms=["orders.hold_order"])
    def hold(self, request, pk=None):
        return _order_transition(
            request,
            lambda data: services.order_hold(order_id=pk, user=request.user, reason=data["reason"]),
            ReasonSerializer,
        )

    @_transition_schema("Release an order from hold, back to where it was", request=NoteSerializer)
    @action(detail=True, methods=["post"], required_perms=["orders.hold_order"])
    def release(self, request, pk=None):
        return _order_transition(
            request,
            lambda data: services.order_release(order_id=pk, user=request.user, note=data["note"]),
            NoteSerializer,
        )


# --- customers ---------------------------------------------------------------------------------


def _customers():
    return Customer.objects.select_related("default_shipping_address", "default_billing_address")


def _customer_out(customer_id: int) -> dict:
    return CustomerSerializer(_customers().get(pk=customer_id)).data


@extend_schema_view(
    list=extend_schema(summary="List customers (search by name, email or phone)"),
    retrieve=extend_schema(
        summary="Get a customer with default addresses",
        responses={200: CustomerSerializer, 404: _MISSING},
    ),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Customers: find, create, edit. Customers are never deleted."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    not_found_message = "That customer does not exist."

    def get_queryset(self):
        return _customers().order_by("name", "pk")

    @extend_schema(
        summary="Create a customer",
        request=CustomerWriteSerializer,
        responses={201: CustomerSerializer, **WRITE_ERRORS},
    )
    def create(self, request):
        data = provided(validated(CustomerWriteSerializer, request.data))
        customer = services.customer_create(user=request.user, **data)
        return Response(_customer_out(customer.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a customer",
        request=CustomerWriteSerializer,
        responses={200: CustomerSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, pk=None):
        data = provided(validated(CustomerWriteSerializer, request.data, partial=True))
        customer = services.customer_update(customer_id=pk, user=request.user, **data)
        return Response(_customer_out(customer.pk))
