"""Orders' addresses under /api/v1/: orders, customers, and a drop-ship supplier's shipment.

``router`` holds the viewsets; ``oms/api_urls.py`` serves every app's
viewsets under one API root. ``urlpatterns`` holds the rest:
``purchase-orders/<id>/drop-shipped/`` is an action on inventory's purchase
orders (listed under inventory's entry of the API root), so it has a router
of its own, with the same ``.json`` suffixes the API root's router adds.
"""

from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from orders.apis import CustomerViewSet, OrderViewSet
from orders.drop_ship_apis import PurchaseOrderDropShipViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("customers", CustomerViewSet, basename="customer")

drop_ship_router = SimpleRouter()
drop_ship_router.register(
    "purchase-orders", PurchaseOrderDropShipViewSet, basename="purchase-order"
)

urlpatterns = format_suffix_patterns(drop_ship_router.urls)
