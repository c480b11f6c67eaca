"""Settings for OMS, read from the environment.

Everything that differs between a laptop and production comes from an
environment variable; the defaults are safe for development only.
"""

import os
import sys
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read a whole-number environment variable, refusing anything else in plain words."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """Turn ``X-Forwarded-Proto`` (or ``X-Forwarded-Proto=https``) into Django's setting."""
    value = (value or "").strip()
    if not value:
        return None
    header, _, expected = value.partition("=")
    header = header.strip()
    if not header or any(c.isspace() for c in header):
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER must name a header, e.g. X-Forwarded-Proto, not {value!r}."
        )
    return "HTTP_" + header.upper().replace("-", "_"), expected.strip() or "https"


DEBUG = env_bool("DEBUG", False)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-not-for-production"
# Commands that only compare models with migrations, and never sign anything, run without
# a key (a CI check of migrations, say); were one of them to use it, Django still refuses.
KEYLESS_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "help"}
_COMMAND = sys.argv[1] if len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" else ""
# Outside DEBUG there is no fallback: the app refuses to start without a real key.
SECRET_KEY = (os.environ.get("SECRET_KEY") or "").strip()
if not SECRET_KEY:
    if not DEBUG and _COMMAND not in KEYLESS_COMMANDS:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to 50 or more "
            "random characters (or DEBUG=1 on a development machine)."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY if DEBUG else ""

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_fsm",
    "import_export",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "oms",
    "inventory",
    "orders",
    "fulfillment",
    "returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a login locked out by django-axes into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oms.urls"
WSGI_APPLICATION = "oms.wsgi.application"
ASGI_APPLICATION = "oms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oms.context_processors.roles",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user@host:5432/name) or SQLite in the project folder.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write
    # lock at BEGIN, so concurrent writers wait (timeout) instead of failing
    # with "database is locked" half-way through a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles plans it estimates as costly: for the short queries of
    # pages and services it spends far more compiling (half a second on the order list
    # with the whole history, bench/pages.py) than it saves.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = (
        DATABASES["default"]["OPTIONS"].get("options", "") + " -c jit=off"
    ).strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# An order page posts two fields per line: room for one past the 500-line cap
# (orders.models.Order.MAX_LINES), so that the cap is refused in words.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1100

AUTHENTICATION_BACKENDS = ["oms.auth.LoginGuardBackend", "oms.auth.RoleBackend"]

# Caches: shared by every web process (API throttles count here). Redis when
# REDIS_URL is set, otherwise a database table (`manage.py createcachetable`).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "oms_cache",
        }
    )
}

# The number of proxies in front of the app that append to X-Forwarded-For
# (0: none, trust REMOTE_ADDR only). The client's address is read from there
# for login lockouts and API throttles alike (oms.login_guard.client_address).
OMS_TRUSTED_PROXIES = env_int("OMS_TRUSTED_PROXIES", 0)

# Login lockout (django-axes, counted in the database): after this many failed
# logins for one username from one address, that pair is locked for a while.
OMS_LOGIN_FAILURE_LIMIT = env_int("OMS_LOGIN_FAILURE_LIMIT", 5)
OMS_LOGIN_COOLOFF_MINUTES = env_int("OMS_LOGIN_COOLOFF_MINUTES", 15)
OMS_LOGIN_RATE = os.environ.get("OMS_LOGIN_RATE", "30/minute")
AXES_FAILURE_LIMIT = OMS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = OMS_LOGIN_COOLOFF_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "oms.login_guard.client_address"
AXES_LOCKOUT_CALLABLE = "oms.login_guard.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# API tokens: days until a token expires, and how many live tokens one user keeps.
OMS_API_TOKEN_DAYS = env_int("OMS_API_TOKEN_DAYS", 30)
OMS_API_TOKENS_PER_USER = env_int("OMS_API_TOKENS_PER_USER", 10)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: on by default outside DEBUG; each can be turned off from the
# environment (for example behind a proxy that terminates TLS itself).
# Trust a proxy's "this came in over HTTPS" header only when told its name:
# SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto (a client could send it too).
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))

# Email
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds to wait for the mail server before an attempt counts as failed (and is retried).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "orders@oms.localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Background work: Django's tasks API. By default tasks run at once, after the
# transaction that queued them commits. In production set
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and run `manage.py db_worker`:
# emails and other side effects then leave the request path.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oms.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["oms.api.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "oms.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "oms.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "oms.api_exceptions.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "NUM_PROXIES": OMS_TRUSTED_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OMS API",
    "DESCRIPTION": "Orders, stock and fulfilment for integrations (web shop, marketplaces, carriers).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "PaymentStatusEnum": "orders.models.Payment.Status",
        "PaymentMethodEnum": "orders.models.Payment.Method",
        "RefundMethodEnum": "returns.models.Refund.Method",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# OMS
