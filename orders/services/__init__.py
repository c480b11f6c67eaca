"""Every write to orders: customers, orders, payments, allocation and backorders.

A service locks the order row, checks the role and the state machine, runs the
django-fsm transition (fields only), saves, writes the timeline event and queues
side effects after commit. Locks are always taken order rows first (by pk), then
stock rows (by pk, inside inventory.services), in the one lock order of
``oms.locks``, so two services never wait on each other in a circle.
"""

from orders.services.allocation import (
    allocate_backorders,
    backorder_priority,
    order_location_allocations,
)
from orders.services.base import LineInput, StaleEdit, lock_order
from orders.services.customers import customer_create, customer_get_or_create, customer_update
from orders.services.drop_ship import order_line_drop_shipped
from orders.services.editing import editable_fields, order_update
from orders.services.follow_ups import follow_up_days, send_follow_ups
from orders.services.orders import (
    order_cancel,
    order_confirm,
    order_create,
    order_hold,
    order_place,
    order_release,
)
from orders.services.warehouse import (
    Shortfall,
    Units,
    order_delivered,
    order_replacement_create,
    order_return_news,
    order_start_processing,
    order_timeline_add,
    order_units_missing,
    order_units_returned,
    order_units_shipped,
)

__all__ = [
    "LineInput",
    "Shortfall",
    "StaleEdit",
    "Units",
    "allocate_backorders",
    "backorder_priority",
    "customer_create",
    "customer_get_or_create",
    "customer_update",
    "editable_fields",
    "follow_up_days",
    "lock_order",
    "order_cancel",
    "order_confirm",
    "order_create",
    "order_delivered",
    "order_hold",
    "order_line_drop_shipped",
    "order_location_allocations",
    "order_place",
    "order_release",
    "order_replacement_create",
    "order_return_news",
    "order_start_processing",
    "order_timeline_add",
    "order_units_missing",
    "order_units_returned",
    "order_units_shipped",
    "order_update",
    "send_follow_ups",
]
