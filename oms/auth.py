"""Authentication backends: the login guard (django-axes), and Django's model backend with
permissions loaded in one query."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class RoleBackend(ModelBackend):
    """Load a user's own and group permissions together, once per request.

    Django's ModelBackend asks twice (user permissions, then group
    permissions); every API call checks permissions, so one query is saved
    on each.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in perms.values_list("content_type__app_label", "codename")
                .distinct()
                .order_by()
            }
        return user_obj._perm_cache


class LoginGuardBackend(AxesStandaloneBackend):
    """Refuse a locked-out login (django-axes) on every path that comes with a request.

    Logins without a request (the shell, management commands, the test
    client's ``login``) face no login form and are let through to the next
    backend; every HTTP login path (the login page, the admin, the API
    token) passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