OMS_COMPANY_NAME = os.environ.get("OMS_COMPANY_NAME", "OMS Demo Ltd")
OMS_WAREHOUSE_ALERT_EMAILS = env_list("OMS_WAREHOUSE_ALERT_EMAILS")
# Days after delivery before the follow-up email asks for feedback and the order completes.
OMS_FOLLOW_UP_DAYS = int(os.environ.get("OMS_FOLLOW_UP_DAYS", "7"))
# Days a customer has to send goods back after delivery (from shipping plus
# OMS_RETURN_DELIVERY_DAYS when the delivery is unknown).
OMS_RETURN_DAYS = int(os.environ.get("OMS_RETURN_DAYS", "30"))
OMS_RETURN_DELIVERY_DAYS = int(os.environ.get("OMS_RETURN_DELIVERY_DAYS", "5"))
# Background jobs (oms.jobs): a print run of more documents than this is prepared by the
# worker instead of inside the request; prepared files are kept this many days.
OMS_PDF_INLINE_MAX = int(os.environ.get("OMS_PDF_INLINE_MAX", "40"))
OMS_JOB_KEEP_DAYS = int(os.environ.get("OMS_JOB_KEEP_DAYS", "3"))
# The outbox (oms.outbox): attempts per email before it is failed, and the wait after the
# first failure, doubling up to the cap. The defaults ride out a mail server that is away
# for about two hours (1 + 2 + 4 + … minutes, then hourly).
OMS_EMAIL_MAX_ATTEMPTS = int(os.environ.get("OMS_EMAIL_MAX_ATTEMPTS", "8"))
OMS_EMAIL_RETRY_SECONDS = int(os.environ.get("OMS_EMAIL_RETRY_SECONDS", "60"))
OMS_EMAIL_RETRY_MAX_SECONDS = int(os.environ.get("OMS_EMAIL_RETRY_MAX_SECONDS", "3600"))
# A count that differs from the record by more than this share of it, or by more than
# this value at the product's price, waits for a manager's approval before it is booked.
OMS_COUNT_APPROVAL_SHARE = Decimal(os.environ.get("OMS_COUNT_APPROVAL_SHARE", "0.10"))
OMS_COUNT_APPROVAL_VALUE = Decimal(os.environ.get("OMS_COUNT_APPROVAL_VALUE", "100.00"))
# Taxes (oms.tax): the seller's country and VAT number, whether prices are entered with tax
# included, whether goods sent abroad are zero-rated, the tax class of shipping charges.
OMS_SELLER_COUNTRY = os.environ.get("OMS_SELLER_COUNTRY", "GB").upper()
OMS_SELLER_TAX_NUMBER = os.environ.get("OMS_SELLER_TAX_NUMBER", "GB 123 4567 89")
OMS_PRICES_INCLUDE_TAX = env_bool("OMS_PRICES_INCLUDE_TAX", True)
OMS_ZERO_RATE_EXPORTS = env_bool("OMS_ZERO_RATE_EXPORTS", True)
OMS_SHIPPING_TAX_CLASS = os.environ.get("OMS_SHIPPING_TAX_CLASS", "standard")

# The customer's status page (/track/): the site's public address for links in emails,
# how long a link from an email (days) or from a lookup (hours) opens the page, and
# how many tries a client address and an order number get per window ("count/seconds").
OMS_PUBLIC_URL = os.environ.get("OMS_PUBLIC_URL", "http://127.0.0.1:8000")
OMS_TRACK_LINK_DAYS = env_int("OMS_TRACK_LINK_DAYS", 90)
OMS_TRACK_LOOKUP_HOURS = env_int("OMS_TRACK_LOOKUP_HOURS", 24)
OMS_TRACK_RATE_PER_CLIENT = os.environ.get("OMS_TRACK_RATE_PER_CLIENT", "30/600")
OMS_TRACK_RATE_PER_ORDER = os.environ.get("OMS_TRACK_RATE_PER_ORDER", "10/600")

# Managers' imports (oms.imports): file size, rows per file, rows written per transaction.
OMS_IMPORT_MAX_BYTES = int(os.environ.get("OMS_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
OMS_IMPORT_MAX_ROWS = int(os.environ.get("OMS_IMPORT_MAX_ROWS", "100000"))
OMS_IMPORT_BATCH_ROWS = int(os.environ.get("OMS_IMPORT_BATCH_ROWS", "1000"))
