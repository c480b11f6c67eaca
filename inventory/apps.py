from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"

    def ready(self) -> None:
        from inventory import jobs  # noqa: F401  (registers the label print jobs)
        from inventory.resources import imports  # noqa: F401  (registers the managers' imports)
        from inventory.resources.exports import register_exports

        register_exports()
