from django.core.management.base import BaseCommand

from orders.services.invoices import invoices_issue_due


class Command(BaseCommand):
    help = (
        "Issue the invoices of orders shipped in full that have none (orders loaded as "
        "history), each dated when its order shipped. Running it again issues nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="Orders per round.")

    def handle(self, *args, batch=2000, **options):
        total = 0
        while True:
            issued = invoices_issue_due(limit=max(batch, 1))
            total += issued
            if issued < max(batch, 1):
                break
        self.stdout.write(self.style.SUCCESS(f"{total} invoice(s) issued."))
