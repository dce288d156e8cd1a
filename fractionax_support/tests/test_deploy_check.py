"""Production settings, as the README documents them, pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "support.example.com",
    "BEHIND_PROXY": "true",
    "CSRF_TRUSTED_ORIGINS": "https://support.example.com",
    "DATABASE_POOL_SIZE": "10",
}


# The test run's own relaxations (pytest-env) are not production's.
TEST_ONLY = {"SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def production_env(without: str = "") -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in TEST_ONLY}
    return {key: value for key, value in {**env, **PRODUCTION}.items() if key != without}


def manage(*args: str, without: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=production_env(without),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", without="SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", without="ALLOWED_HOSTS")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr
