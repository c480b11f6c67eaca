"""The roles, their Django groups and what each may do.

Three staff roles work in the pages (and the API); two integration roles
are machine accounts that only use the API with a token: a carrier that
posts tracking updates, and a web shop that creates and reads its orders.

Groups are created by a data migration and kept in step with this table
after every ``migrate`` (apps added later bring new permissions; the
post_migrate hook grants them without another hand-written migration).
Permissions named here that do not exist yet are skipped by the data
migration and logged after ``migrate``; the test suite refuses any name
that does not exist.
"""

from __future__ import annotations

import logging

from django.db import models

logger = logging.getLogger(__name__)


class Role(models.TextChoices):
    SALES = "Sales", "Sales rep"
    WAREHOUSE = "Warehouse", "Warehouse staff"
    MANAGER = "Manager", "Manager"
    CARRIER = "Carrier integration", "Carrier integration (API: tracking updates only)"
    WEB_SHOP = "Web shop integration", "Web shop integration (API: create and read orders)"


# People who work in the pages; they get ``is_staff`` and see the staff pages.
STAFF_ROLES = (Role.SALES, Role.WAREHOUSE, Role.MANAGER)
# Machine accounts: the API with a token, never the pages or the admin.
INTEGRATION_ROLES = (Role.CARRIER, Role.WEB_SHOP)


_INVENTORY_READ = [
    "inventory.view_product",
    "inventory.view_supplier",
    "inventory.view_warehouse",
    "inventory.view_location",
    "inventory.view_stocklevel",
]

_ORDERS_READ = [
    "orders.view_order",
    "orders.view_customer",
    "orders.view_address",
    "orders.view_payment",
    "orders.view_orderevent",
]

_ORDERS_SELL = [
    *_ORDERS_READ,
    "orders.add_order",
    "orders.change_order",
    "orders.confirm_order",
    "orders.cancel_order",
    "orders.hold_order",
    "orders.add_customer",
    "orders.change_customer",
    "orders.add_address",
    "orders.add_payment",
]

# Seeing purchase orders and booking their goods in (and a supplier's drop-ship shipment).
_PURCHASING_RECEIVE = [
    "inventory.view_purchaseorder",
    "inventory.receive_purchaseorder",
]

# Picking, packing and shipping, and carriers' tracking news.
_FULFILLMENT = [
    "fulfillment.view_shipment",
    "fulfillment.add_shipment",
    "fulfillment.pick_shipment",
    "fulfillment.pack_shipment",
    "fulfillment.ship_shipment",
    "fulfillment.cancel_shipment",
    "fulfillment.update_tracking",
    "fulfillment.view_wave",
    "fulfillment.add_wave",
    "fulfillment.view_carrier",
    "fulfillment.view_shippingmethod",
    "fulfillment.view_packagetype",
    "fulfillment.view_scanevent",
]

_RETURNS_READ = [
    "returns.view_return",
    "returns.view_returnreason",
]

# Opening, authorizing and closing returns; asking for refunds.
_RETURNS_DESK = [
    *_RETURNS_READ,
    "returns.add_return",
    "returns.authorize_return",
    "returns.view_refund",
    "returns.add_refund",
    "returns.view_creditnote",
]

# Receiving returned goods on the returns bench and deciding what becomes of them.
_RETURNS_BENCH = [
    *_RETURNS_READ,
    "returns.receive_return",
    "returns.view_returnscan",
]

