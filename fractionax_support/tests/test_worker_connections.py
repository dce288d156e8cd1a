"""A prefork Celery worker with the connection pool (as production runs it) keeps its
PostgreSQL sessions across tasks, rather than opening one or two per task."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pytest_httpserver import HTTPServer

from fractionax_support.celery import app as celery_app
from fractionax_support.tests.processes import BASE_DIR, database_url_for_tests, stop, use_broker, wait_for
from integrations import queueing
from integrations.models import OutboxMessage
from integrations.tests.configured import SLACK
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def sessions_ended() -> int:
    """PostgreSQL's count of the sessions of the test database that have ended."""
    with psycopg.connect(database_url_for_tests(), autocommit=True) as admin:
        row = admin.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def prefork_worker(settings: Any, httpserver: HTTPServer) -> Iterator[None]:
    """Slack pointed at the fake, and a worker of two prefork processes with a pool."""
    configured = {**SLACK, "SLACK_API_URL": httpserver.url_for("/slack/")}
    for name, value in configured.items():
        setattr(settings, name, value)
    queue = f"fx-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        **configured,
        "DATABASE_URL": database_url_for_tests(),
        "DATABASE_POOL_SIZE": "2",
        "CELERY_QUEUE": queue,
        "INTEGRATION_RATE_LIMITS": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fractionax_support", "worker", "--concurrency", "2",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=BASE_DIR,
        env=env,
    )  # fmt: skip
    previous_broker, previous_queue = celery_app.conf.broker_url, celery_app.conf.task_default_queue
    use_broker(settings.REDIS_URL, queue)
    queueing._kicks_paused_until = 0.0
    try:
        yield
    finally:
        use_broker(previous_broker, previous_queue)
        stop(process)


def test_a_prefork_worker_keeps_its_database_sessions_across_tasks(
    prefork_worker: None, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/slack/chat.postMessage").respond_with_json(
        {"ok": True, "channel": "C0SUPPORT", "ts": "1700000000.000100"}
    )

    def delivered() -> int:
        return OutboxMessage.objects.filter(delivered_at__isnull=False).count()

    make_ticket(subject="Warms the worker up")  # each process opens its session
    wait_for(lambda: delivered() == 1, 60, "the first delivery")
    before = sessions_ended()

    for index in range(20):
        make_ticket(subject=f"Delivered by a task of its own {index}")  # one kick, one task each
    wait_for(lambda: delivered() == 21, 60, "the deliveries")

    # Only the count's own sessions ended (Celery's fixup closed the pool around each task:
    # two new sessions per task).
    assert sessions_ended() - before <= 3
