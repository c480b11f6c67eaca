from django.core.management.base import BaseCommand, CommandError

from oms.errors import DomainError
from orders import services


class Command(BaseCommand):
    help = (
        "Email a feedback request for every order delivered N days ago or more (setting "
        "OMS_FOLLOW_UP_DAYS, default 7) and complete those orders. Safe to run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Days after delivery.")

    def handle(self, *args, days=None, **options):
        try:
            orders = services.send_follow_ups(days=days)
        except DomainError as error:
            raise CommandError(error.message) from error
        for order in orders:
            self.stdout.write(f"{order.number}: follow-up sent, order completed")
        self.stdout.write(self.style.SUCCESS(f"{len(orders)} order(s) followed up."))
