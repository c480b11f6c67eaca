"""What every API endpoint shares: role permissions and pagination."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.pagination import PageNumberPagination

from oms.roles import Role, has_role

_METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class RolePermission(permissions.BasePermission):
    """Allow a request when the user holds the permissions the view names.

    A view (or an ``@action(required_perms=[...])``) may set
    ``required_perms``; otherwise the model permission for the HTTP method is
    needed (view for reads, add for POST, change for PUT/PATCH).
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perms = self.required_perms(request, view)
        if not perms:
            # An endpoint open to every role is still closed to an account without one.
            return has_any_role(user)
        return user.has_perms(perms)

    @staticmethod
    def required_perms(request, view) -> list[str]:
        explicit = getattr(view, "required_perms", None)
        if isinstance(explicit, dict):
            return list(explicit.get(request.method, explicit.get("*", [])))
        if explicit is not None:
            return list(explicit)
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            return []
        meta = queryset.model._meta
        action = _METHOD_ACTIONS.get(request.method, "change")
        return [f"{meta.app_label}.{action}_{meta.model_name}"]


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def has_any_role(user) -> bool:
    """Tell whether a signed-in user holds any role, staff or integration.

    Token authentication has already found out in its own query (``oms_has_role``).
    """
    if not (user and user.is_authenticated):
        return False
    known = getattr(user, "oms_has_role", None)
    if known is not None:
        return known
    return has_role(user, *Role)


class HoldsARole(permissions.BasePermission):
    """Allow any signed-in user who holds a role: staff, or an integration (the API schema)."""

    message = "Log in (or send your API token) with an account that has a role."

    def has_permission(self, request, view) -> bool:
        return has_any_role(request.user)
