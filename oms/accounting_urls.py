from django.urls import path

from oms import accounting_views

app_name = "accounting"

urlpatterns = [
    path("", accounting_views.accounting_index, name="index"),
    path("<int:pk>/file.csv", accounting_views.accounting_download, name="download"),
    path("<int:pk>/reexport/", accounting_views.accounting_reexport, name="reexport"),
]
