"""Measure order placement over HTTP against a trivial write, in the same run.

Serves the app with gunicorn (sync workers, persistent database connections)
on PostgreSQL, then has 16 client threads, for a fixed time each:

1. create a 3-line order by SKU (``POST /api/v1/orders/`` with a fresh
   Idempotency-Key) and confirm it with a payment of its total
   (``POST /api/v1/orders/<id>/confirm/``); one "order" is create + confirm;
2. ping (``POST /api/v1/ping/``, one row inserted): the baseline.

It prints orders/s and pings/s, p50/p95/p99 latency, errors, the ratio
orders/s ÷ pings/s and whether the targets hold (ratio >= 0.5, order p99 <
100 ms), the CPU each order costs the app and the database, and the SQL
statements one create + confirm runs (counted in-process once).

All traffic goes to 127.0.0.1; every loop is bounded in time and count; the
server is stopped on the way out, whatever happens.

    .venv/bin/python bench/order_placement.py                 # 20 s per load
    .venv/bin/python bench/order_placement.py --duration 60 --workers 4
    .venv/bin/python bench/order_placement.py --backorders    # each order also backorders a line

The database (default ``postgres://postgres@127.0.0.1:5432/oms_bench``, or
``--database-url``) is created when missing and migrated; ``--reset`` drops
and recreates it first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/oms_bench"
HOST = "127.0.0.1"
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
SALES_USERNAME = "bench.sales"
WAREHOUSE_CODE = "BENCH"
BIN_CODE = "B-01-01"
STOCKED_PREFIX = "BENCH-"
UNSTOCKED_PREFIX = "BENCH-BO-"
CUSTOMERS = 50
MAX_RECEIVE = 1_000_000
MAX_ITERATIONS_PER_CLIENT = 1_000_000
MAX_ERRORS_PER_CLIENT = 200
REQUEST_TIMEOUT = 30.0
OTHER_LOAD_WARNING = 0.25  # cores used by other processes above which figures are disturbed


# --- set-up ------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    """Read the command line."""
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per load (20)")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="unmeasured seconds before each load (3)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument(
        "--workers",
        type=int,
        default=cores,
        help=f"gunicorn sync workers (one per core: {cores}; the load is CPU-bound)",
    )
    parser.add_argument("--conn-max-age", type=int, default=600, help="CONN_MAX_AGE (600)")
    parser.add_argument("--products", type=int, default=200, help="stocked products (200)")
    parser.add_argument(
        "--stock", type=int, default=100_000, help="units kept available per product (100000)"
    )
    parser.add_argument(
        "--backorders",
        action="store_true",
        help="make each order's third line a product without stock, so every order backorders",
    )
    parser.add_argument(
        "--tasks",
        choices=["db", "immediate"],
        default="db",
        help="where side effects run: queued for a worker (db, as in production) or in the "
        "request (immediate)",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--reset", action="store_true", help="drop and recreate the bench database first"
    )
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit 1 when a target is missed"
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 600:
        parser.error("--duration must be between 0 and 600 seconds")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    if not 1 <= args.clients <= 256:
        parser.error("--clients must be between 1 and 256")
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be between 1 and 64")
    if args.products < 3:
        parser.error("--products must be at least 3")
    parts = urlsplit(args.database_url)
    if parts.scheme not in {"postgres", "postgresql"} or parts.hostname not in {
        "127.0.0.1",
        "localhost",
        "::1",
    }:
        parser.error("--database-url must be a PostgreSQL URL on this machine")
    return args


def server_environment(args) -> dict[str, str]:
    """Return the environment the app runs with: production settings, plain http on loopback."""
    env = {
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DATABASE_URL": args.database_url,
        "CONN_MAX_AGE": str(args.conn_max_age),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0",
        "SECURE_HSTS_PRELOAD": "0",
        # Nothing listens for SMTP here: render every email, send none.
        "EMAIL_BACKEND": os.environ.get(
            "EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend"
        ),
        "LOG_LEVEL": "WARNING",
        # As in production: side effects (emails, backorder allocation) are queued in the
        # database for `manage.py db_worker`; --tasks immediate runs them in the request.
        "TASKS_BACKEND": TASK_BACKENDS[args.tasks],
    }
    return {**os.environ, **env}


TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def ensure_database(url: str, *, reset: bool) -> None:
    """Create the bench database when it is missing (drop it first with ``reset``)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"Refusing to use the database {name!r} for a benchmark.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def setup_django(env: dict[str, str]) -> None:
    """Load Django in this process with the server's settings and migrate the database."""
    os.environ.update(env)
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic: API only
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Fixture:
    token: str
    stocked_skus: list[str]
    unstocked_skus: list[str]
    price: dict[str, Decimal]


