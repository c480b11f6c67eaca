"""The WSGI application as gunicorn loads it: every view imported, then set aside from the collector."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_wsgi_app_imports_every_view_and_freezes_what_it_loaded():
    # when the app is loaded in a fresh process, as gunicorn loads it
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, sys; import oms.wsgi; "
            "print(gc.get_freeze_count(), 'orders.views.orders' in sys.modules)",
        ],
        cwd=ROOT,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    frozen, views = done.stdout.split()
    # then the objects loaded are frozen (tens of thousands), the views among them
    assert int(frozen) > 10_000
    assert views == "True"
