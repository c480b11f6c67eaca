from django.core.management.base import BaseCommand

from oms.jobs import jobs_expire


class Command(BaseCommand):
    help = (
        "Remove the files of expired background jobs and fail jobs a stopped worker left running."
    )

    def handle(self, *args, **options):
        expired, failed = jobs_expire()
        self.stdout.write(f"{expired} expired job file(s) removed, {failed} stuck job(s) failed.")
