"""One error shape for the whole API: a message, a code and messages by dotted field path."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from oms.api_exceptions import exception_handler, flatten_errors, validated
from oms.errors import InvalidInput


class LineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=8)
    quantity = serializers.IntegerField(min_value=1)


class OrderSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5)
    lines = LineSerializer(many=True)


def test_nested_errors_are_named_by_their_dotted_path():
    # given
    detail = {
        "customer": {"email": ["Enter a valid email address."]},
        "lines": [{}, {"sku": ["Unknown SKU."], "quantity": ["Too many."]}],
        "non_field_errors": ["Send a JSON object."],
    }

    # when
    flat = flatten_errors(detail)

    # then
    assert flat == {
        "customer.email": ["Enter a valid email address."],
        "lines[1].sku": ["Unknown SKU."],
        "lines[1].quantity": ["Too many."],
        "non_field_errors": ["Send a JSON object."],
    }


def test_an_error_of_a_nested_object_as_a_whole_is_named_by_the_object():
    # when
    flat = flatten_errors({"lines": [{"non_field_errors": ["Expected an object."]}]})

    # then
    assert flat == {"lines[0]": ["Expected an object."]}


def test_validated_returns_the_data_or_refuses_with_every_field():
    # given
    good = {"note": "hi", "lines": [{"sku": "MUG", "quantity": 2}]}
    bad = {"note": "far too long", "lines": [{"sku": "MUG", "quantity": 0}, "MUG"]}

    # when
    data = validated(OrderSerializer, good)
    with pytest.raises(InvalidInput) as refused:
        validated(OrderSerializer, bad)

    # then
    assert data["lines"][0]["quantity"] == 2
    assert refused.value.message == "Ensure this field has no more than 5 characters."
    assert set(refused.value.errors) == {"note", "lines[0].quantity", "lines[1]"}


def test_what_drf_refuses_on_its_own_has_the_same_shape():
    # given
    error = ValidationError({"lines": [{"sku": ["Unknown SKU."]}]})

    # when
    response = exception_handler(error, {})

    # then
    assert response.status_code == 400
    assert response.data == {
        "detail": "Unknown SKU.",
        "code": "invalid",
        "errors": {"lines[0].sku": ["Unknown SKU."]},
    }


@pytest.mark.parametrize(
    ("error", "errors"),
    [
        (DjangoValidationError({"price": ["Too dear."]}), {"price": ["Too dear."]}),
        (DjangoValidationError("Too dear."), {"non_field_errors": ["Too dear."]}),
    ],
)
def test_what_django_refuses_has_the_same_shape(error, errors):
    # when
    response = exception_handler(error, {})

    # then
    assert response.status_code == 400
    assert response.data == {"detail": "Too dear.", "code": "invalid", "errors": errors}
