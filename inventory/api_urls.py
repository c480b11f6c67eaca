"""Inventory's addresses under /api/v1/: products, warehouses, bins, stock, the ledger,
purchase orders and counts waiting for approval.

``router`` holds the viewsets; ``oms/api_urls.py`` serves every app's
viewsets under one API root. ``urlpatterns`` holds the views a router does
not make (none yet).
"""

from rest_framework.routers import SimpleRouter

from inventory.apis.catalogue import LocationViewSet, ProductViewSet, WarehouseViewSet
from inventory.apis.counts import CountAdjustmentViewSet
from inventory.apis.purchasing import PurchaseOrderViewSet
from inventory.apis.stock import MovementViewSet, StockViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("locations", LocationViewSet, basename="location")
router.register("stock", StockViewSet, basename="stock")
router.register("movements", MovementViewSet, basename="movement")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("count-adjustments", CountAdjustmentViewSet, basename="count-adjustment")

urlpatterns = []
