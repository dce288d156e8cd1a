"""How domain events leave a change: collected per transaction, handed to subscribers.

The domain knows no subscriber. `integrations` and `realtime` register theirs in their
AppConfig.ready():
- a *recorder* runs inside the change's transaction, once, with all of its events (the
  integrations' outbox writes its rows there, so a committed change cannot lose them);
- a *listener* runs after commit, off the request (tickets.after_commit), once, with the
  same list (the dashboards' broadcast, the outbox's kick). A failing listener is logged
  and never fails or slows the change.

Every service runs in `atomic()`; a caller that makes several changes in one transaction
wraps them in it too, and their events leave together. Nested calls join the outermost
one, and the events of a nested call that fails are dropped with it.
"""

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from threading import local

from django.db import transaction

from .after_commit import run_after_commit
from .events import DomainEvent

logger = logging.getLogger(__name__)

Recorder = Callable[[list[DomainEvent]], None]
Listener = Callable[[list[DomainEvent]], Awaitable[None]]

_recorders: list[Recorder] = []
_listeners: list[Listener] = []
_state = local()


def subscribe(*, recorder: Recorder | None = None, listener: Listener | None = None) -> None:
    if recorder is not None and recorder not in _recorders:
        _recorders.append(recorder)
    if listener is not None and listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(*, recorder: Recorder | None = None, listener: Listener | None = None) -> None:
    if recorder in _recorders:
        _recorders.remove(recorder)
    if listener in _listeners:
        _listeners.remove(listener)


def publish(event: DomainEvent) -> None:
    collected: list[DomainEvent] | None = getattr(_state, "collected", None)
    if collected is None:
        raise RuntimeError("publish() outside collecting(): events leave through a service.")
    collected.append(event)


@contextmanager
def atomic() -> Iterator[None]:
    """A transaction (as Django's `atomic`, and usable as a decorator too) whose events,
    of every service called within it, leave together once it commits."""
    with transaction.atomic(), collecting():
        yield


@contextmanager
def collecting() -> Iterator[None]:
    """Inside a transaction: the events published within leave when it commits."""
    outer: list[DomainEvent] | None = getattr(_state, "collected", None)
    if outer is not None:
        mark = len(outer)
        try:
            yield
        except BaseException:
            del outer[mark:]
            raise
        return
    collected: list[DomainEvent] = []
    _state.collected = collected
    try:
        yield
    finally:
        _state.collected = None
    if collected:
        for record in _recorders:
            record(collected)
        transaction.on_commit(lambda: run_after_commit(partial(_notify, collected)), robust=True)


async def _notify(events: list[DomainEvent]) -> None:
    for listener in _listeners:
        try:
            await listener(events)
        except Exception:
            logger.exception("A listener of %s failed", [event.name for event in events])
