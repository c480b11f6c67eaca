"""``POST /api/v1/ping/``: a health probe for integrations that also proves their token works.

Each ping writes one Heartbeat row (who pinged, the name the caller gives
itself, when), so the answer means "your token is valid and the database
takes writes", and the rows show when each integration was last heard from.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from oms import services
from oms.api_schema import ErrorSerializer
from oms.errors import InvalidInput


class PingSerializer(serializers.Serializer):
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=services.HEARTBEAT_SOURCE_MAX_LENGTH,
        help_text="Your integration's name for itself, e.g. web-shop (optional).",
    )


class PongSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='Always "ok".')
    id = serializers.IntegerField(help_text="The heartbeat row written.")
    user = serializers.CharField(help_text="The user the token belongs to.")
    source = serializers.CharField()
    created_at = serializers.DateTimeField()


class PingView(APIView):
    """Record a heartbeat for the calling user and answer with it."""

    required_perms = []  # any signed-in user of any role may ping

    @extend_schema(
        summary="Ping: check your token and that the OMS takes writes",
        request=PingSerializer,
        responses={
            201: PongSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Bad input."),
        },
    )
    def post(self, request):
        data = request.data
        if not hasattr(data, "get"):
            raise InvalidInput('Send a JSON object, for example {"source": "web-shop"}.')
        heartbeat = services.heartbeat_record(user=request.user, source=data.get("source", ""))
        return Response(
            {
                "status": "ok",
                "id": heartbeat.pk,
                "user": request.user.get_username(),
                "source": heartbeat.source,
                "created_at": heartbeat.created_at,
            },
            status=status.HTTP_201_CREATED,
        )
