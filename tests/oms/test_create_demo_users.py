"""``manage.py create_demo_users``: one login per role and an admin, kept when run again."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client


def test_demo_users_have_their_roles_and_can_log_in(db):
    # when
    out = StringIO()
    call_command("create_demo_users", stdout=out)

    # then
    user_model = get_user_model()
    expected = {"sales": "Sales", "warehouse": "Warehouse", "manager": "Manager"}
    for username, group in expected.items():
        user = user_model.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.is_staff and not user.is_superuser
        assert Client().login(username=username, password="oms-demo")
    admin = user_model.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert Client().login(username="admin", password="oms-demo")
    assert "4 demo user(s) created" in out.getvalue()
    assert Group.objects.get(name="Manager").permissions.filter(codename="add_product").exists()


def test_running_create_demo_users_again_keeps_existing_users(db):
    # given
    call_command("create_demo_users", stdout=StringIO())
    sales = get_user_model().objects.get(username="sales")
    sales.set_password("changed-by-sam")
    sales.save()

    # when
    out = StringIO()
    call_command("create_demo_users", "--password", "another-one", stdout=out)

    # then
    assert get_user_model().objects.filter(username__in=["sales", "admin"]).count() == 2
    assert get_user_model().objects.count() == 4
    assert Client().login(username="sales", password="changed-by-sam")
    assert Client().login(username="manager", password="oms-demo")
    assert "0 demo user(s) created, 4 already there" in out.getvalue()


def test_a_too_short_demo_password_is_refused_and_creates_nobody(db):
    # when
    with pytest.raises(CommandError, match="at least 6 characters"):
        call_command("create_demo_users", "--password", "abc", stdout=StringIO())

    # then
    assert get_user_model().objects.count() == 0
