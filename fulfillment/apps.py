from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "fulfillment"

    def ready(self) -> None:
        from fulfillment import jobs  # noqa: F401  (registers the print jobs)
        from fulfillment.receivers import on_order_cancelled, on_order_readdressed
        from orders.signals import order_cancelled, order_readdressed

        order_cancelled.connect(on_order_cancelled, dispatch_uid="fulfillment.order_cancelled")
        order_readdressed.connect(
            on_order_readdressed, dispatch_uid="fulfillment.order_readdressed"
        )
