from django.urls import path

from fulfillment import views

app_name = "fulfillment"

urlpatterns = [
    path("", views.wave_list, name="wave_list"),
    path("shipments/ready/", views.shipments_ready, name="shipments_ready"),
    path("waves/build/", views.wave_build, name="wave_build"),
    path("waves/<int:pk>/", views.wave_detail, name="wave_detail"),
    path("waves/<int:pk>/pick/", views.pick, name="pick"),
    path("waves/<int:pk>/pick/scan/", views.pick_scan, name="pick_scan"),
    path("pack/", views.pack, name="pack"),
    path("pack/scan/", views.pack_scan, name="pack_scan"),
    path("pack/close/", views.pack_close, name="pack_close"),
    path("shipments/<int:pk>/", views.shipment_detail, name="shipment_detail"),
    path("shipments/<int:pk>/ship/", views.shipment_ship, name="shipment_ship"),
    path("shipments/<int:pk>/cancel/", views.shipment_cancel, name="shipment_cancel"),
]

# Printed documents (labels, packing slips, pick lists): fulfillment/document_urls.py.
from fulfillment.document_urls import urlpatterns as document_urlpatterns  # noqa: E402

urlpatterns += document_urlpatterns
