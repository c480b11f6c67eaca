from django.urls import path

from returns import views

app_name = "returns"

urlpatterns = [
    path("", views.return_list, name="return_list"),
    path("new/<int:pk>/", views.return_new, name="return_new"),
    path("bench/", views.bench, name="bench"),
    path("bench/scan/", views.bench_scan, name="bench_scan"),
    path("refunds/", views.refund_list, name="refund_list"),
    path("refunds/<int:pk>/do/<slug:action>/", views.refund_action, name="refund_action"),
    path("credit-notes/<int:pk>.pdf", views.credit_note_pdf, name="credit_note_pdf"),
    path("<int:pk>/", views.return_detail, name="return_detail"),
    path("<int:pk>/do/<slug:action>/", views.return_action, name="return_action"),
    path("<int:pk>/refund/", views.refund_new, name="refund_new"),
    path("<int:pk>/label.pdf", views.return_label, name="return_label"),
    path("<int:pk>/slip.pdf", views.return_slip, name="return_slip"),
]
