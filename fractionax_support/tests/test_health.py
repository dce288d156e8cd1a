"""/healthz and /readyz: answered to any probe (no login, no host check, no HTTPS redirect);
/readyz names each dependency that is away, with a real server whose own PostgreSQL,
Redis and broker are stopped one at a time, and answers within its bound when a server
accepts connections but never replies."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.test import Client

from fractionax_support.celery import app as celery_app

from .processes import PrivatePostgres, PrivateRedis, app_server, private_postgres, private_redis

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_client(settings) -> Client:
    """As production answers: HTTPS redirects on, only the public name allowed."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["support.example.com"]
    return Client(HTTP_HOST="10.0.0.7:8000")  # a probe from inside, by address, over HTTP


@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_healthz_answers_any_probe_without_redirect_or_host_check(production_client, path):
    response = production_client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_200_with_every_check_ok(production_client, settings):
    response = production_client.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "broker": "ok"}}


def test_readyz_leaves_redis_out_when_none_is_configured(client, settings):
    settings.REDIS_URL = ""

    assert client.get("/readyz").json()["checks"] == {"database": "ok", "broker": "ok"}


def test_the_probes_take_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    response = client.post("/readyz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_other_paths_still_go_through_the_usual_checks(production_client):
    assert production_client.get("/api/webhooks/test").status_code == 400  # DisallowedHost


@pytest.fixture
def folder_broker(tmp_path: Path) -> Iterator[Path]:
    """The embedded default's broker: a folder (`make run` without REDIS_URL)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options
    folder = tmp_path / "broker"
    conf.broker_url = "filesystem://"
    conf.broker_transport_options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    try:
        yield folder
    finally:
        conf.broker_url, conf.broker_transport_options = saved


def test_a_folder_broker_is_ready_when_its_folder_is_writable(client, folder_broker):
    assert client.get("/readyz").json()["checks"]["broker"].startswith("error: ")
    folder_broker.mkdir()
    assert client.get("/readyz").json()["checks"]["broker"] == "ok"


# --- A real server, its dependencies stopped one at a time ---


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as cluster:
        yield cluster


@pytest.fixture
def cache_redis() -> Iterator[PrivateRedis]:
    with private_redis() as redis:
        yield redis


@pytest.fixture
def broker_redis() -> Iterator[PrivateRedis]:
    with private_redis() as redis:
        yield redis


def ready(base: str) -> tuple[int, dict[str, str]]:
    response = requests.get(f"{base}/readyz", timeout=15)
    body = response.json()
    assert body["status"] == ("ok" if response.status_code == 200 else "unavailable")
    return response.status_code, body["checks"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_database_redis_or_broker_while_it_is_stopped(cluster, cache_redis, broker_redis):
    env = {
        "DEBUG": "false",
        "DATABASE_URL": cluster.url(),
        "DATABASE_POOL_SIZE": "4",
        "REDIS_URL": cache_redis.url,
        "CELERY_BROKER_URL": broker_redis.url,
    }
    all_ok = {"database": "ok", "redis": "ok", "broker": "ok"}
    with app_server(env) as base:
        assert ready(base) == (200, all_ok)

        cluster.stop()
        try:
            status, checks = ready(base)
            assert status == 503
            assert checks["database"].startswith("error: ")
            assert (checks["redis"], checks["broker"]) == ("ok", "ok")
            assert requests.get(f"{base}/healthz", timeout=15).status_code == 200  # the process is up
        finally:
            cluster.start()
        assert ready(base) == (200, all_ok)

        cache_redis.kill()
        status, checks = ready(base)
        assert status == 503
        assert checks["redis"].startswith("error: ")
        assert (checks["database"], checks["broker"]) == ("ok", "ok")
        cache_redis.start()
        assert ready(base) == (200, all_ok)

        broker_redis.kill()
        status, checks = ready(base)
        assert status == 503
        assert checks["broker"].startswith("error: ")
        assert (checks["database"], checks["redis"]) == ("ok", "ok")
        broker_redis.start()
        assert ready(base) == (200, all_ok)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_readyz_answers_in_bounded_time_when_dependencies_hang(silent_server):
    env = {
        "DEBUG": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{silent_server}/postgres",
        "REDIS_URL": f"redis://127.0.0.1:{silent_server}/0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{silent_server}/0",
    }
    with app_server(env) as base:
        for _ in range(2):  # the second probe finds the first one's checks still stuck
            # requests' timeout is the bound: each check is given 2 s, all at once.
            status, checks = ready(base)
            assert status == 503
            assert set(checks) == {"database", "redis", "broker"}
            assert all(state.startswith("error: ") for state in checks.values()), checks
            assert checks["database"] == "error: no answer within 2 s"
