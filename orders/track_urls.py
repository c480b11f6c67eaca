"""The customer's status page, under /track/ (no login)."""

from django.urls import path, re_path

from orders.views import track

app_name = "track"

urlpatterns = [
    path("", track.track_lookup, name="lookup"),
    path("<str:token>/", track.track_page, name="page"),
    # Anything else under /track/ is a link that opens nothing: the same plain answer.
    re_path(r"^(?P<token>.+)$", track.track_page, name="page_any"),
]