# Keeping the carriers, their shipping services and the package types.
_FULFILLMENT_CONFIGURE = [
    "fulfillment.add_carrier",
    "fulfillment.change_carrier",
    "fulfillment.add_shippingmethod",
    "fulfillment.change_shippingmethod",
    "fulfillment.add_packagetype",
    "fulfillment.change_packagetype",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES: [
        *_INVENTORY_READ,
        "inventory.view_purchaseorder",
        *_ORDERS_SELL,
        *_RETURNS_DESK,
        # Shipments read-only ("where is my order?"), and the services they sell.
        "fulfillment.view_shipment",
        "fulfillment.view_carrier",
        "fulfillment.view_shippingmethod",
    ],
    Role.WAREHOUSE: [
        *_INVENTORY_READ,
        *_ORDERS_READ,
        "inventory.view_stockmovement",
        "inventory.receive_stock",
        "inventory.count_stock",
        "inventory.view_countadjustment",
        "inventory.transfer_stock",
        "inventory.add_location",
        "inventory.change_location",
        *_PURCHASING_RECEIVE,
        *_FULFILLMENT,
        *_RETURNS_BENCH,
    ],
    Role.MANAGER: [
        *_INVENTORY_READ,
        *_ORDERS_SELL,
        "inventory.view_stockmovement",
        "inventory.add_product",
        "inventory.change_product",
        "inventory.add_supplier",
        "inventory.change_supplier",
        "inventory.add_warehouse",
        "inventory.change_warehouse",
        "inventory.add_location",
        "inventory.change_location",
        "inventory.receive_stock",
        "inventory.count_stock",
        "inventory.adjust_stock",
        "inventory.view_countadjustment",
        "inventory.approve_countadjustment",
        "inventory.transfer_stock",
        *_PURCHASING_RECEIVE,
        "inventory.add_purchaseorder",
        "inventory.change_purchaseorder",
        "inventory.send_purchaseorder",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        *_FULFILLMENT,
        "orders.import_order",
        *_FULFILLMENT_CONFIGURE,
        "oms.view_outboundemail",
        "oms.resend_outboundemail",
        "oms.cancel_outboundemail",
        "oms.view_apitoken",
        "oms.revoke_apitoken",
        "oms.view_taxclass",
        "oms.add_taxclass",
        "oms.change_taxclass",
        "oms.view_taxrate",
        "oms.add_taxrate",
        "oms.change_taxrate",
        *_RETURNS_DESK,
        *_RETURNS_BENCH,
        "returns.authorize_late_return",
        "returns.approve_refund",
        "returns.pay_refund",
        "returns.goodwill_refund",
        "returns.add_returnreason",
        "returns.change_returnreason",
        "oms.view_accountingbatch",
        "oms.export_accounting",
        "orders.view_invoice",
    ],
    # A carrier's system posts tracking news and nothing else: it reads no shipment.
    Role.CARRIER: [
        "fulfillment.update_tracking",
    ],
    # A web shop creates orders (finding or adding their customer by email), reads
    # the orders it created, and reads the catalogue and stock to show availability.
    Role.WEB_SHOP: [
        "orders.add_order",
        "orders.view_order",
        "orders.add_customer",
        "inventory.view_product",
        "inventory.view_stocklevel",
        # The shipping services an order may name, with their prices.
        "fulfillment.view_carrier",
        "fulfillment.view_shippingmethod",
    ],
}


def sync_roles(apps=None, *, using: str = "default") -> set[str]:
    """Create the role groups and give each exactly the permissions in the table.

    Return the permission names of the table that do not exist (and were skipped).
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {}
    for perm in (
        Permission.objects.using(using)
        .select_related("content_type")
        .filter(codename__in={name.split(".", 1)[1] for name in wanted})
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=str(role))
        group.permissions.set([by_name[name] for name in names if name in by_name])
    return wanted - set(by_name)


def sync_roles_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """Keep groups in step with ROLE_PERMISSIONS once the last app has migrated.

    post_migrate is sent only for apps with a models module, and ``flush``
    (run after every transactional test) sends it without ``apps``; both
    cases must still recreate the groups.
    """
    from django.apps import apps as global_apps

    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if app_config is None or not with_models or app_config.label != with_models[-1].label:
        return
    if apps is None:
        apps = global_apps
    try:
        apps.get_model("auth", "Group")
        apps.get_model("auth", "Permission")
    except LookupError:
        return
    missing = sync_roles(apps, using=using)
    if missing:
        logger.warning("ROLE_PERMISSIONS names unknown permissions: %s", ", ".join(sorted(missing)))


def user_roles(user) -> set[str]:
    """Return the role names a user holds (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_oms_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {str(role) for role in STAFF_ROLES}
        user._oms_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """Tell whether the user holds any of the roles (superusers hold every staff role)."""
    return bool(user_roles(user) & {str(role) for role in roles})
