from django.core.management.base import BaseCommand

from fulfillment.demo import load_fulfillment_demo


class Command(BaseCommand):
    help = "Create demo carriers (a local courier, Royal Post, DPD), services and boxes, once."

    def handle(self, *args, **options):
        created = load_fulfillment_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Fulfillment demo: {created['carriers']} carrier(s), {created['methods']} "
                f"service(s), {created['packages']} package type(s) created."
            )
        )
