"""The user admin: managers manage accounts within the roles, only superusers make superusers."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from oms.models import ApiToken
from oms.roles import Role
from oms.tokens import token_create
from tests.factories import UserFactory

User = get_user_model()


def account(user) -> tuple:
    """Return everything about an account that an escalation would change."""
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        user.is_active,
        user.password,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def managed_form(user, **overrides):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "roles": [g.name for g in user.groups.all()],
    }
    data.update(overrides)
    return data


def test_a_manager_ticking_superuser_staff_groups_and_permissions_changes_none_of_them(
    manager_client, sales_user
):
    # given a forged form with every dangerous field
    before = account(sales_user)
    data = managed_form(
        sales_user,
        first_name="Sam",
        is_superuser="on",
        is_staff="on",
        groups=[g.pk for g in Group.objects.all()],
        user_permissions=[p.pk for p in Permission.objects.filter(codename="adjust_stock")],
    )
    # when
    response = manager_client.post(change_url(sales_user), data)
    # then the harmless edit is saved and nothing else
    assert response.status_code == 302
    assert account(sales_user) == before
    assert User.objects.get(pk=sales_user.pk).first_name == "Sam"


def test_a_manager_never_sees_the_dangerous_fields(manager_client, sales_user):
    # when
    page = manager_client.get(change_url(sales_user))
    # then
    assert page.status_code == 200
    for name in ("is_superuser", "is_staff", "user_permissions", 'name="groups"'):
        assert name not in page.text
    assert 'name="roles"' in page.text


def test_a_manager_cannot_see_or_change_a_superusers_account(manager_client, admin_user):
    # given
    before = account(admin_user)
    # when
    listing = manager_client.get(reverse("admin:auth_user_changelist"))
    page = manager_client.get(change_url(admin_user))
    posted = manager_client.post(change_url(admin_user), {"first_name": "Owned", "is_active": ""})
    password = manager_client.post(
        reverse("admin:auth_user_password_change", args=[admin_user.pk]),
        {"password1": "owned-pass-word-1", "password2": "owned-pass-word-1"},
    )
    # then
    assert admin_user.username not in listing.text
    assert page.status_code == 302
    assert posted.status_code == 302
    assert password.status_code == 404
    assert account(admin_user) == before
    assert User.objects.get(pk=admin_user.pk).first_name == admin_user.first_name


def test_a_manager_creates_an_account_with_a_role_and_no_superuser_powers(manager_client):
    # given a forged add form
    data = {
        "username": "new.picker",
        "password1": "a-long-pass-word-7",
        "password2": "a-long-pass-word-7",
        "first_name": "Nia",
        "last_name": "Picker",
        "email": "nia@example.com",
        "roles": [str(Role.WAREHOUSE)],
        "is_superuser": "on",
        "user_permissions": [Permission.objects.get(codename="adjust_stock").pk],
    }
    # when
    response = manager_client.post(reverse("admin:auth_user_add"), data)
    # then
    assert response.status_code == 302
    user = User.objects.get(username="new.picker")
    assert (user.is_superuser, user.is_staff, user.is_active) == (False, True, True)
    assert list(user.groups.values_list("name", flat=True)) == ["Warehouse"]
    assert not user.user_permissions.exists()
    assert user.check_password("a-long-pass-word-7")


def test_an_integration_account_never_gets_staff(manager_client):
    # given
    data = {
        "username": "dpd.webhook",
        "password1": "a-long-pass-word-7",
        "password2": "a-long-pass-word-7",
        "roles": [str(Role.CARRIER)],
        "is_staff": "on",
    }
    # when
    manager_client.post(reverse("admin:auth_user_add"), data)
    # then
    user = User.objects.get(username="dpd.webhook")
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert list(user.groups.values_list("name", flat=True)) == [str(Role.CARRIER)]


@pytest.mark.parametrize(
    "roles",
    [["Superuser"], [str(Role.CARRIER), str(Role.SALES)], [str(Role.CARRIER), str(Role.WEB_SHOP)]],
)
def test_unknown_or_mixed_roles_are_refused_and_nothing_changes(manager_client, sales_user, roles):
    # given
    before = account(sales_user)
    # when
    response = manager_client.post(change_url(sales_user), managed_form(sales_user, roles=roles))
    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["roles"]
    assert account(sales_user) == before


def test_a_manager_changes_a_role_and_staff_follows(manager_client, sales_user):
    # when
    manager_client.post(
        change_url(sales_user), managed_form(sales_user, roles=[str(Role.WEB_SHOP)])
    )
    # then
    user = User.objects.get(pk=sales_user.pk)
    assert list(user.groups.values_list("name", flat=True)) == [str(Role.WEB_SHOP)]
    assert user.is_staff is False


def test_a_manager_deactivates_an_account_and_its_tokens_stop(
    manager_client, sales_user, api_client
):
    # given
    key = token_create(user=sales_user).key
    # when
    response = manager_client.post(change_url(sales_user), managed_form(sales_user, is_active=""))
    # then
    assert response.status_code == 302
    assert User.objects.get(pk=sales_user.pk).is_active is False
    assert not ApiToken.objects.filter(user=sales_user, revoked_at=None).exists()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/products/").status_code == 401


def test_a_manager_cannot_deactivate_or_demote_themselves(manager_client, manager_user):
    # given
    before = account(manager_user)
    # when
    off = manager_client.post(change_url(manager_user), managed_form(manager_user, is_active=""))
    demoted = manager_client.post(
        change_url(manager_user), managed_form(manager_user, roles=[str(Role.SALES)])
    )
    # then
    assert off.status_code == demoted.status_code == 200
    assert account(manager_user) == before


def test_a_manager_resets_a_password_and_old_tokens_are_revoked(manager_client, sales_user):
    # given
    token_create(user=sales_user)
    # when
    response = manager_client.post(
        reverse("admin:auth_user_password_change", args=[sales_user.pk]),
        {"password1": "fresh-pass-word-4", "password2": "fresh-pass-word-4"},
    )
    # then
    assert response.status_code == 302
    assert User.objects.get(pk=sales_user.pk).check_password("fresh-pass-word-4")
    assert not ApiToken.objects.filter(user=sales_user, revoked_at=None).exists()


def test_a_weak_password_is_refused_and_nothing_changes(manager_client, sales_user):
    # given
    before = account(sales_user)
    # when
    response = manager_client.post(
        reverse("admin:auth_user_password_change", args=[sales_user.pk]),
        {"password1": "123", "password2": "123"},
    )
    # then
    assert response.status_code == 200
    assert account(sales_user) == before


def test_nobody_deletes_users(manager_client, admin_user, client, sales_user):
    # when
    as_manager = manager_client.get(reverse("admin:auth_user_delete", args=[sales_user.pk]))
    client.force_login(admin_user)
    as_admin = client.get(reverse("admin:auth_user_delete", args=[sales_user.pk]))
    # then
    assert as_manager.status_code == as_admin.status_code == 403
    assert User.objects.filter(pk=sales_user.pk).exists()


def test_the_deactivate_action_skips_the_manager_and_hides_superusers(
    manager_client, manager_user, sales_user, admin_user
):
    # when
    manager_client.post(
        reverse("admin:auth_user_changelist"),
        {
            "action": "deactivate_selected",
            "_selected_action": [sales_user.pk, manager_user.pk, admin_user.pk],
        },
    )
    # then
    active = dict(User.objects.values_list("username", "is_active"))
    assert active == {"sam.sales": False, "maya.manager": True, "root": True}


def test_a_superuser_keeps_full_control(client, admin_user, sales_user):
    # given
    client.force_login(admin_user)
    data = {
        "username": sales_user.username,
        "first_name": "",
        "last_name": "",
        "email": sales_user.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [],
        "user_permissions": [],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
    }
    # when
    response = client.post(change_url(sales_user), data)
    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=sales_user.pk).is_superuser is True


def test_a_sales_rep_cannot_open_the_user_admin(client, sales_user, manager_user):
    # given
    client.force_login(sales_user)
    before = account(manager_user)
    # when
    response = client.post(change_url(manager_user), managed_form(manager_user, roles=[]))
    # then
    assert response.status_code == 403
    assert account(manager_user) == before


def test_tokens_admin_revokes_and_hides_superusers_tokens(manager_client, sales_user, admin_user):
    # given
    mine = token_create(user=sales_user).token
    theirs = token_create(user=admin_user).token
    # when
    listing = manager_client.get(reverse("admin:oms_apitoken_changelist"))
    manager_client.post(
        reverse("admin:oms_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [mine.pk, theirs.pk]},
    )
    # then
    assert mine.prefix in listing.text and theirs.prefix not in listing.text
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_sales_rep_may_not_revoke_tokens_in_the_admin(client, sales_user, warehouse_user):
    # given
    token = token_create(user=warehouse_user).token
    client.force_login(sales_user)
    # when
    response = client.post(
        reverse("admin:oms_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    # then
    assert response.status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_users_own_service_rules_hold_without_the_admin(db, sales_user):
    # given a sales rep calling the service directly
    from oms.errors import NotAllowed
    from oms.users import user_set_roles

    other = UserFactory(username="other", roles=[Role.SALES])
    # when / then
    with pytest.raises(NotAllowed):
        user_set_roles(actor=sales_user, user_id=other.pk, roles=[str(Role.MANAGER)])
    assert list(other.groups.values_list("name", flat=True)) == ["Sales"]
