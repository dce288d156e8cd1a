"""A PostgreSQL restart under a running app server: while the database is away, requests
answer a clean 503; once it is back they succeed again, without restarting the server,
with the psycopg connection pool (as production runs) and without it."""

from collections.abc import Iterator

import pytest
import requests

from .processes import PrivatePostgres, app_server, manage, private_postgres

pytestmark = pytest.mark.slow

API = "/api/admin/support-tickets"
USERNAME, PASSWORD = "outage-admin", "outage-password-not-secret"
POOL_TIMEOUT = 2  # seconds a request waits for a pooled connection before giving up


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as cluster:
        manage({"DATABASE_URL": cluster.url()}, "migrate", "--noinput", "-v", "0")
        yield cluster


def production_env(cluster: PrivatePostgres, pool_size: int) -> dict[str, str]:
    return {
        "DEBUG": "false",  # production's error pages: a 500 would be a bare page, not JSON
        "DATABASE_URL": cluster.url(),
        "DATABASE_POOL_SIZE": str(pool_size),
        "DATABASE_POOL_TIMEOUT": str(POOL_TIMEOUT),
        "REDIS_URL": "",  # only the database goes away here
        "DJANGO_SUPERUSER_USERNAME": USERNAME,
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }


def signed_in(base: str) -> dict[str, str]:
    access = requests.post(
        f"{base}/api/auth/token/", json={"username": USERNAME, "password": PASSWORD}, timeout=15
    ).json()["access"]
    return {"Authorization": f"Bearer {access}"}


def create(base: str, headers: dict[str, str], subject: str) -> requests.Response:
    body = {"subject": subject, "description": "During a restart", "customerEmail": "c@example.com"}
    return requests.post(f"{base}{API}", json=body, headers=headers, timeout=15)


@pytest.mark.parametrize("pool_size", [8, 0], ids=["pooled", "unpooled"])
def test_requests_fail_cleanly_while_postgresql_restarts_and_recover_after(cluster, pool_size):
    env = production_env(cluster, pool_size)
    manage(env, "ensure_superuser")
    with app_server(env) as base:
        headers = signed_in(base)
        before = requests.get(f"{base}{API}", headers=headers, timeout=15)
        assert before.status_code == 200
        total = before.json()["pagination"]["total"]
        assert create(base, headers, "Before the restart").status_code == 201

        cluster.stop()
        try:
            for answer in (
                lambda: requests.get(f"{base}{API}", headers=headers, timeout=15),
                lambda: create(base, headers, "While the database is down"),
                lambda: requests.get(f"{base}{API}/statistics", headers=headers, timeout=15),
            ):
                response = answer()  # fails, does not hang: a hang is the request's ReadTimeout
                assert response.status_code == 503, response.text[:500]
                assert "database is unavailable" in response.json()["detail"]
                assert response.headers["Retry-After"]
        finally:
            cluster.start()

        after = requests.get(f"{base}{API}", headers=headers, timeout=15)
        assert after.status_code == 200, after.text[:500]
        assert create(base, headers, "After the restart").status_code == 201
        subjects = [
            ticket["subject"]
            for ticket in requests.get(f"{base}{API}?limit=200", headers=headers, timeout=15).json()["results"]
        ]
        assert subjects.count("Before the restart") == subjects.count("After the restart") >= 1
        assert "While the database is down" not in subjects
        assert requests.get(f"{base}{API}", headers=headers, timeout=15).json()["pagination"]["total"] == total + 2


def test_the_first_request_after_a_quiet_restart_succeeds(cluster):
    """No request while the database was away: the pool's connections died unnoticed, and
    its check (fractionax_support/postgresql/pool.py) replaces them as they are handed out."""
    env = production_env(cluster, pool_size=8)
    manage(env, "ensure_superuser")
    with app_server(env) as base:
        headers = signed_in(base)
        assert requests.get(f"{base}{API}", headers=headers, timeout=15).status_code == 200
        cluster.stop()
        cluster.start()
        for _ in range(3):
            response = requests.get(f"{base}{API}", headers=headers, timeout=15)
            assert response.status_code == 200, response.text[:500]
