"""Redis killed under a running app server (a private redis-server, never the shared one):
the API and the dashboard keep serving; WebSockets cannot connect while it is away;
once it is back, a dashboard's socket receives new tickets again, with no server restart."""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from fractionax_support.tests.processes import (
    PrivateRedis,
    app_server,
    database_url_for_tests,
    private_redis,
    wait_for,
)
from tickets.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

API = "/api/admin/support-tickets"
# A call that hangs on the dead Redis fails with ReadTimeout, naming its URL; how fast calls
# are served is the bench's to measure, not this test's.
SERVES_WITHIN = 10  # seconds


@pytest.fixture
def redis() -> Iterator[PrivateRedis]:
    with private_redis() as redis:
        yield redis


@pytest.fixture
def server(redis: PrivateRedis) -> Iterator[str]:
    env = {
        "DEBUG": "true",  # static files straight from the app folders, for the dashboard page
        "DATABASE_URL": database_url_for_tests(),
        "REDIS_URL": redis.url,
        "CHANNEL_PREFIX": settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"],
    }
    with app_server(env) as base:
        yield base


class Agent:
    """A staff member using the API (JWT) and the dashboard (session cookie) of `base`."""

    def __init__(self, base: str) -> None:
        self.base = base
        user = StaffFactory(first_name="Robin", last_name="Redis")
        self.token = str(RefreshToken.for_user(user).access_token)
        browser = Client()
        browser.force_login(user)
        self.cookies = {settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value}
        self.created = 0
        # A new server's first request loads the URL conf and opens its connections, which on
        # a busy machine can take seconds.
        requests.get(f"{base}{API}", headers=self.headers, timeout=30).raise_for_status()

    def create(self) -> dict[str, Any]:
        self.created += 1
        body = {"subject": f"Redis outage ticket {self.created}", "description": "d", "customerEmail": "c@example.com"}
        response = requests.post(f"{self.base}{API}", json=body, headers=self.headers, timeout=SERVES_WITHIN)
        assert response.status_code == 201, response.text[:500]
        return dict(response.json())

    def serves(self) -> None:
        """The list, a new ticket, and the dashboard page showing it."""
        listed = requests.get(f"{self.base}{API}", headers=self.headers, timeout=SERVES_WITHIN)
        assert listed.status_code == 200, listed.text[:500]
        ticket = self.create()
        page = requests.get(f"{self.base}/dashboard/", cookies=self.cookies, timeout=SERVES_WITHIN)
        assert page.status_code == 200 and page.url.endswith("/dashboard/"), page.url
        assert ticket["subject"] in page.text

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @contextmanager
    def socket(self) -> Iterator[ClientConnection]:
        """The dashboard's socket, joined."""
        with connect(self.base.replace("http", "ws", 1) + f"/ws/admin/?token={self.token}", open_timeout=5) as ws:
            ws.send(json.dumps({"type": "join-admin"}))
            assert json.loads(ws.recv(timeout=5)) == {"event": "joined"}
            yield ws


@pytest.fixture
def agent(server: str) -> Agent:
    return Agent(server)


def announced(ws: ClientConnection, ticket: dict[str, Any], seconds: float) -> bool:
    """Whether the socket receives the ticket's new-ticket event within `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            return False
        if message["event"] == "new-ticket" and message["data"]["ticketNumber"] == ticket["ticketNumber"]:
            return True
    return False


def socket_opens(agent: Agent) -> bool:
    """Whether the dashboard's socket connects and joins (rather than being refused or
    dropped) within seconds."""
    try:
        with agent.socket():
            return True
    except (OSError, TimeoutError, InvalidHandshake, InvalidStatus, ConnectionClosed):
        return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the server, another process, reads what the test wrote
def test_api_and_dashboard_serve_through_a_redis_outage_and_live_updates_resume(redis, agent):
    agent.serves()
    with agent.socket() as ws:
        assert announced(ws, agent.create(), 5)  # live, before the outage

    redis.kill()
    for _ in range(3):  # the first change meets the dead Redis; the next ones skip it
        agent.serves()
    assert not socket_opens(agent)

    redis.start()  # the same port, empty: as after a restart
    wait_for(lambda: socket_opens(agent), 30, "a dashboard socket to connect again")
    with agent.socket() as ws:
        # Live updates resume once the pause after the outage has run out (seconds).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if announced(ws, agent.create(), 1):
                break
        else:
            raise AssertionError("no new-ticket event reached the dashboard after Redis came back")
    agent.serves()


@pytest.fixture
def cache_unreachable(settings: Any) -> None:
    # django-axes keeps the cache it met when its handler was set. Its handler is set before
    # the cache, so that the restore, in reverse order, sets it again after the cache is back
    # (otherwise later tests' logins meet the unreachable cache); then it is made anew.
    settings.AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    AxesProxyHandler.get_implementation(force=True)


def test_rate_limits_pause_rather_than_fail_requests_while_their_cache_is_unreachable(cache_unreachable, staff_client):
    assert staff_client.get(API).status_code == 200
    refresh = staff_client.post("/api/auth/token/refresh/", {"refresh": "not-a-token"}, format="json")
    assert refresh.status_code == 401  # the login throttle let it through to say why


def test_logins_answer_503_while_their_failure_counter_is_unreachable(cache_unreachable, staff_agent, client):
    credentials = {"username": staff_agent.username, "password": "correct horse battery"}
    for response in (
        client.post("/api/auth/token/", credentials, content_type="application/json"),
        client.post("/login/", credentials),
    ):
        assert response.status_code == 503
        assert response.json()["detail"] == "Redis is unavailable for a moment. Please try again shortly."
