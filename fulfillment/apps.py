from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "fulfillment"

    def ready(self) -> None:
        from fulfillment import jobs  # noqa: F401  (registers the print jobs)
        from fulfillment.hooks import HOOKS, offered_shipping
        from fulfillment.notifications import register_emails
        from fulfillment.resources.exports import register_exports
        from orders.hooks import register
        from orders.shipping import register_provider

        register(HOOKS)
        register_provider(offered_shipping)
        register_emails()
        register_exports()
