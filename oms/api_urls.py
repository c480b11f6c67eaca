"""The API under /api/v1/: every app's addresses (its ``api_urls.py``), the token and the ping.

Each app's ``router`` is gathered into one ``DefaultRouter``, which adds the
API root (``/api/v1/``, listing every app's resources) and the ``.json``
suffixes; each app's other views come from its ``urlpatterns``. This is a
project module: nothing imports it.
"""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import DefaultRouter

from fulfillment import api_urls as fulfillment_api
from inventory import api_urls as inventory_api
from oms.auth_api import TokenView
from oms.ping_api import PingView
from orders import api_urls as orders_api
from returns import api_urls as returns_api

APPS = (inventory_api, orders_api, fulfillment_api, returns_api)

router = DefaultRouter()
for app in APPS:
    router.registry.extend(app.router.registry)


@csrf_exempt
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Answer any other address under the API with the API's own 404 JSON."""
    return JsonResponse(
        {"detail": "There is nothing at this address.", "code": "not_found"}, status=404
    )


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("ping/", PingView.as_view(), name="api-ping"),
    *(pattern for app in APPS for pattern in app.urlpatterns),
    path("", include(router.urls)),
    # Last: an unknown address ending in a slash (an id that cannot be one, such as
    # orders/1.5/) answers JSON too. Without the slash, APPEND_SLASH redirects here first.
    re_path(r"^[\s\S]*/$", not_found),  # any character, a newline too, may stand in an id
]
