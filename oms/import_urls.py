from django.urls import path

from oms import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.import_index, name="index"),
    path("<int:pk>/", import_views.import_detail, name="detail"),
    path("<int:pk>/confirm", import_views.import_confirm, name="confirm"),
    path("<slug:name>/upload", import_views.import_upload, name="upload"),
]
