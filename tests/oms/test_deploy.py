import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from oms.settings import proxy_ssl_header

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env_overrides) -> subprocess.CompletedProcess:
    # Settings read the process environment: leave out what the test run set.
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "SECRET_KEY",
            "SECURE_PROXY_SSL_HEADER",
        }
    }
    env.update({"DJANGO_SETTINGS_MODULE": "oms.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_deploy_check(**env_overrides) -> subprocess.CompletedProcess:
    return run_manage("check", "--deploy", "--fail-level", "WARNING", **env_overrides)


def setting(name: str, **env_overrides) -> str:
    """Return repr() of a setting as the app would load it with these variables."""
    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(repr(settings.{name}))",
        **env_overrides,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_settings_pass_the_deploy_check():
    # given production variables
    env = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "oms.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://oms.example.com",
    }
    # when
    result = run_deploy_check(**env)
    # then
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_the_app_refuses_to_start_in_plain_words():
    # given production variables but no key
    env = {"DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "oms.example.com"}
    # when
    result = run_manage("check", **env)
    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in result.stderr


def test_checking_migrations_needs_no_key_but_migrating_and_serving_do(tmp_path):
    # given production variables without a key, and a database of its own
    env = {"DEBUG": "0", "SECRET_KEY": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    # when
    compared = run_manage("makemigrations", "--check", "--dry-run", **env)
    migrated = run_manage("migrate", "--noinput", **env)
    # then: comparing models with migrations signs nothing; everything else refuses
    assert compared.returncode == 0, compared.stderr
    assert "No changes detected" in compared.stdout
    assert migrated.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set." in migrated.stderr


def test_a_development_machine_starts_without_a_key():
    # given DEBUG on and no key
    # when
    result = run_manage("check", DEBUG="1", SECRET_KEY="")
    # then
    assert result.returncode == 0, result.stderr


def test_the_proxy_https_header_is_trusted_only_when_configured():
    # given production variables
    env = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    # when
    default = setting("SECURE_PROXY_SSL_HEADER", **env)
    configured = setting(
        "SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto", **env
    )
    # then
    assert default == "None"
    assert configured == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_a_malformed_proxy_header_setting_is_refused():
    # when
    with pytest.raises(ImproperlyConfigured, match="must name a header"):
        proxy_ssl_header("X Forwarded Proto")
    # then
    assert proxy_ssl_header("X-Scheme=on") == ("HTTP_X_SCHEME", "on")


def test_debug_on_fails_the_deploy_check():
    # given DEBUG left on
    env = {
        "DEBUG": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "oms.example.com",
    }
    # when
    result = run_deploy_check(**env)
    # then
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_the_api_schema_needs_an_account_with_a_role(api_client, api_as, db):
    # given
    from oms.roles import Role
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    shop = UserFactory(username="shop", roles=[Role.WEB_SHOP], is_staff=False)
    # when
    anonymous = api_client.get("/api/schema/")
    without_role = api_as(nobody).get("/api/schema/")
    with_role = api_as(shop).get("/api/schema/?format=json")
    # then
    assert anonymous.status_code == 401
    assert without_role.status_code == 403
    assert with_role.status_code == 200
    assert "/api/v1/orders/" in with_role.json()["paths"]


def test_the_api_docs_are_a_staff_page(client, sales_user, db):
    # given
    from tests.factories import UserFactory

    # when
    anonymous = client.get("/api/docs/")
    client.force_login(UserFactory(username="nobody"))
    without_role = client.get("/api/docs/")
    client.force_login(sales_user)
    staff = client.get("/api/docs/")
    # then
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert without_role.status_code == 403
    assert staff.status_code == 200


def test_the_shared_cache_is_redis_when_configured_and_a_database_table_otherwise():
    # given
    env = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    # when
    default = setting("CACHES['default']['BACKEND']", **env)
    redis = setting("CACHES['default']", REDIS_URL="redis://127.0.0.1:6379/3", **env)
    # then
    assert default == "'django.core.cache.backends.db.DatabaseCache'"
    assert "RedisCache" in redis and "redis://127.0.0.1:6379/3" in redis
