from django.urls import path

from oms.outbox import views

app_name = "outbox"

urlpatterns = [
    path("", views.email_list, name="email_list"),
    path("<int:pk>/<slug:action>/", views.email_action, name="email_action"),
]
