"""The warehouse floor's addresses under /api/v1/: shipments, waves, carriers, scans, tracking.

``router`` holds the viewsets; ``oms/api_urls.py`` serves every app's
viewsets under one API root. ``urlpatterns`` holds the other views.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from fulfillment.apis import (
    CarrierViewSet,
    PackScanView,
    PickScanView,
    ShipmentViewSet,
    WaveViewSet,
)
from fulfillment.tracking_api import TrackingView

router = SimpleRouter()
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("waves", WaveViewSet, basename="wave")
router.register("carriers", CarrierViewSet, basename="carrier")

urlpatterns = [
    path("scans/pick/", PickScanView.as_view(), name="api-scan-pick"),
    path("scans/pack/", PackScanView.as_view(), name="api-scan-pack"),
    path("tracking/", TrackingView.as_view(), name="api-tracking"),
]
