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
from orders.services.orders import (
    order_cancel,
    order_confirm,
    order_create,
    order_hold,
    order_place,
    order_release,
)

__all__ = [
    "LineInput",
    "StaleEdit",
    "allocate_backorders",
    "backorder_priority",
    "customer_create",
    "customer_get_or_create",
    "customer_update",
    "editable_fields",
    "lock_order",
    "order_cancel",
    "order_confirm",
    "order_create",
    "order_hold",
    "order_line_drop_shipped",
    "order_location_allocations",
    "order_place",
    "order_release",
    "order_update",
]
