from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OmsConfig(AppConfig):
    name = "oms"
    verbose_name = "OMS"

    def ready(self) -> None:
        from oms.roles import sync_roles_after_migrate
        from oms.tax_seed import seed_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="oms.sync_roles")
        post_migrate.connect(seed_after_migrate, dispatch_uid="oms.seed_tax_rates")
