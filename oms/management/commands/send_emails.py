"""Send the outbox's due emails: for cron, and to catch up after the mail server was away."""

from django.core.management.base import BaseCommand

from oms.outbox.sending import DEFAULT_BATCH, send_due_emails


class Command(BaseCommand):
    help = (
        "Send every email in the outbox that is due (queued, or retrying and its time has come), "
        "each under a row lock so that several runs and workers never send one twice. Safe to "
        "run every minute from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_BATCH,
            help=f"Send at most this many emails in this run (default {DEFAULT_BATCH}).",
        )

    def handle(self, *args, limit=DEFAULT_BATCH, **options):
        outcomes = send_due_emails(limit=max(0, min(limit, 100_000)))
        sent, retrying, failed = (outcomes[name] for name in ("sent", "retrying", "failed"))
        summary = f"{sent} sent, {retrying} to retry, {failed} failed."
        self.stdout.write(self.style.SUCCESS(summary) if not (retrying or failed) else summary)
