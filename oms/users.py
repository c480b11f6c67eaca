"""User accounts: create, set roles, deactivate, reset passwords, within the roles.

Managers manage the people they work with, never the system itself: a
manager (``auth.change_user``) gives roles from oms/roles.py, never raw
groups or permissions; never touches a superuser's account; and cannot make
anyone a superuser. ``is_staff`` follows the roles (a staff role gives it,
an integration role does not). Only a superuser makes superusers. Accounts
are deactivated, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from axes.utils import reset as reset_login_failures
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from oms.errors import InvalidInput, NotAllowed, NotFound
from oms.roles import INTEGRATION_ROLES, STAFF_ROLES, Role
from oms.services import require_perm, service
from oms.tokens import tokens_revoke_for_user

User = get_user_model()

MAX_NAME = 150
ROLE_NAMES = {str(role) for role in Role}
NOT_FOUND = "That user does not exist."


def manageable_users(actor):
    """Return the accounts this user may see and manage (a manager: no superuser)."""
    users = User.objects.all()
    if not actor.is_superuser:
        users = users.filter(is_superuser=False)
    return users


def _target(actor, user_id) -> User:
    """Load the account to change, under a row lock; a hidden account reads as missing."""
    if not str(user_id).isdigit():
        raise NotFound(NOT_FOUND, field="user")
    user = manageable_users(actor).select_for_update().filter(pk=int(user_id)).first()
    if user is None:
        raise NotFound(NOT_FOUND, field="user")
    return user


def clean_roles(roles: Iterable[str]) -> list[str]:
    """Return the role names, refusing unknown ones and a machine account with a person's role."""
    names = sorted({str(role).strip() for role in roles or [] if str(role).strip()})
    unknown = [name for name in names if name not in ROLE_NAMES]
    if unknown:
        raise InvalidInput(f"Unknown role: {', '.join(unknown)}.", field="roles")
    integration = {str(role) for role in INTEGRATION_ROLES} & set(names)
    if integration and len(names) > 1:
        raise InvalidInput(
            "An integration account has exactly one role, and no staff role.", field="roles"
        )
    return names


def _apply_roles(user, names: list[str]) -> None:
    """Give the user exactly these role groups; groups that are not roles stay as they are."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_NAMES)}
    missing = [name for name in names if name not in groups]
    if missing:
        raise InvalidInput(
            f"The role group {', '.join(missing)} is missing: run migrate.", field="roles"
        )
    user.groups.remove(*[group for name, group in groups.items() if name not in names])
    user.groups.add(*[groups[name] for name in names])
    user.is_staff = bool({str(role) for role in STAFF_ROLES} & set(names)) or user.is_superuser
    user.save(update_fields=["is_staff"])


def _clean_password(password, user) -> str:
    if not isinstance(password, str) or not password:
        raise InvalidInput("Enter a password.", field="password")
    if len(password) > 128:
        raise InvalidInput("A password is at most 128 characters.", field="password")
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="password") from error
    return password


def _text(value, *, field: str, label: str, required: bool = False) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise InvalidInput(f"{label} must be text.", field=field)
    if required and not value:
        raise InvalidInput(f"Enter the {label.lower()}.", field=field)
    if len(value) > MAX_NAME:
        raise InvalidInput(f"{label} is at most {MAX_NAME} characters.", field=field)
    return value


def _details(*, username=None, email="", first_name="", last_name="") -> dict:
    details = {
        "email": _text(email, field="email", label="Email"),
        "first_name": _text(first_name, field="first_name", label="First name"),
        "last_name": _text(last_name, field="last_name", label="Last name"),
    }
    if details["email"]:
        try:
            validate_email(details["email"])
        except ValidationError as error:
            raise InvalidInput("Enter a valid email address.", field="email") from error
    if username is not None:
        details["username"] = _text(username, field="username", label="Username", required=True)
        try:
            User.username_validator(details["username"])
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages), field="username") from error
    return details


@service
def user_create(
    *,
    actor,
    username: str,
    password: str,
    roles: Iterable[str] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create an active account with roles; ``is_staff`` follows the roles, never a superuser."""
    require_perm(actor, "auth.add_user", "Only managers add users.")
    details = _details(username=username, email=email, first_name=first_name, last_name=last_name)
    names = clean_roles(roles)
    if User.objects.filter(username__iexact=details["username"]).exists():
        raise InvalidInput(
            f"The username {details['username']} is taken.", field="username", code="taken"
        )
    user = User(**details, is_active=True, is_staff=False, is_superuser=False)
    user.set_password(_clean_password(password, user))
    user.save()
    _apply_roles(user, names)
    return user


@service
def user_update(
    *, actor, user_id, email: str = "", first_name: str = "", last_name: str = ""
) -> User:
    """Change an account's name and email."""
    require_perm(actor, "auth.change_user", "Only managers change users.")
    user = _target(actor, user_id)
    for field, value in _details(email=email, first_name=first_name, last_name=last_name).items():
        setattr(user, field, value)
    user.save(update_fields=["email", "first_name", "last_name"])
    return user


@service
def user_set_roles(*, actor, user_id, roles: Iterable[str]) -> User:
    """Give an account exactly these roles (from oms/roles.py); ``is_staff`` follows them."""
    require_perm(actor, "auth.change_user", "Only managers change users' roles.")
    user = _target(actor, user_id)
    names = clean_roles(roles)
    if user.pk == actor.pk and not actor.is_superuser and str(Role.MANAGER) not in names:
        raise NotAllowed("You cannot take the manager role from yourself: ask another manager.")
    _apply_roles(user, names)
    return user


@service
def user_deactivate(*, actor, user_id) -> User:
    """Deactivate an account: it can no longer log in, and its API tokens are revoked."""
    require_perm(actor, "auth.change_user", "Only managers deactivate users.")
    user = _target(actor, user_id)
    if user.pk == actor.pk:
        raise NotAllowed("You cannot deactivate your own account.")
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    tokens_revoke_for_user(user=user)
    return user


@service
def user_reactivate(*, actor, user_id) -> User:
    """Let a deactivated account log in again (with new API tokens only)."""
    require_perm(actor, "auth.change_user", "Only managers reactivate users.")
    user = _target(actor, user_id)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


@service
def user_set_password(*, actor, user_id, password: str) -> User:
    """Set a new password: old API tokens are revoked and a login lockout is lifted."""
    if actor is None or actor.pk != _pk(user_id):
        require_perm(actor, "auth.change_user", "Only managers reset other users' passwords.")
    user = _target(actor, user_id) if actor is not None else User.objects.get(pk=_pk(user_id))
    user.set_password(_clean_password(password, user))
    user.save(update_fields=["password"])
    tokens_revoke_for_user(user=user)
    reset_login_failures(username=user.get_username())
    return user


def _pk(value) -> int | None:
    return int(value) if str(value).isdigit() else None
