"""Rate limits: the API per user and per anonymous client, logins per client address;
over the limit, 429 with Retry-After. Counted in the shared cache (Redis), so every
process sees the same counts. The test run's own rates are huge: each test sets its own."""

import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from .api_helpers import URL, client_for
from .factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture
def rates(settings, monkeypatch):
    """Sets the throttle rates for one test, counted afresh in the cache."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"fx-throttle-test-{uuid.uuid4().hex}"}}

    def set_rates(**scopes: str) -> None:
        # DRF reads the rates once, at import: the setting alone would not reach it.
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **scopes})

    return set_rates


def assert_throttled(response, *, within_seconds: int = 60) -> None:
    assert response.status_code == 429, response.content
    assert 1 <= int(response.headers["Retry-After"]) <= within_seconds
    assert "throttled" in response.json()["detail"].lower()


def test_the_throttle_counts_in_redis(rates):
    rates(user="2/min")
    staff = StaffFactory()
    client_for(staff).get(URL)

    assert isinstance(caches["default"], RedisCache)
    pattern = caches["default"].make_key(f"throttle_user_{staff.pk}_*")
    counters = redis.Redis.from_url(django_settings.REDIS_URL).keys(pattern)  # where another process would look
    assert len(counters) == 1
    assert 0 < redis.Redis.from_url(django_settings.REDIS_URL).ttl(counters[0]) <= 61  # gone with its window


def test_requests_arriving_together_are_each_counted(rates):
    """A read-modify-write of the count would let simultaneous requests through uncounted."""
    rates(anon="20/min")

    def get(_: int) -> int:
        return APIClient().get("/api/webhooks/test").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(get, range(40)))

    assert codes.count(200) == 20
    assert codes.count(429) == 20


def test_the_api_throttles_each_user_after_their_rate(rates):
    rates(user="3/min")
    first, second = client_for(StaffFactory()), client_for(StaffFactory())

    assert [first.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(first.get(URL))
    assert_throttled(first.post(URL, {}, format="json"))  # writes count too
    assert second.get(URL).status_code == 200  # per user


def test_the_api_throttles_anonymous_clients_after_their_rate(rates):
    rates(anon="2/min")
    client = APIClient()

    assert [client.get("/api/webhooks/test").status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get("/api/webhooks/test"))
    assert_throttled(client.get("/api/schema/", {"format": "json"}))


def test_logins_are_throttled_per_address_even_when_they_succeed(rates):
    rates(login="3/min")
    staff = StaffFactory()
    client = APIClient()
    credentials = {"username": staff.username, "password": PASSWORD}

    assert [client.post("/api/auth/token/", credentials, format="json").status_code for _ in range(3)] == [200] * 3
    assert_throttled(client.post("/api/auth/token/", credentials, format="json"))
    # Refreshing counts against the same limit.
    refresh = str(RefreshToken.for_user(staff))
    assert_throttled(client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json"))
    # Another address is not held back.
    other = APIClient(REMOTE_ADDR="10.0.0.2")
    assert other.post("/api/auth/token/", credentials, format="json").status_code == 200


@pytest.mark.slow
def test_the_rates_come_from_the_environment():
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']))"
    )

    def rates_with(**env: str) -> dict[str, str]:
        names = {"API_THROTTLE_USER", "API_THROTTLE_ANON", "LOGIN_THROTTLE"}
        base = {key: value for key, value in os.environ.items() if key not in names}
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=django_settings.BASE_DIR,
            env={**base, "DJANGO_SETTINGS_MODULE": "fractionax_support.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(result.stdout.strip().splitlines()[-1])

    assert rates_with() == {"anon": "60/min", "user": "600/min", "login": "10/min"}
    configured = rates_with(API_THROTTLE_USER="5/s", API_THROTTLE_ANON="7/hour", LOGIN_THROTTLE="3/min")
    assert configured == {"anon": "7/hour", "user": "5/s", "login": "3/min"}