def seed(args) -> Fixture:
    """Make the warehouse, bin, products, stock, sales user and token the load needs."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from inventory import selectors, services
    from inventory.models import Product, StockLevel
    from oms.errors import NotFound
    from oms.roles import Role

    try:
        warehouse = selectors.warehouse_get(WAREHOUSE_CODE)
    except NotFound:
        warehouse = services.warehouse_create(code=WAREHOUSE_CODE, name="Benchmark warehouse")
    try:
        location = selectors.location_get(warehouse=warehouse, code=BIN_CODE)
    except NotFound:
        location = services.location_create(warehouse=warehouse, code=BIN_CODE, pick_sequence=10)

    def product(sku: str, index: int) -> Product:
        try:
            return selectors.product_get_by_sku(sku)
        except NotFound:
            return services.product_create(
                sku=sku,
                name=f"Benchmark item {index}",
                price=Decimal("1.00") + Decimal(index % 97) / 4,
                weight_grams=250,
            )

    stocked = [product(f"{STOCKED_PREFIX}{i:05d}", i) for i in range(1, args.products + 1)]
    unstocked = [product(f"{UNSTOCKED_PREFIX}{i:03d}", i) for i in range(1, 21)]
    levels = {
        level.product_id: level
        for level in StockLevel.objects.filter(location=location, product__in=stocked)
    }
    received = 0
    for item in stocked:
        level = levels.get(item.pk)
        available = (level.on_hand - level.allocated) if level else 0
        missing = args.stock - available
        while missing > 0:
            batch = min(missing, MAX_RECEIVE)
            services.stock_receive(
                product=item, location=location, quantity=batch, reference="BENCH-SEED"
            )
            received += batch
            missing -= batch
    if received:
        print(f"received {received:,} units into {WAREHOUSE_CODE}/{BIN_CODE}")

    user, _ = get_user_model().objects.get_or_create(
        username=SALES_USERNAME, defaults={"email": "bench.sales@example.com"}
    )
    user.groups.add(Group.objects.get(name=Role.SALES))
    from oms.tokens import token_create

    return Fixture(
        token=token_create(user=user).key,
        stocked_skus=[p.sku for p in stocked],
        unstocked_skus=[p.sku for p in unstocked],
        price={p.sku: p.price for p in [*stocked, *unstocked]},
    )


# --- the work of one client --------------------------------------------------------------------


class HttpError(Exception):
    """A response other than the one expected."""


class Client:
    """One keep-alive HTTP connection to the server, reopened when the server closes it."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        self.headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.requests = 0

    def post(self, path: str, body: dict, *, expect: int, key: str | None = None) -> dict:
        """POST JSON and return the JSON answer; raise HttpError on another status."""
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = key
        self.requests += 1
        try:
            self.conn.request("POST", path, body=json.dumps(body), headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        if response.status != expect:
            raise HttpError(f"{path} answered {response.status}: {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.conn.close()


def order_body(fixture: Fixture, rng: random.Random, client_no: int, n: int, run_id: str, args):
    """Return a 3-line web order for one of a pool of returning customers."""
    if args.backorders:
        skus = [*rng.sample(fixture.stocked_skus, 2), rng.choice(fixture.unstocked_skus)]
    else:
        skus = rng.sample(fixture.stocked_skus, 3)
    customer = rng.randrange(CUSTOMERS)
    return {
        "channel": "web",
        "external_reference": f"BENCH-{run_id}-{client_no}-{n}",
        "customer": {
            "email": f"bench-customer-{customer}@example.com",
            "name": f"Bench Customer {customer}",
        },
        "shipping_address": {
            "name": f"Bench Customer {customer}",
            "line1": f"{customer + 1} High St",
            "city": "Leeds",
            "postal_code": "LS1 1AA",
            "country": "GB",
        },
        "lines": [{"sku": sku, "quantity": rng.randint(1, 3)} for sku in skus],
    }


def place_order(client: Client, fixture: Fixture, rng, client_no, n, run_id, args) -> str:
    """Create an order and confirm it with a payment of its total; return its status."""
    created = client.post(
        "/api/v1/orders/",
        order_body(fixture, rng, client_no, n, run_id, args),
        expect=201,
        key=str(uuid.uuid4()),
    )
    confirmed = client.post(
        f"/api/v1/orders/{created['id']}/confirm/",
        {"payment": {"method": "card", "amount": created["total"], "reference": f"ch_{n}"}},
        expect=200,
        key=str(uuid.uuid4()),
    )
    return confirmed["status"]


def ping(client: Client, fixture, rng, client_no, n, run_id, args) -> str:
    """Write one heartbeat row."""
    return client.post("/api/v1/ping/", {"source": f"bench-{client_no}"}, expect=201)["status"]


# --- running a load ----------------------------------------------------------------------------


@dataclass
class LoadResult:
    name: str
    duration: float
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.duration

    def percentile(self, p: float) -> float:
        """Return the p-th percentile latency in ms (nearest rank), or NaN with no data."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] * 1000


def run_load(name: str, work, *, port: int, fixture: Fixture, args, cpu_probe) -> LoadResult:
    """Run ``work`` in ``args.clients`` threads for warm-up + duration; time the measured part."""
    result = LoadResult(name=name, duration=args.duration)
    lock = threading.Lock()
    barrier = threading.Barrier(args.clients + 1, timeout=30)
    run_id = uuid.uuid4().hex[:8]
    clock: dict[str, float] = {}

    def body(client_no: int) -> None:
        rng = random.Random(f"{run_id}-{client_no}")
        client = Client(port, fixture.token)
        latencies, outcomes, errors, samples = [], Counter(), 0, []
        barrier.wait()
        measure_from, stop_at = clock["measure_from"], clock["stop_at"]
        try:
            for n in range(MAX_ITERATIONS_PER_CLIENT):
                started = time.perf_counter()
                if started >= stop_at or errors >= MAX_ERRORS_PER_CLIENT:
                    break
                try:
                    outcome = work(client, fixture, rng, client_no, n, run_id, args)
                except (HttpError, OSError, http.client.HTTPException, ValueError) as error:
                    finished = time.perf_counter()
                    if measure_from <= started and finished <= stop_at:
                        errors += 1
                        if len(samples) < 3:
                            samples.append(f"{type(error).__name__}: {error}")
                    continue
                finished = time.perf_counter()
                if measure_from <= started and finished <= stop_at:
                    latencies.append(finished - started)
                    outcomes[outcome] += 1
        finally:
            client.close()
            with lock:
                result.latencies.extend(latencies)
                result.outcomes.update(outcomes)
                result.errors += errors
                result.error_samples.extend(samples[: 3 - len(result.error_samples)])
                result.requests += client.requests

    threads = [
        threading.Thread(target=body, args=(i,), name=f"client-{i}", daemon=True)
        for i in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    clock["measure_from"] = now + args.warmup
    clock["stop_at"] = now + args.warmup + args.duration
    barrier.wait()
    time.sleep(max(0.0, clock["measure_from"] - time.perf_counter()))
    before = cpu_probe()
    time.sleep(max(0.0, clock["stop_at"] - time.perf_counter()))
    after = cpu_probe()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT * 2 + 5)
    result.cpu = {key: after[key] - before.get(key, 0.0) for key in after}
    return result


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env, *, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    """Start gunicorn with sync workers on 127.0.0.1:port, its log going to log_path."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "oms.wsgi",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "60",
        "--worker-tmp-dir",
        "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
        "--error-logfile",
        str(log_path),
    ]
    print("server:", " ".join(command[2:]))
    with open(log_path, "ab") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def wait_healthy(port: int, server: subprocess.Popen, *, timeout: float = 60.0) -> None:
    """Wait until /healthz answers 200, or fail when the server exits or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer 200 within {timeout:.0f} s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, then for good if it does not go."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


# --- CPU accounting ----------------------------------------------------------------------------


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid: int) -> float:
    """Return the user + system CPU seconds a process has used (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _machine_busy() -> float:
    """Return the CPU seconds every core of the machine has spent busy since boot."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, first[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def cpu_probe_for(server: subprocess.Popen, database_url: str):
    """Return a function giving CPU seconds so far: app workers, database backends, client."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()

    def probe() -> dict[str, float]:
        app = sum(_proc_cpu(pid) for pid in _children(server.pid))
        with psycopg.connect(admin, autocommit=True) as conn:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> "
                    "pg_backend_pid()",
                    [name],
                )
            ]
        return {
            "app": app,
            "db": sum(_proc_cpu(pid) for pid in pids),
            "client": time.process_time(),
            "machine": _machine_busy(),
        }

    return probe


