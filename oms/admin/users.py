"""The user admin and the API tokens admin.

A superuser keeps Django's full user admin. Anyone else who manages users
(managers hold ``auth.change_user``) gets a restricted one that runs
oms.users: they see no superuser's account, choose roles instead of raw
groups and permissions, never see ``is_superuser``, ``is_staff`` or
``user_permissions``, deactivate instead of delete, and reset passwords.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpResponseRedirect
from django.urls import reverse

from oms import users as user_services
from oms.admin_readonly import ReadOnlyAdmin
from oms.errors import DomainError
from oms.models import ApiToken
from oms.roles import Role
from oms.tokens import token_revoke

User = get_user_model()

ROLE_HELP = (
    "What this account may do. Staff roles work in the pages; an integration account "
    "uses the API with a token and has exactly one role."
)


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ROLE_HELP,
    )


class _RolesMixin:
    """The roles field, checked with the same rule the service applies."""

    actor = None

    def clean_roles(self):
        try:
            return user_services.clean_roles(self.cleaned_data.get("roles") or [])
        except DomainError as error:
            raise forms.ValidationError(error.message) from error

    def clean(self):
        cleaned = super().clean()
        actor, target = self.actor, self.instance
        if actor is not None and target.pk and target.pk == actor.pk and not actor.is_superuser:
            if "is_active" in cleaned and not cleaned["is_active"]:
                self.add_error("is_active", "You cannot deactivate your own account.")
            if "roles" in cleaned and str(Role.MANAGER) not in (cleaned.get("roles") or []):
                self.add_error(
                    "roles", "You cannot take the manager role from yourself: ask another manager."
                )
        return cleaned


class ManagedUserChangeForm(_RolesMixin, UserChangeForm):
    roles = _roles_field()

    class Meta:
        model = User
        fields = ("username", "password", "first_name", "last_name", "email", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["roles"] = [
                name
                for name in self.instance.groups.values_list("name", flat=True)
                if name in user_services.ROLE_NAMES
            ]
        if "is_active" in self.fields:
            self.fields["is_active"].help_text = (
                "Untick to deactivate: the account can no longer log in and its API tokens "
                "are revoked. Accounts are never deleted."
            )


class ManagedUserAddForm(_RolesMixin, UserCreationForm):
    roles = _roles_field()

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")


MANAGED_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    ("Name and email", {"fields": ("first_name", "last_name", "email")}),
    ("Access", {"fields": ("is_active", "roles")}),
    ("Dates", {"fields": ("last_login", "date_joined")}),
)
MANAGED_ADD_FIELDSETS = (
    (None, {"fields": ("username", "password1", "password2")}),
    ("Name and email", {"fields": ("first_name", "last_name", "email")}),
    ("Access", {"fields": ("roles",)}),
)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin for superusers; managers get the restricted one (see module doc)."""

    actions = ["deactivate_selected"]

    def _managed(self, request) -> bool:
        return not request.user.is_superuser

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self._managed(request):
            queryset = queryset.filter(is_superuser=False)
        return queryset

    def get_list_display(self, request):
        if self._managed(request):
            return ("username", "email", "first_name", "last_name", "role_names", "is_active")
        return super().get_list_display(request)

    def get_list_filter(self, request):
        if self._managed(request):
            return ("is_active", "groups")
        return super().get_list_filter(request)

    def get_fieldsets(self, request, obj=None):
        if not self._managed(request):
            return super().get_fieldsets(request, obj)
        return MANAGED_ADD_FIELDSETS if obj is None else MANAGED_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if self._managed(request) and obj is not None:
            return ("username", "last_login", "date_joined")
        return super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if self._managed(request):
            base = ManagedUserAddForm if obj is None else ManagedUserChangeForm
            kwargs["form"] = type(base.__name__, (base,), {"actor": request.user})
        return super().get_form(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Roles")
    def role_names(self, obj):
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "—"

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.queryset = changelist.queryset.prefetch_related("groups")
        return changelist

    def save_model(self, request, obj, form, change):
        if not self._managed(request):
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        actor = request.user
        if not change:
            created = user_services.user_create(
                actor=actor,
                username=data["username"],
                password=data["password1"],
                roles=data.get("roles") or [],
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            obj.pk = created.pk
            obj._state.adding = False
            return None
        user_services.user_update(
            actor=actor,
            user_id=obj.pk,
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
        user_services.user_set_roles(actor=actor, user_id=obj.pk, roles=data.get("roles") or [])
        if data.get("is_active", True):
            user_services.user_reactivate(actor=actor, user_id=obj.pk)
        else:
            user_services.user_deactivate(actor=actor, user_id=obj.pk)
        return None

    def save_related(self, request, form, formsets, change):
        if not self._managed(request):
            super().save_related(request, form, formsets, change)

    @admin.action(description="Deactivate the selected accounts", permissions=["change"])
    def deactivate_selected(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                user_services.user_deactivate(actor=request.user, user_id=user.pk)
            except DomainError as error:
                self.message_user(request, f"{user}: {error.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} account(s) deactivated.", messages.SUCCESS)

    def user_change_password(self, request, id, form_url=""):
        """Set the password through oms.users (old tokens revoked, lockout lifted)."""
        user = self.get_object(request, unquote(id))
        if (
            request.method == "POST"
            and user is not None
            and self.has_change_permission(request, user)
        ):
            form = self.change_password_form(user, request.POST)
            if form.is_valid() and form.cleaned_data.get("set_usable_password", True):
                try:
                    user_services.user_set_password(
                        actor=request.user, user_id=user.pk, password=form.cleaned_data["password1"]
                    )
                except DomainError as error:
                    messages.error(request, error.message)
                    return HttpResponseRedirect(request.get_full_path())
                user.refresh_from_db()
                self.log_change(request, user, "Changed password.")
                messages.success(request, "Password changed; the account's API tokens are revoked.")
                update_session_auth_hash(request, user)
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:auth_user_change", args=(user.pk,))
                )
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """API tokens: who has one, since when, until when, last used; revoke, never edit."""

    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "prefix")
    list_select_related = ("user",)
    actions = ["revoke_selected"]
    readonly_fields = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    fields = readonly_fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(user__is_superuser=False)
        return queryset

    def has_revoke_permission(self, request):
        return request.user.has_perm("oms.revoke_apitoken")

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        for token in queryset:
            token_revoke(token_id=token.pk, user=request.user)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)
