import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_deploy_check(**env_overrides) -> subprocess.CompletedProcess:
    # The deploy check reads the process environment: leave out what the test run set.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "oms.settings", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


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


def test_deploy_check_fails_without_a_real_secret_key():
    # given production variables but the development key
    env = {"DEBUG": "0", "SECRET_KEY": "", "ALLOWED_HOSTS": "oms.example.com"}
    # when
    result = run_deploy_check(**env)
    # then
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


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
