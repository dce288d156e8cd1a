"""Test-wide setup: PostgreSQL and Redis must be reachable; a test run never skips them."""

import os
import socket
import tempfile
import uuid
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from fractionax_support.celery import app as celery_app
from tickets.models import TICKET_NUMBER_SEQUENCE
from tickets.tests.factories import StaffFactory, UserFactory

# Property tests: bounded (HYPOTHESIS_MAX_EXAMPLES, default 40, per test), no deadline on a
# shared machine, nothing written under the work tree. The examples of a test share its
# fixtures (one database transaction, one fake Slack), so each compares with its own before.
hypothesis_settings.register_profile(
    "fractionax",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("fractionax")


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
    # A run id keeps two test runs on one machine apart too.
    run = getattr(config, "workerinput", {}).get("testrunuid") or uuid.uuid4().hex
    worker = f"{run[:8]}-{getattr(config, 'workerinput', {}).get('workerid', 'main')}"
    for layer in settings.CHANNEL_LAYERS.values():
        if "prefix" in layer.get("CONFIG", {}):
            layer["CONFIG"]["prefix"] = f"fx-test-{worker}"
    settings.CACHES["default"]["KEY_PREFIX"] = f"fx-test-{worker}"
    # Tasks queued after commit go nowhere: tests call task functions themselves, and a
    # shared broker would hand them to whatever worker listens.
    settings.CELERY_BROKER_URL = "memory://"
    # Side effects run as their change commits, so a test sees them when the call returns
    # (tickets/tests/test_after_commit.py tests the background thread itself).
    settings.AFTER_COMMIT_IN_BACKGROUND = False
    celery_app.conf.broker_url = "memory://"
    # Every staff fixture sets a password: production's PBKDF2 would cost each test a third
    # of a second. A server started as a subprocess hashes as production does
    # (tickets/tests/test_browser.py logs in there, and makes its users accordingly).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Attachments go to a folder of the run's own, never under the work tree's var/
    # (tests that look at the files use tickets/tests/attachment_helpers.py's folder per test).
    settings.STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="fx-test-attachments-")},
    }
    # Pages render without `collectstatic` (production's manifest storage needs its output).
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        _require("PostgreSQL", f"postgres://{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}", 5432)
    if settings.REDIS_URL:
        _require("Redis", settings.REDIS_URL, 6379)


@pytest.fixture(autouse=True)
def _ticket_numbers_from_one(request, django_db_setup, django_db_blocker):
    """Each test numbers tickets from FCT-000001, as on a new database: the ticket number
    sequence, unlike the rows a test's transaction rolls back, counts on across tests."""
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(%s, 1, false)", [TICKET_NUMBER_SEQUENCE])


# --- Named actors, for every app's tests ---


@pytest.fixture
def staff_agent(db):
    return StaffFactory(first_name="Alex", last_name="Agent")


@pytest.fixture
def non_staff_user(db):
    return UserFactory()


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def staff_client(staff_agent):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(staff_agent).access_token}")
    return client


@pytest.fixture
def non_staff_client(non_staff_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(non_staff_user).access_token}")
    return client
