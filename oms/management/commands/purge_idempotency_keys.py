"""Delete API idempotency keys older than 24 hours (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from oms.idempotency import purge_expired_keys


class Command(BaseCommand):
    help = "Delete API idempotency keys older than 24 hours; their keys may then be reused."

    def handle(self, *args, **options):
        deleted = purge_expired_keys()
        self.stdout.write(f"Deleted {deleted} expired idempotency key(s).")
