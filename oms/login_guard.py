"""Brute-force protection shared by every login path: the page, the admin and the API token.

Failed logins are counted by django-axes in the database, per username and
client address together, so every web process sees the same count. The
client address comes from :func:`client_address`, which axes and the API
throttles both use: ``REMOTE_ADDR``, unless ``OMS_TRUSTED_PROXIES`` says how
many proxies stand in front, in which case it is that many places from the
right of ``X-Forwarded-For`` (what a client writes there itself is ignored).
"""

from __future__ import annotations

import ipaddress

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.template.response import TemplateResponse
from rest_framework.throttling import AnonRateThrottle

from oms.roles import INTEGRATION_ROLES, STAFF_ROLES, has_role


def trusted_proxies() -> int:
    return max(int(getattr(settings, "OMS_TRUSTED_PROXIES", 0) or 0), 0)


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """Return the address of the client that sent the request, as far as it can be trusted."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or ""
    proxies = trusted_proxies()
    if proxies:
        forwarded = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
        if len(forwarded) >= proxies:
            address = _valid(forwarded[-proxies])
            if address:
                return address
    return _valid(remote) or remote


def cooloff_minutes() -> int:
    return int(getattr(settings, "OMS_LOGIN_COOLOFF_MINUTES", 15))


def lockout_message() -> str:
    minutes = cooloff_minutes()
    return (
        "Too many failed logins for this username from your address. "
        f"Try again in {minutes} minutes, or ask a manager to reset your password."
    )


def lockout_response(request, original_response=None, credentials=None):
    """Answer a locked-out login: JSON for the API, the login page with the reason otherwise."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=status)
    response = TemplateResponse(
        request, "registration/locked_out.html", {"lockout_message": message}, status=status
    )
    return response.render()


class ClientAddressThrottle(AnonRateThrottle):
    """A rate per client address (see client_address), counted in the shared cache."""

    def get_ident(self, request):
        return client_address(request)


class LoginRateThrottle(ClientAddressThrottle):
    """Logins per client address (``OMS_LOGIN_RATE``), whoever the request claims to be."""

    scope = "login"

    def get_rate(self):
        return getattr(settings, "OMS_LOGIN_RATE", "30/minute")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class StaffAuthenticationForm(AuthenticationForm):
    """The login page's form: integration accounts use the API with a token, not the pages."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if has_role(user, *INTEGRATION_ROLES) and not has_role(user, *STAFF_ROLES):
            raise forms.ValidationError(
                "This is an integration account: it uses the API with a token, not these pages.",
                code="integration_account",
            )
