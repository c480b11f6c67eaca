from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from inventory import selectors as inventory_selectors
from oms.access import signed_in_view
from oms.outbox import selectors as outbox_selectors
from oms.roles import Role, has_role
from returns import selectors as returns_selectors


@signed_in_view()
def home(request):
    """Show each role where its day starts: shortcuts and what needs attention."""
    if has_role(request.user, Role.MANAGER):
        from oms.dashboard import dashboard_context

        return render(request, "oms/dashboard.html", dashboard_context(request))
    context = {}
    if has_role(request.user, Role.MANAGER, Role.WAREHOUSE, Role.SALES):
        low_stock = inventory_selectors.low_stock_products().order_by("total_available", "sku")
        context["low_stock"] = low_stock[:10]
        context["low_stock_count"] = low_stock.count()
    if has_role(request.user, Role.MANAGER, Role.WAREHOUSE):
        context["recent_movements"] = inventory_selectors.movements()[:10]
    if request.user.has_perm("returns.authorize_return"):
        context["return_requests"] = returns_selectors.requests_waiting()
    if request.user.has_perm("oms.view_outboundemail"):
        context["emails"] = outbox_selectors.attention_counts()
    return render(request, "home.html", context)


def healthz(request):
    """Answer 200 when the app can reach its database (for load balancers)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Send browsers that ask for /favicon.ico (the admin, a PDF, the API) to the site's icon."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
