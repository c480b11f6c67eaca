from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from oms import dashboard, views
from oms.access import staff_view
from oms.api import HoldsARole
from oms.login_guard import StaffAuthenticationForm
from returns.track import track_return_request

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/<slug:name>.csv", dashboard.dashboard_table, name="dashboard_table"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=StaffAuthenticationForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inventory/", include("inventory.urls")),
    path("orders/", include("orders.urls")),
    # Asking for a return from the status page (returns), before the page's own addresses.
    path("track/<str:token>/return/", track_return_request, name="track_return_request"),
    path("track/", include("orders.track_urls")),
    path("fulfillment/", include("fulfillment.urls")),
    path("returns/", include("returns.urls")),
    path("jobs/", include("oms.job_urls")),
    path("imports/", include("oms.import_urls")),
    path("exports/", include("oms.export_urls")),
    path("accounting/", include("oms.accounting_urls")),
    path("emails/", include("oms.outbox.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("oms.api_urls")),
    # The schema is for anyone with a role (integrations fetch it with their token);
    # the interactive docs are a staff page.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[HoldsARole]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        staff_view()(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

admin.site.site_header = "OMS administration"
admin.site.site_title = "OMS admin"
