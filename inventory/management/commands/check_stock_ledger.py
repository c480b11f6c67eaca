"""Prove that every bin's on-hand equals the sum of its stock movements."""

from django.core.management.base import BaseCommand, CommandError

from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_mismatches


class Command(BaseCommand):
    help = (
        "Check that on_hand of every stock row equals the sum of its ledger movements; "
        "list each mismatch and exit with status 1 when one is found."
    )

    def handle(self, *args, **options):
        mismatches = ledger_mismatches()
        if mismatches:
            for row in mismatches:
                self.stdout.write(
                    f"MISMATCH sku={row['sku']} bin={row['location']} "
                    f"on_hand={row['on_hand']} ledger={row['ledger']}"
                )
            raise CommandError(
                f"{len(mismatches)} stock row(s) disagree with the stock movement ledger."
            )
        rows = StockLevel.objects.count()
        moves = StockMovement.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {rows} stock row(s) and {moves} movement(s) checked; "
                "every on-hand equals its ledger sum."
            )
        )
