"""The base every API viewset of the project builds on."""

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.viewsets import GenericViewSet

from oms.errors import InvalidInput, NotFound
from oms.services import parse_id


class BaseViewSet(GenericViewSet):
    """A viewset that answers unsupported methods with 405 before asking about permissions,
    and a missing object, or an id that cannot be one, with the domain's 404 JSON.

    The id in the URL is checked once, here, for every detail route: a view
    finds ``self.kwargs["pk"]`` already a valid whole number.
    """

    filter_backends = [DjangoFilterBackend]
    required_perms = None
    not_found_message = "That does not exist."

    def check_permissions(self, request):
        if request.method != "OPTIONS" and request.method.lower() not in self.action_map:
            self.http_method_not_allowed(request)
        super().check_permissions(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        name = self.lookup_url_kwarg or self.lookup_field
        if name in self.kwargs:
            try:
                self.kwargs[name] = parse_id(self.kwargs[name])
            except InvalidInput:
                raise NotFound(self.not_found_message) from None

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound(self.not_found_message) from None
