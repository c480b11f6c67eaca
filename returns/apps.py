from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"

    def ready(self) -> None:
        from orders.hooks import register
        from returns.hooks import HOOKS
        from returns.notifications import register_emails

        register(HOOKS)
        register_emails()
