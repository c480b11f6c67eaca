"""Roles: the three groups, what each may do, and that they survive a flushed database."""

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.core.management import call_command

from oms.roles import (
    ROLE_PERMISSIONS,
    Role,
    has_role,
    sync_roles,
    sync_roles_after_migrate,
    user_roles,
)
from tests.factories import UserFactory


def group_perms(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def existing(names) -> set[str]:
    """Keep the permission names that exist in this database."""
    present = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    return set(names) & present


def test_every_role_has_a_group_with_exactly_its_permissions(db):
    # given a freshly migrated database
    # when
    groups = {role: group_perms(str(role)) for role in Role}
    # then
    for role, names in ROLE_PERMISSIONS.items():
        assert groups[role] == existing(names)
        assert groups[role], f"{role} has no permissions at all"


def test_the_inventory_permissions_named_in_the_table_all_exist(db):
    # given
    wanted = {name for names in ROLE_PERMISSIONS.values() for name in names}
    # when
    missing = {name for name in wanted if name.startswith("inventory.")} - existing(wanted)
    # then
    assert missing == set()


@pytest.mark.parametrize(
    ("role", "perm", "granted"),
    [
        (Role.SALES, "inventory.view_product", True),
        (Role.SALES, "inventory.receive_stock", False),
        (Role.SALES, "inventory.count_stock", False),
        (Role.SALES, "inventory.add_product", False),
        (Role.WAREHOUSE, "inventory.receive_stock", True),
        (Role.WAREHOUSE, "inventory.count_stock", True),
        (Role.WAREHOUSE, "inventory.transfer_stock", True),
        (Role.WAREHOUSE, "inventory.adjust_stock", False),
        (Role.WAREHOUSE, "inventory.add_product", False),
        (Role.MANAGER, "inventory.adjust_stock", True),
        (Role.MANAGER, "inventory.add_product", True),
        (Role.MANAGER, "auth.add_user", True),
    ],
)
def test_a_user_gets_what_the_role_allows(db, role, perm, granted):
    # given
    user = UserFactory(roles=[role])
    # when
    allowed = user.has_perm(perm)
    # then
    assert allowed is granted


def test_sync_roles_puts_hand_made_changes_right(db):
    # given someone gave Sales the right to receive and took away its product view
    sales = Group.objects.get(name="Sales")
    sales.permissions.add(Permission.objects.get(codename="receive_stock"))
    sales.permissions.remove(Permission.objects.get(codename="view_product"))
    # when
    sync_roles()
    # then
    assert group_perms("Sales") == existing(ROLE_PERMISSIONS[Role.SALES])


def test_sync_roles_recreates_a_deleted_group_and_is_idempotent(db):
    # given
    Group.objects.filter(name="Warehouse").delete()
    # when
    sync_roles()
    sync_roles()
    # then
    assert Group.objects.filter(name="Warehouse").count() == 1
    assert group_perms("Warehouse") == existing(ROLE_PERMISSIONS[Role.WAREHOUSE])


def test_the_hook_waits_for_the_last_app_with_models(db):
    # given the groups are gone
    Group.objects.all().delete()
    with_models = [c for c in global_apps.get_app_configs() if c.models_module]
    # when an earlier app finishes migrating
    sync_roles_after_migrate(sender=with_models[0], app_config=with_models[0], apps=global_apps)
    # then nothing yet
    assert not Group.objects.exists()
    # when the last one does, even without a migration state
    sync_roles_after_migrate(sender=with_models[-1], app_config=with_models[-1])
    # then
    assert set(Group.objects.values_list("name", flat=True)) == {str(role) for role in Role}


@pytest.mark.django_db(transaction=True)
def test_groups_come_back_after_the_database_is_flushed():
    # given a flush, as after every transactional test
    call_command("flush", interactive=False, verbosity=0)
    # when
    user = UserFactory(username="after.flush", roles=[Role.WAREHOUSE])
    # then
    assert group_perms("Warehouse") == existing(ROLE_PERMISSIONS[Role.WAREHOUSE])
    assert user.has_perm("inventory.receive_stock")


def test_user_roles_of_a_user_with_groups(db):
    # given
    user = UserFactory(roles=[Role.SALES, Role.WAREHOUSE])
    # when
    roles = user_roles(user)
    # then
    assert roles == {"Sales", "Warehouse"}
    assert has_role(user, Role.WAREHOUSE)
    assert has_role(user, Role.MANAGER, Role.SALES)
    assert not has_role(user, Role.MANAGER)


def test_a_superuser_holds_every_role(admin_user):
    # given
    # when
    roles = user_roles(admin_user)
    # then
    assert roles == {"Sales", "Warehouse", "Manager"}


def test_an_anonymous_visitor_holds_no_role(db):
    # given
    visitor = AnonymousUser()
    # when
    roles = user_roles(visitor)
    # then
    assert roles == set()
    assert not has_role(visitor, Role.SALES)
