"""Who may open a staff page: one guard for every view, checked before anything is loaded.

Every page view of the project is wrapped by :func:`staff_view` (a staff
role and the named permissions) or :func:`signed_in_view` (any signed-in
user, for pages that show nothing private). The guard runs before the view
body, so a refused request never reads the object it names: anonymous
visitors go to the login page, a signed-in user without the right gets the
plain 403 page (``templates/403.html``), which shows nothing of the object.

The guard leaves a mark (``view.oms_access``) that the URL walker in the
test suite reads: a page view without it fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.views.decorators.http import require_http_methods

from oms.roles import STAFF_ROLES, has_role

REFUSED = "Your role does not allow this page."


@dataclass(frozen=True)
class Access:
    """What a guarded view asks of its user, for the URL walker and the role matrix."""

    perms: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("GET", "HEAD")
    staff: bool = True
    # A URL argument that names what is done, and the permission each value needs.
    perm_by_kwarg: tuple[str, Mapping[str, str]] | None = None

    def allows(self, user, kwargs: Mapping | None = None) -> bool:
        """Tell whether the user may open the view with these URL arguments (any method)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if not self.staff:
            return True
        if not has_role(user, *STAFF_ROLES):
            return False
        if self.roles and not has_role(user, *self.roles):
            return False
        if self.perm_by_kwarg is not None:
            name, perms = self.perm_by_kwarg
            extra = perms.get((kwargs or {}).get(name, ""))
            if extra is not None and not user.has_perm(extra):
                return False
        return user.has_perms(self.perms)


def _guard(access: Access) -> Callable:
    def wrap(view):
        checked = require_http_methods(list(access.methods))(view)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not access.allows(user, kwargs):
                raise PermissionDenied(REFUSED)
            return checked(request, *args, **kwargs)

        guarded.oms_access = access
        return guarded

    return wrap


def _methods(post: bool, methods: Iterable[str] | None) -> tuple[str, ...]:
    if methods is not None:
        return tuple(method.upper() for method in methods)
    return ("POST",) if post else ("GET", "HEAD")


def staff_view(
    *perms: str,
    roles: Iterable[str] = (),
    post: bool = False,
    methods: Iterable[str] | None = None,
    perm_by_kwarg: tuple[str, Mapping[str, str]] | None = None,
) -> Callable:
    """Guard a staff page: sign in, a staff role, the permissions (and roles), then the method.

    ``post=True`` takes POST only; otherwise GET and HEAD (or ``methods``).
    ``perm_by_kwarg=("action", {"cancel": "orders.cancel_order"})`` also asks
    for the permission that the URL argument's value names.
    """
    return _guard(
        Access(
            perms=tuple(perms),
            roles=tuple(str(r) for r in roles),
            methods=_methods(post, methods),
            perm_by_kwarg=perm_by_kwarg,
        )
    )


def signed_in_view(*, post: bool = False, methods: Iterable[str] | None = None) -> Callable:
    """Guard a page any signed-in user may open because it shows nothing private."""
    return _guard(Access(staff=False, methods=_methods(post, methods)))
