"""Every write to inventory: products, warehouses, bins and stock.

Stock rules (SPEC section 4): on_hand and allocated never go negative,
allocated never exceeds on_hand, and every change of on_hand is a
StockMovement row. Stock rows are locked with SELECT ... FOR UPDATE in
ascending primary-key order, all a service needs in one statement, in the
one lock order of ``oms.locks``, so two transactions never wait on each other
in a circle; on SQLite, IMMEDIATE transactions serialise writers instead.
The database CHECK constraints are the last line of defence.
"""

from inventory.services.allocation import (
    Allocation,
    allocated_total,
    stock_allocate,
    stock_allocate_many,
    stock_consume,
    stock_lock_products,
    stock_release,
    stock_release_many,
    stock_short_pick,
)
from inventory.services.base import (
    Kind,
    announce_available,
)
from inventory.services.catalogue import (
    LOCATION_FIELDS,
    PRODUCT_FIELDS,
    location_check_update,
    location_create,
    location_update,
    product_create,
    product_deactivate,
    product_update,
    supplier_create,
    warehouse_create,
)
from inventory.services.count_scans import count_finish, count_scan, count_undo, count_zero
from inventory.services.counts import (
    CountLine,
    approval_limits,
    count_adjustment_approve,
    count_adjustment_reject,
    count_needs_approval,
    stock_count,
    stock_count_bin,
)
from inventory.services.purchase_receipts import (
    purchase_order_receipt_undo,
    purchase_order_receive,
)
from inventory.services.purchase_requests import (
    PurchaseRequest,
    purchase_order_lock_suppliers,
    purchase_order_request,
)
from inventory.services.purchasing import (
    lock_purchase_order,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_drop_ship,
    purchase_order_drop_shipped,
    purchase_order_send,
)
from inventory.services.receive_scans import receive_scan, receive_undo
from inventory.services.returns import (
    check_restock_bin,
    stock_return_receipt_undo,
    stock_return_receive,
    stock_return_restock,
    stock_return_restock_undo,
    stock_return_scrap,
    warehouse_returns_bin,
)
from inventory.services.stock import (
    receipt_undo_reason,
    stock_adjust,
    stock_receipt_undo,
    stock_receive,
    stock_transfer,
)

__all__ = [
    "LOCATION_FIELDS",
    "PRODUCT_FIELDS",
    "Allocation",
    "CountLine",
    "Kind",
    "PurchaseRequest",
    "allocated_total",
    "announce_available",
    "approval_limits",
    "check_restock_bin",
    "count_adjustment_approve",
    "count_adjustment_reject",
    "count_finish",
    "count_needs_approval",
    "count_scan",
    "count_undo",
    "count_zero",
    "location_check_update",
    "location_create",
    "location_update",
    "lock_purchase_order",
    "product_create",
    "product_deactivate",
    "product_update",
    "purchase_order_cancel",
    "purchase_order_create",
    "purchase_order_drop_ship",
    "purchase_order_drop_shipped",
    "purchase_order_lock_suppliers",
    "purchase_order_receipt_undo",
    "purchase_order_receive",
    "purchase_order_request",
    "purchase_order_send",
    "receipt_undo_reason",
    "receive_scan",
    "receive_undo",
    "stock_adjust",
    "stock_allocate",
    "stock_allocate_many",
    "stock_consume",
    "stock_count",
    "stock_count_bin",
    "stock_lock_products",
    "stock_receipt_undo",
    "stock_receive",
    "stock_release",
    "stock_release_many",
    "stock_return_receipt_undo",
    "stock_return_receive",
    "stock_return_restock",
    "stock_return_restock_undo",
    "stock_return_scrap",
    "stock_short_pick",
    "stock_transfer",
    "supplier_create",
    "warehouse_create",
    "warehouse_returns_bin",
]