# --- SQL count ---------------------------------------------------------------------------------


def count_statements(fixture: Fixture, args) -> dict[str, Counter]:
    """Run one create + confirm through DRF's test client here and count its SQL by verb."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient(SERVER_NAME=HOST)
    client.credentials(HTTP_AUTHORIZATION=f"Token {fixture.token}")
    rng = random.Random("statements")
    counts: dict[str, Counter] = {}
    body = order_body(fixture, rng, 0, 0, "sql-" + uuid.uuid4().hex[:8], args)
    with CaptureQueriesContext(connection) as create:
        created = client.post(
            "/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
    if created.status_code != 201:
        raise RuntimeError(f"create answered {created.status_code}: {created.content[:300]!r}")
    payment = {"method": "card", "amount": created.json()["total"], "reference": "ch_sql"}
    with CaptureQueriesContext(connection) as confirm:
        confirmed = client.post(
            f"/api/v1/orders/{created.json()['id']}/confirm/",
            {"payment": payment},
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
    if confirmed.status_code != 200:
        raise RuntimeError(f"confirm answered {confirmed.status_code}: {confirmed.content[:300]!r}")
    with CaptureQueriesContext(connection) as pinged:
        client.post("/api/v1/ping/", {"source": "bench-sql"}, format="json")
    for label, captured in [("create", create), ("confirm", confirm), ("ping", pinged)]:
        counts[label] = Counter(
            q["sql"].split(None, 1)[0].upper() for q in captured.captured_queries
        )
    connection.close()
    return counts


# --- report ------------------------------------------------------------------------------------


def _cpu_per_op(result: LoadResult) -> float:
    done = len(result.latencies)
    if not done:
        return 0.0
    return (result.cpu["app"] + result.cpu["db"] + result.cpu["client"]) / done


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_report(args, orders: LoadResult, pings: LoadResult, statements, versions) -> bool:
    """Print the figures and return whether both targets are met."""
    print()
    print(
        f"{args.clients} clients, {args.duration:g} s measured after {args.warmup:g} s warm-up, "
        f"gunicorn {args.workers} sync workers, CONN_MAX_AGE={args.conn_max_age}, "
        f"{os.cpu_count()} cores, {versions}"
    )
    header = (
        f"{'load':<22}{'requests':>9}{'done':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, result in [("orders (create+confirm)", orders), ("pings", pings)]:
        print(
            f"{label:<22}{result.requests:>9}{len(result.latencies):>8}{result.rate:>9.1f}"
            f"{result.percentile(50):>9.1f}{result.percentile(95):>9.1f}"
            f"{result.percentile(99):>9.1f}{result.errors:>8}"
        )
    ratio = orders.rate / pings.rate if pings.rate else math.nan
    p99 = orders.percentile(99)
    ratio_ok = ratio >= TARGET_RATIO
    p99_ok = p99 < TARGET_P99_MS
    print()
    print(
        f"ratio orders/s ÷ pings/s: {ratio:.3f}   (target >= {TARGET_RATIO}: {verdict(ratio_ok)})"
    )
    print(f"order p99: {p99:.1f} ms   (target < {TARGET_P99_MS:g} ms: {verdict(p99_ok)})")
    print(
        f"per HTTP request (an order is two): {2 * ratio:.3f}; "
        f"order outcomes: {dict(orders.outcomes)}"
    )
    for result in (orders, pings):
        for sample in result.error_samples:
            print(f"  {result.name} error: {sample}")
    print()
    print("CPU per operation, ms (measured part only):")
    for result, unit in [(orders, "order"), (pings, "ping")]:
        done = len(result.latencies) or 1
        print(
            f"  per {unit:<6} app {result.cpu['app'] * 1000 / done:7.2f}"
            f"   database {result.cpu['db'] * 1000 / done:7.2f}"
            f"   client {result.cpu['client'] * 1000 / done:7.2f}"
        )
    disturbed = False
    for result in (orders, pings):
        ours = result.cpu["app"] + result.cpu["db"] + result.cpu["client"]
        other = max(0.0, result.cpu["machine"] - ours) / result.duration
        disturbed = disturbed or other > OTHER_LOAD_WARNING
        print(
            f"  during the {result.name}: this benchmark kept {ours / result.duration:.2f} "
            f"of {os.cpu_count()} cores busy, everything else on the machine {other:.2f}"
        )
    cpu_ratio = _cpu_per_op(pings) / _cpu_per_op(orders) if _cpu_per_op(orders) else math.nan
    print(
        f"  CPU-based ratio (CPU per ping ÷ CPU per order, unaffected by other load): "
        f"{cpu_ratio:.3f}"
    )
    if disturbed:
        print(
            f"  WARNING: other processes used more than {OTHER_LOAD_WARNING} of a core during a "
            "load: throughput, latency and the ratio are disturbed; run again on a quiet machine."
        )
    print()
    print("SQL statements per request, counted in-process (DRF APIClient):")
    total = 0
    for label, counts in statements.items():
        n = sum(counts.values())
        if label != "ping":
            total += n
        detail = ", ".join(f"{verb} {count}" for verb, count in counts.most_common())
        print(f"  {label:<8}{n:>4}   ({detail})")
    print(f"  create + confirm: {total}")
    return ratio_ok and p99_ok


def versions_line(database_url: str) -> str:
    import django
    import gunicorn
    import psycopg

    with psycopg.connect(database_url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"gunicorn {gunicorn.__version__}, PostgreSQL {server.split()[0]}"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    env = server_environment(args)
    ensure_database(args.database_url, reset=args.reset)
    setup_django(env)
    fixture = seed(args)
    statements = count_statements(fixture, args)
    versions = versions_line(args.database_url)

    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"oms-bench-gunicorn-{port}.log"
    server = start_gunicorn(env, port=port, workers=args.workers, log_path=log_path)
    try:
        wait_healthy(port, server)
        probe = cpu_probe_for(server, args.database_url)
        print(f"placing orders for {args.warmup:g} + {args.duration:g} s ...", flush=True)
        orders = run_load(
            "orders", place_order, port=port, fixture=fixture, args=args, cpu_probe=probe
        )
        print(f"pinging for {args.warmup:g} + {args.duration:g} s ...", flush=True)
        pings = run_load("pings", ping, port=port, fixture=fixture, args=args, cpu_probe=probe)
    finally:
        stop_gunicorn(server)
    ok = print_report(args, orders, pings, statements, versions)
    print(f"\nserver log: {log_path}")
    return 1 if args.fail_on_miss and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
