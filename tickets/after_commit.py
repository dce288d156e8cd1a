"""Runs committed changes' side effects on one background thread per process, in order.

A ticket change's response then waits for its transaction and nothing else: the channel
layer's publish and the Celery kick (each a Redis round trip, or a timeout when Redis is
down) happen beside it. The thread keeps one event loop, so the channel layer's Redis
connections are pooled across changes. What would be lost if the process died with jobs
queued is a live update (dashboards reload what they show) and a kick (the outbox sweep
delivers within a minute); nothing a ticket holds.

Jobs may also add to a batch (`add_to_batch`) that is handed over whole BATCH_WINDOW_SECONDS
after its first item: the changes of that window then make one Celery publish for all
their kicks, and the worker gets their deliveries in tasks of several tickets, each far
cheaper per ticket than a task of one (bench/RESULTS.md, finding 38).

`AFTER_COMMIT_IN_BACKGROUND = False` (the tests' setting) runs each job at once instead,
and its batches right after it.
"""

import asyncio
import atexit
import logging
import queue
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]
Flush = Callable[[list[Any]], None]

_jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
_start_lock = threading.Lock()
_thread: threading.Thread | None = None
_batches: dict[Flush, list[Any]] = {}
_batches_lock = threading.Lock()
_batches_since = 0.0  # when the oldest item waiting in a batch was added
# How long a batch gathers items: what a delivery may wait, against fewer and larger tasks.
BATCH_WINDOW_SECONDS = 0.1


def run_after_commit(job: Job) -> None:
    """Queue `job` (a coroutine function) behind the ones queued before it."""
    if not settings.AFTER_COMMIT_IN_BACKGROUND:
        _run_now(job)
        return
    _ensure_thread()
    _jobs.put(job)


def add_to_batch(flush: Flush, items: Iterable[Any]) -> None:
    """From a job: `items` join `flush`'s batch, and `flush` gets the whole batch once the
    jobs queued by then have all run."""
    global _batches_since
    with _batches_lock:
        if not _batches:
            _batches_since = time.monotonic()
        _batches.setdefault(flush, []).extend(items)


def wait_until_idle(timeout: float = 10.0) -> bool:
    """Blocks until every job queued so far has run, and their batches (for shutdown and
    tests)."""
    if _thread is None:
        return True
    done = threading.Event()

    async def mark() -> None:
        _flush_batches()
        done.set()

    _jobs.put(mark)
    return done.wait(timeout)


def _run_now(job: Job) -> None:
    from asgiref.sync import async_to_sync

    try:
        async_to_sync(job)()
    except Exception:
        logger.exception("A side effect of a committed change failed")
    _flush_batches()


def _flush_batches() -> None:
    with _batches_lock:
        batches = list(_batches.items())
        _batches.clear()
    for flush, items in batches:
        try:
            flush(items)
        except Exception:  # one failing flush never stops the others
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
        try:
            job = _jobs.get(timeout=_window_left())
        except queue.Empty:  # the batches' window has passed
            _flush_batches()
            continue
        try:
            loop.run_until_complete(job())
        except Exception:  # one failing job never stops the ones behind it
            logger.exception("A side effect of a committed change failed")
        if _window_left() == 0:
            _flush_batches()


def _window_left() -> float | None:
    """Until the waiting batches go out; None when none waits."""
    with _batches_lock:
        if not _batches:
            return None
        return max(0.0, _batches_since + BATCH_WINDOW_SECONDS - time.monotonic())
