"""URLs of the printed documents; included in the fulfillment namespace by fulfillment/urls.py."""

from django.urls import path

from fulfillment import document_views

urlpatterns = [
    path(
        "shipments/<int:pk>/label.pdf",
        document_views.shipment_label,
        name="shipment_label",
    ),
    path(
        "shipments/<int:pk>/packing-slip.pdf",
        document_views.shipment_packing_slip,
        name="shipment_packing_slip",
    ),
    path("waves/<int:pk>/pick-list.pdf", document_views.wave_pick_list, name="wave_pick_list"),
    path("waves/<int:pk>/labels.pdf", document_views.wave_labels, name="wave_labels"),
    path(
        "waves/<int:pk>/packing-slips.pdf",
        document_views.wave_packing_slips,
        name="wave_packing_slips",
    ),
    path("orders/<int:pk>/invoice.pdf", document_views.order_invoice, name="order_invoice"),
    path("labels/bins.pdf", document_views.bin_labels, name="bin_labels"),
    path("labels/products.pdf", document_views.product_labels, name="product_labels"),
]
