from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from inventory.signals import stock_became_available
        from orders.notifications import register_order_emails
        from orders.resources import imports  # noqa: F401  (registers the marketplace import)
        from orders.resources.exports import register_exports
        from orders.tasks import on_stock_available

        stock_became_available.connect(on_stock_available, dispatch_uid="orders.backorders")
        register_order_emails()
        register_exports()

        from oms.accounting import register_source
        from orders.services.invoices import invoice_documents

        register_source("invoice", invoice_documents)
