"""Time the manager's dashboard at full history, per date range and channel, next to /healthz.

Runs the real page (``GET /dashboard/`` through Django's test client, as a
manager) against a PostgreSQL database holding the whole online-retail
history, and in the same run the trivial ``/healthz`` page as a baseline.
Prints p50/p95 in ms per range and channel. Target: p95 under 200 ms.

    .venv/bin/python bench/dashboard.py --database-url postgres://postgres@127.0.0.1:5432/oms_full
"""

from __future__ import annotations

import argparse
import datetime
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.export import DEFAULT_DATABASE_URL, setup  # noqa: E402

RANGES = [("7 days", 7), ("30 days", 30), ("90 days", 90), ("1 year", 365)]
CHANNELS = ["", "web", "phone"]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def timed(client, url: str, repeat: int) -> list[float]:
    client.get(url)  # warm: the first request pays for connections and caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup(args.database_url)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Max
    from django.test import Client

    from oms.roles import Role
    from orders.models import Order

    user, _ = get_user_model().objects.get_or_create(
        username="bench.manager", defaults={"is_staff": True}
    )
    user.groups.add(Group.objects.get(name=str(Role.MANAGER)))
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    last = Order.objects.aggregate(last=Max("placed_at"))["last"].date()

    p50, p95 = percentiles(timed(client, "/healthz", args.repeat))
    print(f"{'/healthz (baseline)':32s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    worst = 0.0
    for label, days in RANGES:
        start = last - datetime.timedelta(days=days - 1)
        for channel in CHANNELS:
            url = f"/dashboard/?date_from={start}&date_to={last}&channel={channel}"
            p50, p95 = percentiles(timed(client, url, args.repeat))
            worst = max(worst, p95)
            name = f"dashboard {label}, {channel or 'every channel'}"
            print(f"{name:32s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    print(f"worst p95 {worst:.1f} ms (target < 200 ms)")


if __name__ == "__main__":
    main()
