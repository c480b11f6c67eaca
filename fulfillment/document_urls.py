"""URLs of the floor's printed documents; included in the fulfillment namespace by fulfillment/urls.py.

The invoice (``orders:order_invoice``) and the bin and product labels
(``inventory:bin_labels``, ``inventory:product_labels``) live with their
apps now; their former addresses here send the browser on (301, query
kept), guarded like the documents themselves.
"""

from django.urls import path

from fulfillment import document_views
from inventory.views.labels import LABEL_ROLES
from oms.documents import moved_to
from orders.views.documents import INVOICE_ROLES

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
    path(
        "orders/<int:pk>/invoice.pdf",
        moved_to("orders:order_invoice", roles=INVOICE_ROLES),
        name="order_invoice",
    ),
    path(
        "labels/bins.pdf",
        moved_to("inventory:bin_labels", roles=LABEL_ROLES),
        name="bin_labels",
    ),
    path(
        "labels/products.pdf",
        moved_to("inventory:product_labels", roles=LABEL_ROLES),
        name="product_labels",
    ),
]
