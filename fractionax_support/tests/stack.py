"""What users run, started for real for end-to-end tests, on either database:

- "sqlite": `make run`'s configuration. An SQLite file, no Redis (the filesystem broker,
  in-process cache and channel layer), uvicorn as the Makefile starts it, and a Celery
  worker with two processes and an embedded beat.
- "postgresql": production's. PostgreSQL and Redis, the production server, and the same
  worker, on a database, a queue and key prefixes of the stack's own.

Each stack has its own database, migrated as a new installation is, and a staff user; the
beat's outbox sweep runs every second instead of every minute (an admin's edit), so that
retries are not waited for. Tests talk to it over HTTP as users do and read its database
with plain SQL.
"""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg
import requests

from fractionax_support.local_ports import free_port
from fractionax_support.server_command import server_command

from .processes import BASE_DIR, listening, manage, wait_for

BACKENDS = ("sqlite", "postgresql")
USERNAME, PASSWORD = "stack-admin", "a long stack passphrase"
FAST_SWEEP = """
from django_celery_beat.models import IntervalSchedule, PeriodicTask
every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
PeriodicTask.objects.filter(task="integrations.tasks.outbox_sweep").update(interval=every_second)
"""


class Stack:
    def __init__(self, backend: str, env: dict[str, str]) -> None:
        assert backend in BACKENDS, backend
        self.backend = backend
        self.directory = Path(tempfile.mkdtemp(prefix=f"fx-stack-{backend}-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        name = f"fx_stack_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            self.database = str(self.directory / "db.sqlite3")
            self.env = {
                "DATABASE_URL": f"sqlite:///{self.database}",
                "REDIS_URL": "",
                "VAR_DIR": str(self.directory / "var"),
                "DEBUG": "true",
            }
            (self.directory / "var" / "celery-broker" / "processed").mkdir(parents=True)
        else:
            self.database = f"postgres://postgres@127.0.0.1:5432/{name}"
            self.env = {
                "DATABASE_URL": self.database,
                "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
                "CELERY_QUEUE": name,
                "CACHE_KEY_PREFIX": name,
                "CHANNEL_PREFIX": name,
                "DEBUG": "false",
            }
        self.env.update(
            {
                "DJANGO_SUPERUSER_USERNAME": USERNAME,
                "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
                "PYTHONUNBUFFERED": "1",
                **env,
            }
        )
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    # --- Life cycle ---

    def start(self) -> None:
        if self.backend == "postgresql":
            with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self._database_name()}"')
        manage(self.env, "migrate", "--noinput")
        manage(self.env, "ensure_superuser")
        manage(self.env, "shell", "-c", FAST_SWEEP)
        self.start_server()
        self.start_worker()

    def start_server(self) -> None:
        if self.backend == "sqlite":  # as the Makefile's `run` starts it
            command = [sys.executable, "-m", "uvicorn", "fractionax_support.asgi:application", "--host",
                       "127.0.0.1", "--port", str(self.port), "--lifespan", "off", "--no-access-log"]  # fmt: skip
        else:
            command = server_command(self.port, workers=2, graceful_shutdown_seconds=2)
        self.server = self._spawn(command, "server.log")
        wait_for(lambda: self.server.poll() is not None or listening(self.port), 60, "the server to listen")
        assert self.server.poll() is None, f"the server exited:\n{self.log('server.log')}"

    def start_worker(self) -> None:
        """As `make run` starts it: two processes, with beat."""
        command = [sys.executable, "-m", "celery", "-A", "fractionax_support", "worker", "--beat",
                   "--concurrency", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]  # fmt: skip
        if self.backend == "postgresql":
            command += ["--queues", self.env["CELERY_QUEUE"]]
        self.worker = self._spawn(command, "worker.log")

    def kill_worker(self, worker: subprocess.Popen[bytes] | None = None) -> None:
        """SIGKILL to the worker (this one, or the running one) and its pool processes at once,
        as a crash or an OOM kill."""
        worker = worker or self.worker
        assert worker is not None
        with suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=15)

    def worker_running(self) -> bool:
        return self.worker is not None and self.worker.poll() is None

    def close(self) -> None:
        for process in (self.worker, self.server):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=15)
        if self.backend == "postgresql":
            with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self._database_name()}" WITH (FORCE)')
        shutil.rmtree(self.directory, ignore_errors=True)

    def log(self, name: str) -> str:
        path = self.directory / name
        return path.read_text(errors="replace")[-20000:] if path.exists() else ""

    def _spawn(self, command: list[str], log: str) -> subprocess.Popen[bytes]:
        with open(self.directory / log, "ab") as output:
            return subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env={**os.environ, **self.env},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped or killed as a whole
            )

    def _database_name(self) -> str:
        return self.database.rsplit("/", 1)[1]

    # --- Talking to it ---

    def client(self) -> requests.Session:
        """An API client signed in as the stack's staff user."""
        session = requests.Session()
        response = session.post(f"{self.base_url}/api/auth/token/", json={"username": USERNAME, "password": PASSWORD})
        assert response.status_code == 200, response.text
        session.headers["Authorization"] = f"Bearer {response.json()['access']}"
        return session

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Runs a query on the stack's database (`%s` placeholders, either database)."""
        if self.backend == "sqlite":
            with sqlite3.connect(self.database, timeout=30) as connection:
                return connection.execute(sql.replace("%s", "?"), params).fetchall()
        with psycopg.connect(self.database) as connection:
            return connection.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def pending_deliveries(self) -> int:
        sql = "SELECT count(*) FROM integrations_outboxmessage WHERE delivered_at IS NULL AND failed_at IS NULL"
        return int(self.rows(sql)[0][0])

    def failed_deliveries(self) -> list[tuple[Any, ...]]:
        return self.rows("SELECT event, last_error FROM integrations_outboxmessage WHERE failed_at IS NOT NULL")

    def wait_delivered(self, seconds: float = 60) -> None:
        """Until every outbox message went out; fails naming what is left and the worker's log."""
        try:
            wait_for(lambda: self.pending_deliveries() == 0, seconds, "every outbox message to be delivered")
        except AssertionError as error:
            left = self.rows("SELECT integration, event, attempts, last_error FROM integrations_outboxmessage "
                             "WHERE delivered_at IS NULL")  # fmt: skip
            raise AssertionError(f"{error}; left: {left}\n{self.log('worker.log')[-5000:]}") from None
        assert not self.failed_deliveries(), self.failed_deliveries()


@contextmanager
def running_stack(backend: str, env: dict[str, str]) -> Iterator[Stack]:
    stack = Stack(backend, env)
    try:
        stack.start()
        yield stack
    finally:
        stack.close()
