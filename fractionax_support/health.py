"""Probes for load balancers and orchestrators.

GET /healthz: the process is up and serving (200, touches nothing else).
GET /readyz:  the database, Redis (when REDIS_URL is set) and the Celery broker answer;
              200 when all do, otherwise 503 naming each one that does not.

Answered by the first middleware, before host validation, HTTPS redirects, sessions and
throttling: a probe comes from inside the network, often with an address for a Host, on
plain HTTP, and must never be redirected, refused or counted against a rate. Each check
runs on a thread of its own and is given CHECK_TIMEOUT_SECONDS, so a probe never hangs on
a server that accepts connections but does not answer. A check still stuck from an earlier
probe is waited on again rather than started twice, so a hung server costs one thread.
"""

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0
HEALTH_PATH, READY_PATH = "/healthz", "/readyz"


def _database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's connection (back to the pool, if pooled)


def _redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def _broker() -> None:
    from kombu.transport import filesystem

    from fractionax_support.celery import app

    with app.connection_for_write() as broker:
        if isinstance(broker.transport, filesystem.Transport):
            # The folder broker "connects" to anything: what matters is that it can write.
            options = broker.transport_options
            for folder in {options.get("data_folder_in", ""), options.get("data_folder_out", "")}:
                if not os.access(folder, os.W_OK):
                    raise OSError(f"broker folder {folder!r} is not writable")
            return
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=CHECK_TIMEOUT_SECONDS)


class _Check:
    def __init__(self, name: str, run: Callable[[], None]) -> None:
        self.name = name
        self.run = run
        self.lock = threading.Lock()
        self.current: Future[None] | None = None

    def start(self) -> "Future[None]":
        """The check under way, or a new one on a daemon thread: a check stuck on a server
        that never answers must not hold up the process's exit."""
        with self.lock:
            if self.current is None or self.current.done():
                future: Future[None] = Future()
                threading.Thread(target=self._run, args=(future,), name=f"readyz-{self.name}", daemon=True).start()
                self.current = future
            return self.current

    def _run(self, future: "Future[None]") -> None:
        try:
            self.run()
        except BaseException as error:
            future.set_exception(error)
        else:
            future.set_result(None)


_CHECKS = {name: _Check(name, run) for name, run in (("database", _database), ("redis", _redis), ("broker", _broker))}


def readiness() -> dict[str, str]:
    """Each dependency's state: "ok" or "error: <what>" (details go to the log only: the
    probe is public, and error messages name internal hosts)."""
    names = ["database", *(["redis"] if settings.REDIS_URL else []), "broker"]
    started = {name: _CHECKS[name].start() for name in names}  # all at once: one timeout in all
    report = {}
    for name, future in started.items():
        try:
            future.result(timeout=CHECK_TIMEOUT_SECONDS)
        except TimeoutError:
            report[name] = f"error: no answer within {CHECK_TIMEOUT_SECONDS:g} s"
            logger.warning("Readiness: %s did not answer within %g s", name, CHECK_TIMEOUT_SECONDS)
        except Exception as error:
            report[name] = f"error: {type(error).__name__}"
            logger.warning("Readiness: %s is unavailable: %s", name, error)
        else:
            report[name] = "ok"
    return report


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path not in (HEALTH_PATH, READY_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"detail": f"Method {request.method} not allowed."}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        if path == HEALTH_PATH:
            response = JsonResponse({"status": "ok"})
        else:
            checks = readiness()
            ready = all(state == "ok" for state in checks.values())
            body = {"status": "ok" if ready else "unavailable", "checks": checks}
            response = JsonResponse(body, status=200 if ready else 503)
        response["Cache-Control"] = "no-store"
        return response
