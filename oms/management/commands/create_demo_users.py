"""Create one demo login per role, for trying the OMS out."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from oms.roles import Role

DEFAULT_PASSWORD = "oms-demo"

# username, first name, last name, role (None: superuser)
DEMO_USERS = [
    ("sales", "Sam", "Seller", Role.SALES),
    ("warehouse", "Wes", "Picker", Role.WAREHOUSE),
    ("manager", "Mia", "Manager", Role.MANAGER),
    ("admin", "Ada", "Admin", None),
]


@transaction.atomic
def create_demo_users(*, password: str = DEFAULT_PASSWORD) -> list[dict]:
    """Create the demo users that are missing; leave existing accounts exactly as they are.

    Return one row per demo user: username, role, whether it was created.
    """
    user_model = get_user_model()
    rows = []
    for username, first_name, last_name, role in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        created = user is None
        if created:
            user = user_model(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@oms.example.com",
                is_staff=True,
                is_superuser=role is None,
            )
            user.set_password(password)
            user.save()
            if role is not None:
                group, _ = Group.objects.get_or_create(name=str(role))
                user.groups.add(group)
        rows.append(
            {
                "username": username,
                "role": role.label if role is not None else "Administrator (superuser)",
                "created": created,
            }
        )
    return rows


class Command(BaseCommand):
    help = (
        "Create the demo logins sales, warehouse, manager (one per role) and admin "
        "(superuser). Existing accounts are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password for the users created now (default {DEFAULT_PASSWORD!r}).",
        )

    def handle(self, *args, **options):
        password = options["password"]
        if not password or len(password) < 6:
            raise CommandError("Give a demo password of at least 6 characters.")
        rows = create_demo_users(password=password)
        width = max(len(row["username"]) for row in rows)
        self.stdout.write(f"{'login':<{width}}  {'password':<16}  role")
        for row in rows:
            shown = password if row["created"] else "(unchanged)"
            self.stdout.write(f"{row['username']:<{width}}  {shown:<16}  {row['role']}")
        made = sum(row["created"] for row in rows)
        self.stdout.write(
            self.style.SUCCESS(f"{made} demo user(s) created, {len(rows) - made} already there.")
        )
        if made:
            self.stdout.write(
                self.style.WARNING("These are demo logins: remove them before going live.")
            )
