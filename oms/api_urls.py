from django.urls import include, path
from rest_framework.routers import DefaultRouter

from fulfillment import apis as fulfillment_apis
from inventory import apis as inventory_apis
from oms.auth_api import TokenView
from oms.ping_api import PingView
from orders import apis as orders_apis

router = DefaultRouter()
inventory_apis.register(router)
orders_apis.register(router)
fulfillment_apis.register(router)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("ping/", PingView.as_view(), name="api-ping"),
    *inventory_apis.urlpatterns,
    *orders_apis.urlpatterns,
    *fulfillment_apis.urlpatterns(),
    path("", include(router.urls)),
]
