"""Expire authorized returns whose window ended with nothing arrived (run daily from cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from returns.services import returns_expire


class Command(BaseCommand):
    help = (
        "Expire authorized returns whose return window ended before today with nothing "
        "arrived; their units may be returned again. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="Count the window as of this day (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("Give --today as a date such as 2025-03-31.") from None
        expired = returns_expire(today=today)
        if expired:
            self.stdout.write(f"{len(expired)} return(s) expired: {', '.join(expired)}.")
        else:
            self.stdout.write("No return to expire.")
