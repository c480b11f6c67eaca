from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "fulfillment"

    def ready(self) -> None:
        from fulfillment import jobs  # noqa: F401  (registers the print jobs)
        from fulfillment.receivers import on_order_cancelled
        from orders.signals import order_cancelled

        order_cancelled.connect(on_order_cancelled, dispatch_uid="fulfillment.order_cancelled")
