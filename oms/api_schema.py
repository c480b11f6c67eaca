"""The OpenAPI schema of the API: every operation documents the errors it can answer.

Views document their own answers with drf-spectacular's ``extend_schema``;
this AutoSchema adds the error answers that come from the plumbing every
view shares, so that no answer the API gives is missing from the schema:

* 400 for anything that takes a body, a query string or a header, and 415
  for a body the API cannot read,
* 401 and 403 where a token or session is needed,
* 404 for a path with an id, and for a list page past the last one,
* 429 where the view is throttled.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every error: a message, a stable code and messages per field."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


ERROR_DESCRIPTIONS = {
    "400": "Bad input: a message per field.",
    "401": "No valid token or session: log in first.",
    "403": "Your role does not allow this.",
    "404": "It does not exist (or the page is past the last one).",
    "415": "The body is not JSON (nor a form) the API can read.",
    "429": "Too many requests: wait a minute, then try again.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, adding the shared error answers to each operation."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # A list of nested serializers (an order's lines) states its bound too.
        if isinstance(field, serializers.ListSerializer) and schema and "type" in schema:
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
            if field.min_length is not None:
                schema["minItems"] = field.min_length
        return schema

    def _error_codes(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        locations = {parameter["in"] for parameter in parameters}
        codes = []
        if "requestBody" in operation or locations & {"query", "header"}:
            codes.append("400")
        if "requestBody" in operation:
            codes.append("415")
        if operation.get("security") and {} not in operation["security"]:
            codes += ["401", "403"]
        if "path" in locations or (self._is_list_view() and self._get_paginator() is not None):
            codes.append("404")
        if self.view.get_throttles():
            codes.append("429")
        return codes
