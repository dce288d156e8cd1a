"""Property-based fuzzing of the whole HTTP API from its own OpenAPI schema (schemathesis).

Every operation of /api/schema/ is called with generated valid and invalid input, as a staff
agent and without credentials: no answer is a 5xx, and every answer (status, content type,
body) is one the schema documents. Bounded: FUZZ_MAX_EXAMPLES examples per operation
(`make fuzz` runs more than the default)."""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import checks

from tickets.tests.factories import make_ticket

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# The rest (no deadline, no example database) comes from the project's profile (conftest.py).
FUZZ_SETTINGS = hypothesis_settings(max_examples=MAX_EXAMPLES, suppress_health_check=list(HealthCheck))


# Loaded at collection (the schema view reads no database). schemathesis' lazy
# `from_fixture` loader does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())


@pytest.fixture(autouse=True)
def in_test_transaction(db, settings) -> Iterator[None]:
    """Requests run inside the test's transaction. Django's own test client does the same:
    a request must not close the connection that holds that transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    make_ticket(subject="Fuzzed ticket")
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def helpscout_configured(settings) -> None:
    """So that a resync is queued (the in-memory broker keeps it; nothing runs it)."""
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = settings.HELPSCOUT_MAILBOX_ID = "fuzz"


@schema.parametrize()
@FUZZ_SETTINGS
def test_without_credentials(case):
    # schemathesis fills in the security schemes: take their values out again.
    (case.headers or {}).pop("Authorization", None)
    (case.cookies or {}).pop("sessionid", None)
    case.call_and_validate(checks=CHECKS)


# Only the staff API reads the token; the other endpoints answer the same to anyone.
@schema.include(path_regex="^/api/admin/").parametrize()
@FUZZ_SETTINGS
def test_as_staff(case, staff_agent, helpscout_configured):
    token = RefreshToken.for_user(staff_agent).access_token
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {token}"})
