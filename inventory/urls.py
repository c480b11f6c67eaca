from django.urls import path

from inventory.views import counts, labels, products, scanning

app_name = "inventory"

urlpatterns = [
    path("products/", products.product_list, name="product_list"),
    path("products/<int:pk>/", products.product_detail, name="product_detail"),
    path("receive/", scanning.receive, name="receive"),
    path("receive/scan/", scanning.receive_scan, name="receive_scan"),
    path("receive/undo/", scanning.receive_undo, name="receive_undo"),
    path("count/", scanning.count, name="count"),
    path("count/scan/", scanning.count_scan, name="count_scan"),
    path("count/finish/", scanning.count_finish, name="count_finish"),
    path("count/undo/", scanning.count_undo, name="count_undo"),
    path("counts/approvals/", counts.count_approvals, name="count_approvals"),
    path("counts/<int:pk>/approve/", counts.count_approve, name="count_approve"),
    path("counts/<int:pk>/reject/", counts.count_reject, name="count_reject"),
    path("labels/bins.pdf", labels.bin_labels, name="bin_labels"),
    path("labels/products.pdf", labels.product_labels, name="product_labels"),
]
