"""The API login: exchange a username and password for a new token; revoke the token in use."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.api_exceptions import validated
from oms.errors import InvalidInput
from oms.login_guard import LoginRateThrottle
from oms.models import ApiToken
from oms.tokens import token_create, token_revoke


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=1024, trim_whitespace=False)


TokenOut = inline_serializer(
    "Token", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
)


class TokenView(APIView):
    """``POST``: a username and password give a new API token (``Authorization: Token <token>``),
    valid for ``OMS_API_TOKEN_DAYS``. ``DELETE`` (with that header): revoke the token sent."""

    throttle_classes = []

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        return [LoginRateThrottle()] if self.request.method == "POST" else []

    def perform_authentication(self, request):
        # A login does not look at an Authorization header a client may still send.
        if request.method != "POST":
            super().perform_authentication(request)

    def get_authenticate_header(self, request):
        return "Token"

    @extend_schema(
        summary="Log in: a new API token",
        request=LoginSerializer,
        responses={200: TokenOut, 400: OpenApiResponse(description="Wrong username or password.")},
        auth=[],
    )
    def post(self, request):
        data = validated(LoginSerializer, request.data)
        # The Django request, so that django-axes counts a failure and can lock the login out.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise InvalidInput(
                "Unable to log in with that username and password.", code="authorization"
            )
        minted = token_create(user=user)
        return Response({"token": minted.key, "expires_at": minted.expires_at.isoformat()})

    @extend_schema(
        summary="Revoke the token sent in the Authorization header",
        request=None,
        responses={204: None},
    )
    def delete(self, request):
        token = request.auth
        if not isinstance(token, ApiToken):
            raise InvalidInput(
                "Send the token to revoke in the Authorization header.", code="no_token"
            )
        token_revoke(token_id=token.pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
