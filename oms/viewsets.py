"""The base every API viewset of the project builds on."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.viewsets import GenericViewSet

from oms.errors import NotFound


class BaseViewSet(GenericViewSet):
    """A viewset that answers unsupported methods with 405 before asking about permissions,
    and a missing object with the domain's 404 JSON."""

    filter_backends = [DjangoFilterBackend]
    required_perms = None
    not_found_message = "That does not exist."

    def check_permissions(self, request):
        if request.method != "OPTIONS" and request.method.lower() not in self.action_map:
            self.http_method_not_allowed(request)
        super().check_permissions(request)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound(self.not_found_message) from None
