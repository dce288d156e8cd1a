"""Real processes for end-to-end and fault tests: the app server (as in production),
a Celery worker, and private Redis and PostgreSQL servers that a test may kill.

Everything listens on loopback on a free port of its own, so tests running in parallel never
meet, and the shared servers on 6379 and 5432 are never stopped. Every start waits a bounded
time; every stop ends the process even when the test failed.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from fractionax_support.local_ports import free_port
from fractionax_support.server_command import server_command

BASE_DIR = Path(settings.BASE_DIR)
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def wait_for(check: Callable[[], Any], seconds: float = 30, what: str = "the condition") -> Any:
    """Polls check() until it returns something truthy; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def stop(process: subprocess.Popen[Any], *, kill: bool = False, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    if kill:
        process.kill()
    else:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def database_url_for_tests(name: str | None = None, port: int = 5432) -> str:
    from django.db import connection

    return f"postgres://postgres@127.0.0.1:{port}/{name or connection.settings_dict['NAME']}"


# --- The app and the worker ---


@contextmanager
def app_server(env: dict[str, str], *, log_file: Path | None = None, **command: Any) -> Iterator[str]:
    """The production server with `env` over the test environment; yields its base URL.
    With `log_file`, everything the server prints (stdout and stderr) goes to that file;
    `command` passes options on to server_command (log_level, access_log, workers)."""
    port = free_port()
    output = open(log_file, "ab") if log_file is not None else None  # noqa: SIM115 (closed in finally)
    process = subprocess.Popen(
        server_command(port, **{"graceful_shutdown_seconds": 2, **command}),
        cwd=BASE_DIR,
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )
    try:
        wait_for(lambda: process.poll() is not None or listening(port), 30, "the app server to listen")
        assert process.poll() is None, "the app server exited"
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        if output is not None:
            output.close()


def use_broker(url: str, queue: str) -> None:
    """Points this process's task queueing at `url` and `queue` (where a test's worker listens)."""
    from fractionax_support.celery import app

    app.conf.broker_url = url
    app.conf.task_default_queue = queue
    app._pool = None
    app.amqp._producer_pool = None


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A Celery worker (one process, no beat) with `env` over the test environment."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "fractionax_support",
            "worker",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env={**os.environ, **env},
    )


# --- A Redis of the test's own ---


class PrivateRedis:
    """redis-server on a free loopback port, killed and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.directory = tempfile.mkdtemp(prefix="fx-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", self.directory], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for(lambda: self.process.poll() is not None or listening(self.port), 15, "redis-server to listen")
        assert self.process.poll() is None, f"redis-server could not start on port {self.port}"

    def kill(self) -> None:
        if self.process is not None:
            stop(self.process, kill=True)

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis()
    try:
        redis.start()
        yield redis
    finally:
        redis.close()


# --- A PostgreSQL cluster of the test's own ---


class PrivatePostgres:
    """A throwaway cluster (initdb in a temp folder) on a free port, stopped and started at will.
    PostgreSQL refuses to run as root, so as root its programs run as the postgres user."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="fx-pg-"))
        self.data = self.directory / "data"
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as_owner, *command], check=True, timeout=60, cwd=self.directory, capture_output=True)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"),
                  "-w", "-t", "30", "start")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: open sessions are cut off, as in a restart or failover."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    assert (PG_BIN / "initdb").exists(), f"PostgreSQL's programs are not in {PG_BIN} (set PG_BIN)"
    cluster = PrivatePostgres()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.close()


def manage(env: dict[str, str], *args: str) -> None:
    """Runs a management command in a process of its own with `env` over the test environment."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
