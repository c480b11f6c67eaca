"""Returns and refunds under /api/v1/ (SPEC 7).

``router`` holds the viewsets; ``oms/api_urls.py`` serves every app's
viewsets under one API root.
"""

from rest_framework.routers import SimpleRouter

from returns.apis import RefundViewSet, ReturnViewSet

router = SimpleRouter()
router.register("returns", ReturnViewSet, basename="return")
router.register("refunds", RefundViewSet, basename="refund")

urlpatterns: list = []
