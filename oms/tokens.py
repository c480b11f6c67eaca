"""API tokens: minted at login, stored hashed, expiring, revocable; and their authentication.

``Authorization: Token <key>`` costs one query per request (the token with
its user); the time it was last used is written at most once every few
minutes, so a busy integration does not write on every call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework import authentication, exceptions

from oms.errors import NotAllowed, NotFound
from oms.models import ApiToken
from oms.roles import Role
from oms.services import require_perm, service

KEY_BYTES = 32
ROLE_NAMES = [str(role) for role in Role]
LAST_USED_EVERY = timedelta(minutes=5)


def token_days() -> int:
    return int(getattr(settings, "OMS_API_TOKEN_DAYS", 30))


def tokens_per_user() -> int:
    return int(getattr(settings, "OMS_API_TOKENS_PER_USER", 10))


def hash_key(key: str) -> str:
    """Return the SHA-256 (hex) under which a key is stored."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class MintedToken:
    key: str
    token: ApiToken

    @property
    def expires_at(self) -> datetime:
        return self.token.expires_at


@service
def token_create(*, user) -> MintedToken:
    """Mint a new API token for an active user; the key is returned once, only its hash kept.

    A user keeps at most ``OMS_API_TOKENS_PER_USER`` live tokens: minting one
    more revokes the oldest.
    """
    if user is None or not user.is_active:
        raise NotAllowed("This account is deactivated: it cannot have an API token.")
    now = timezone.now()
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_key(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + timedelta(days=token_days()),
        last_used_at=now,  # the login is its first use
    )
    live = ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=now).order_by(
        "-created_at", "-pk"
    )
    stale = list(live.values_list("pk", flat=True)[tokens_per_user() :])
    if stale:
        ApiToken.objects.filter(pk__in=stale).update(revoked_at=now)
    return MintedToken(key=key, token=token)


@service
def token_revoke(*, token_id: int, user) -> ApiToken:
    """Revoke one token: the token's own user may, and so may a manager (not a superuser's)."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound("That API token does not exist.", field="token")
    if token.user_id != user.pk:
        require_perm(user, "oms.revoke_apitoken", "Your role may not revoke other users' tokens.")
        if token.user.is_superuser and not user.is_superuser:
            raise NotFound("That API token does not exist.", field="token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_revoke_for_user(*, user) -> int:
    """Revoke every live token of a user (deactivated, or a new password); return how many."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against hashed, expiring, revocable tokens."""

    model = ApiToken

    def authenticate_credentials(self, key):
        # The same query tells whether the user holds any role (oms.api.has_any_role).
        token = (
            ApiToken.objects.select_related("user")
            .annotate(
                user_has_role=Exists(
                    Group.objects.filter(user=OuterRef("user_id"), name__in=ROLE_NAMES)
                )
            )
            .filter(key_hash=hash_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked: log in for a new one.")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired: log in for a new one.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is deactivated.")
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.user.oms_has_role = token.user_has_role or token.user.is_superuser
        return token.user, token
