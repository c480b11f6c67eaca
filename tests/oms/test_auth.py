from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.roles import Role
from tests.factories import UserFactory


def test_group_and_own_permissions_load_in_one_query(db):
    # given a warehouse user who also has one permission of their own
    user = UserFactory(roles=[Role.WAREHOUSE])
    user.user_permissions.add(Permission.objects.get(codename="adjust_stock"))
    user = type(user).objects.get(pk=user.pk)
    # when
    with CaptureQueriesContext(connection) as queries:
        can_receive = user.has_perm("inventory.receive_stock")
        can_adjust = user.has_perm("inventory.adjust_stock")
        can_sell = user.has_perm("orders.confirm_order")
    # then
    assert (can_receive, can_adjust, can_sell) == (True, True, False)
    assert len(queries) == 1


def test_inactive_users_have_no_permissions(db):
    # given
    user = UserFactory(roles=[Role.MANAGER], is_active=False)
    # then
    assert not user.has_perm("inventory.receive_stock")
    assert user.get_all_permissions() == set()
