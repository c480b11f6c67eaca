"""The WSGI application, as gunicorn serves it (``gunicorn oms.wsgi``).

Once the app is loaded (settings, models, every view through the URLconf),
what was loaded lives as long as the process. It is set aside from Python's
garbage collector (``gc.freeze``), so that a full collection, which a page
of a thousand lines sets off now and then, scans only the objects of
requests, not the whole of Django: the slowest page views stop paying tens
of milliseconds for it (``bench/pages.py``).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

application = get_wsgi_application()


def settle() -> None:
    """Import every view (by resolving the URLconf once), then freeze what is loaded."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018  (populating it imports every view)
    gc.collect()
    gc.freeze()


settle()
