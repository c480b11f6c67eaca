from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "fulfillment"

    def ready(self) -> None:
        from fulfillment import jobs  # noqa: F401  (registers the print jobs)
        from fulfillment.hooks import HOOKS
        from fulfillment.notifications import register_emails
        from fulfillment.resources.exports import register_exports
        from orders.hooks import register

        register(HOOKS)
        register_emails()
        register_exports()
