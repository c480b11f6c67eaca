from django.urls import path

from oms import export_views

app_name = "exports"

urlpatterns = [
    path("<slug:name>.csv", export_views.export_csv, name="csv"),
    path("<slug:name>/", export_views.export_start, name="start"),
]
