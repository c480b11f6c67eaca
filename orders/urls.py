from django.urls import path

from orders.views import customers, desk, documents, orders, reorder

app_name = "orders"

urlpatterns = [
    path("", orders.order_list, name="order_list"),
    path("new/", desk.order_new, name="order_new"),
    path("new/save/", desk.order_new_submit, name="order_new_submit"),
    path("new/lines/", desk.order_new_lines, name="order_new_lines"),
    path("new/products/", desk.product_suggestions, name="product_suggestions"),
    path("new/customers/", desk.customer_suggestions, name="customer_suggestions"),
    path("new/customers/new/", desk.customer_new, name="customer_new"),
    path("new/customers/<int:pk>/", desk.customer_choose, name="customer_choose"),
    path("<int:pk>/", orders.order_detail, name="order_detail"),
    path("<int:pk>/edit/", orders.order_edit, name="order_edit"),
    path("<int:pk>/lines/", orders.order_edit_lines, name="order_edit_lines"),
    path("<int:pk>/do/<slug:action>/", orders.order_action, name="order_action"),
    path("<int:pk>/invoice.pdf", documents.order_invoice, name="order_invoice"),
    path("reorder/", reorder.reorder_list, name="reorder_list"),
    path("reorder/drafts/", reorder.reorder_create, name="reorder_create"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
]
