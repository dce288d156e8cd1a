"""Runs committed changes' side effects on one background thread per process, in order.

A ticket change's response then waits for its transaction and nothing else: the channel
layer's publish and the Celery kick (each a Redis round trip, or a timeout when Redis is
down) happen beside it. The thread keeps one event loop, so the channel layer's Redis
connections are pooled across changes. What would be lost if the process died with jobs
queued is a live update (dashboards reload what they show) and a kick (the outbox sweep
delivers within a minute); nothing a ticket holds.

`AFTER_COMMIT_IN_BACKGROUND = False` (the tests' setting) runs each job at once instead.
"""

import asyncio
import atexit
import logging
import queue
import threading
from collections.abc import Awaitable, Callable

from django.conf import settings

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

_jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
_start_lock = threading.Lock()
_thread: threading.Thread | None = None


def run_after_commit(job: Job) -> None:
    """Queue `job` (a coroutine function) behind the ones queued before it."""
    if not settings.AFTER_COMMIT_IN_BACKGROUND:
        _run_now(job)
        return
    _ensure_thread()
    _jobs.put(job)


def wait_until_idle(timeout: float = 10.0) -> bool:
    """Blocks until every job queued so far has run (for shutdown and tests)."""
    if _thread is None:
        return True
    done = threading.Event()

    async def mark() -> None:
        done.set()

    _jobs.put(mark)
    return done.wait(timeout)


def _run_now(job: Job) -> None:
    from asgiref.sync import async_to_sync

    try:
        async_to_sync(job)()
    except Exception:
        logger.exception("A side effect of a committed change failed")


def _ensure_thread() -> None:
    global _thread
    if _thread is not None and _thread.is_alive():
        return
    with _start_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_work, name="after-commit", daemon=True)
            _thread.start()
            # A short-lived process (a management command, a script) runs its last jobs
            # before it exits.
            atexit.register(wait_until_idle, timeout=5.0)


def _work() -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    while True:
        job = _jobs.get()
        try:
            loop.run_until_complete(job())
        except Exception:  # one failing job never stops the ones behind it
            logger.exception("A side effect of a committed change failed")
