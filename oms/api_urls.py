from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
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


@csrf_exempt
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Answer any other address under the API with the API's own 404 JSON."""
    return JsonResponse(
        {"detail": "There is nothing at this address.", "code": "not_found"}, status=404
    )


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("ping/", PingView.as_view(), name="api-ping"),
    *inventory_apis.urlpatterns,
    *orders_apis.urlpatterns,
    *fulfillment_apis.urlpatterns(),
    path("", include(router.urls)),
    # Last: an unknown address ending in a slash (an id that cannot be one, such as
    # orders/1.5/) answers JSON too. Without the slash, APPEND_SLASH redirects here first.
    re_path(r"^[\s\S]*/$", not_found),  # [\s\S]: an id may hold any character, a newline too
]
