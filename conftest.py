"""Test-wide setup: PostgreSQL and Redis must be reachable; a test run never skips them."""

import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings


def _require(name: str, url: str, default_port: int) -> None:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        raise pytest.UsageError(
            f"{name} is not reachable at {host}:{port} ({error}). The tests need it: start it "
            f"(see README, 'Running the tests') or point {name.upper()}_URL elsewhere."
        ) from None


def pytest_configure(config: pytest.Config) -> None:
    # Parallel workers share one Redis: give each its own channel-layer and cache namespace.
    worker = getattr(config, "workerinput", {}).get("workerid", "main")
    for layer in settings.CHANNEL_LAYERS.values():
        if "prefix" in layer.get("CONFIG", {}):
            layer["CONFIG"]["prefix"] = f"fx-test-{worker}"
    settings.CACHES["default"]["KEY_PREFIX"] = f"fx-test-{worker}"
    # Pages render without `collectstatic` (production's manifest storage needs its output).
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        db = settings.DATABASES["default"]
        _require("PostgreSQL", f"postgres://{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}", 5432)
    if settings.REDIS_URL:
        _require("Redis", settings.REDIS_URL, 6379)
